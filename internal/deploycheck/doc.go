// Package deploycheck holds only tests: they check the files of deploy/
// (Dockerfile, compose, Redis config, systemd unit, Kubernetes manifests,
// Grafana dashboard) against the code, without Docker or a cluster.
package deploycheck
