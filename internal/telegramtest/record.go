package telegramtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one recorded request.
type Call struct {
	Method string            // as the bot spelled it
	Params map[string]string // every parameter as a string; JSON values as their text. Read only: copies share it.
	At     time.Time         // arrival
	// Status is the HTTP status answered: 0 while the call is still being
	// answered (a long poll, a delay), 499 if the client left first.
	Status int
}

// pollInterval is how often the Wait helpers look again.
const pollInterval = 5 * time.Millisecond

// sendMethods are the sends that are rate-limited and counted by SentCount.
var sendMethods = map[string]bool{"sendmessage": true, "sendphoto": true}

// outgoingMethods put something into a chat: what Sent reports and FailChat breaks.
var outgoingMethods = map[string]bool{
	"sendmessage": true, "sendphoto": true, "editmessagetext": true,
	"editmessagecaption": true, "editmessagereplymarkup": true,
}

type recorder struct {
	mu    sync.Mutex
	calls []*Call
}

// add records c (unless keep is false) and returns the entry to finish.
func (r *recorder) add(c Call, keep bool) *Call {
	e := &c
	if !keep {
		return e
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, e)
	return e
}

// finish stores the status before the answer is written, so a bot that has
// its answer always finds the recording up to date.
func (r *recorder) finish(e *Call, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Status = status
}

// Calls returns the recorded calls, all or those of the given methods
// (case-insensitive), oldest first.
func (s *Server) Calls(methods ...string) []Call {
	return s.rec.filter(func(c *Call) bool {
		return len(methods) == 0 || slices.ContainsFunc(methods, func(m string) bool {
			return strings.EqualFold(m, c.Method)
		})
	})
}

func (r *recorder) filter(keep func(*Call) bool) []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Call
	for _, c := range r.calls {
		if keep(c) {
			out = append(out, *c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method have been answered and
// returns them all; on timeout it fails the test with what it saw. Calls still
// in flight (a long poll) do not count: use WaitFor with Calls to see arrivals.
func (s *Server) WaitCalls(tb testing.TB, method string, n int, timeout time.Duration) []Call {
	tb.Helper()
	var got []Call
	answered := func() bool {
		got = s.rec.filter(func(c *Call) bool { return strings.EqualFold(c.Method, method) && c.Status != 0 })
		return len(got) >= n
	}
	if !poll(timeout, answered) {
		tb.Fatalf("telegramtest: waited %v for %d answered %s call(s), got %d; all calls: %s",
			timeout, n, method, len(got), summary(s.Calls()))
	}
	return got
}

// WaitFor polls cond until it holds; on timeout it fails the test with msg.
func (s *Server) WaitFor(tb testing.TB, timeout time.Duration, cond func() bool, msg string) {
	tb.Helper()
	if !poll(timeout, cond) {
		tb.Fatalf("telegramtest: waited %v for %s; all calls: %s", timeout, msg, summary(s.Calls()))
	}
}

func poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}

// summary counts calls per method and status, e.g. "getMe 200×1, sendMessage 429×2".
func summary(calls []Call) string {
	counts := map[string]int{}
	for _, c := range calls {
		counts[fmt.Sprintf("%s %d", c.Method, c.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, counts[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Sent returns the successful (200) sends and edits to chatID, oldest first:
// what the chat's members actually saw. Refused attempts are in Calls.
func (s *Server) Sent(chatID int64) []Call {
	return s.rec.filter(func(c *Call) bool {
		id, ok := chatIDOf(*c)
		return ok && id == chatID && c.Status == 200 && outgoingMethods[strings.ToLower(c.Method)]
	})
}

// Texts returns the text (or caption) of each of Sent(chatID); an edit of
// the keyboard alone gives "".
func (s *Server) Texts(chatID int64) []string {
	sent := s.Sent(chatID)
	out := make([]string, len(sent))
	for i, c := range sent {
		if t, ok := c.Params["text"]; ok {
			out[i] = t
		} else {
			out[i] = c.Params["caption"]
		}
	}
	return out
}

// SentCount is the number of successful sendMessage/sendPhoto calls; cheap,
// for benchmarks.
func (s *Server) SentCount() int { return int(s.sent.Load()) }

// Reset forgets recorded calls and zeroes SentCount, TooMany and EarlyRetries.
// Updates, injected failures and limiter state stay.
func (s *Server) Reset() {
	s.rec.mu.Lock()
	s.rec.calls = nil
	s.rec.mu.Unlock()
	s.sent.Store(0)
	s.limits.resetCounters()
}
