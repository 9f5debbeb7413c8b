// Package faultsuite proves newsbot under faults and abuse: it builds the real
// binary, runs it against a redis-server it starts itself, the fake Bot API
// (internal/telegramtest) and local feed servers, and then kills processes,
// restarts Redis, storms the Bot API and feeds it hostile updates and feeds.
//
// The tests carry the build tag integration:
//
//	go test -tags integration -race -count=1 ./internal/faultsuite/
//
// FAULTSUITE_RACE=1 also builds the bot itself with -race (slower);
// FAULTSUITE_KNOWN_BUGS=1 runs the tests that pin bugs not fixed yet;
// FAULTSUITE_SEED repeats a run of the hostile updates; FAULTSUITE_KEEP=1
// keeps every process's log. The suite prints a table of what it measured
// (with -v) and writes it to $TMPDIR/faultsuite-figures.md, for the README.
package faultsuite
