// Package metrics defines every Prometheus metric of newsbot in one place, so
// names stay consistent with the Grafana dashboard in deploy/.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds newsbot's metrics and the Go runtime and process collectors.
var Registry = prometheus.NewRegistry()

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "newsbot", Name: name, Help: help}, labels)
	Registry.MustRegister(c)
	return c
}

func gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "newsbot", Name: name, Help: help}, labels)
	Registry.MustRegister(g)
	return g
}

func histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "newsbot", Name: name, Help: help, Buckets: buckets}, labels)
	Registry.MustRegister(h)
	return h
}

var latency = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// The metrics. Label values are small fixed sets (never a chat id or a URL,
// except feed URLs, which the operator configures).
var (
	Updates        = counter("updates_total", "Telegram updates handled, by kind and command.", "kind", "command")
	HandlerErrors  = counter("handler_errors_total", "Handlers that failed or panicked.", "kind")
	Replies        = counter("replies_total", "Messages sent in answer to users and to editors, by result.", "result")
	Deliveries     = counter("deliveries_total", "Pushed deliveries by result (sent, duplicate, chat_gone, dead, ...).", "result")
	TooMany        = counter("telegram_429_total", "429 Too Many Requests answers, by scope.", "scope")
	SendLatency    = histogram("send_duration_seconds", "Time of one Bot API send call.", latency, "lane")
	QueueDepth     = gauge("delivery_queue_length", "Entries in the delivery stream.")
	QueuePending   = gauge("delivery_pending", "Delivery entries read but not yet acknowledged.")
	DeadLetters    = gauge("delivery_dead_letters", "Entries in the dead-letter stream.")
	FeedFetches    = counter("feed_fetches_total", "Feed fetches by result (ok, not_modified, error).", "feed", "result")
	FeedDuration   = histogram("feed_fetch_duration_seconds", "Time of one feed fetch and parse.", latency, "feed")
	ArticlesIngest = counter("articles_ingested_total", "New articles stored, by source (feed, publish).", "source")
	Upstream       = counter("upstream_requests_total", "Weather and rates upstream requests by result.", "upstream", "result")
	TypoReports    = counter("typo_reports_total", "Typo reports by source and status.", "source", "status")
	RedisErrors    = counter("redis_errors_total", "Redis operations that failed, by component.", "component")
	Leader         = gauge("leader", "1 while this copy holds the leader lease.")
	PollerUp       = gauge("poller_up", "1 while getUpdates answers.")
)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Handler serves /metrics.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
