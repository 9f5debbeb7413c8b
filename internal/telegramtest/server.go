// Package telegramtest is a fake Telegram Bot API server for tests. It serves
// scripted updates to the real bot over HTTP on 127.0.0.1, records every call,
// answers the way Telegram does (exact error bodies, flood limits included) and
// lets a test inject failures, delays and limits to drive the bot's error paths.
package telegramtest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The bot's fake identity. Tests grep logs for Token to prove it is redacted.
const (
	Token        = "123456:TEST-TOKEN-abcdefghij"
	BotID        = int64(123456)
	BotUsername  = "gubkin_news_bot"
	BotFirstName = "Новости Губкина"

	// DefaultLongPollCap bounds how long getUpdates really waits, whatever
	// timeout the bot asks for, so tests that stop the bot stay fast.
	DefaultLongPollCap = time.Second
)

// Server is a fake Bot API. All methods are safe for concurrent use.
type Server struct {
	tb   testing.TB
	http *httptest.Server
	done chan struct{} // closed at cleanup so long polls and delays end at once
	cfg  config

	rec     recorder
	updates updateQueue
	faults  faults
	limits  *limits
	chats   chatBook
	sent    atomic.Int64 // successful sendMessage/sendPhoto, read by benchmarks
}

type config struct {
	pollCap     time.Duration
	globalRate  float64 // messages per second; 0 means no global limit
	globalBurst int
	chatLimits  bool
	lightSends  bool
}

// Option configures a Server.
type Option func(*config)

// WithLongPollCap caps the real wait of a long poll (default DefaultLongPollCap).
func WithLongPollCap(d time.Duration) Option {
	return func(c *config) { c.pollCap = d }
}

// WithoutSendRecording keeps sendMessage/sendPhoto calls out of the recording,
// so a 100k-message benchmark does not grow memory (or allocations) in the fake;
// count them with SentCount. Calls, WaitCalls, Sent and Texts will not see them.
func WithoutSendRecording() Option {
	return func(c *config) { c.lightSends = true }
}

// New starts a fake Bot API on 127.0.0.1, closed when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{pollCap: DefaultLongPollCap}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{tb: tb, cfg: cfg, done: make(chan struct{}), limits: newLimits(cfg)}
	s.updates.init()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("telegramtest: listen on 127.0.0.1: %v", err)
	}
	s.http = httptest.NewUnstartedServer(s)
	_ = s.http.Listener.Close() // replaced: we insist on IPv4 loopback
	s.http.Listener = ln
	s.http.Start()
	tb.Cleanup(func() {
		close(s.done)
		s.http.Close()
	})
	return s
}

// URL is the server's base URL, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.http.URL }

// Endpoint is the URL pattern tgbotapi.NewBotAPIWithClient wants (token, method).
func (s *Server) Endpoint() string { return s.http.URL + "/bot%s/%s" }

// Token is the only token the server accepts.
func (s *Server) Token() string { return Token }

// reply is one HTTP answer, built before it is written so the call's status is
// recorded before the bot can see the answer.
type reply struct {
	status      int
	contentType string
	body        []byte
}

// statusClientGone marks a call whose client left before it was answered
// (nginx's code for it).
const statusClientGone = 499

// ServeHTTP answers one Bot API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, method, ok := splitPath(r.URL.Path)
	if !ok {
		s.write(w, errorReply(notFound))
		return
	}
	if token != Token {
		// Not recorded: a call with a wrong token never reached "Telegram".
		s.write(w, errorReply(Unauthorized()))
		return
	}
	params, err := readParams(w, r)
	if err != nil {
		s.write(w, errorReply(badRequest(err.Error())))
		return
	}
	c := Call{Method: method, Params: params, At: time.Now()}
	entry := s.rec.add(c, !(s.cfg.lightSends && sendMethods[strings.ToLower(method)]))
	rep := s.answer(r.Context(), c)
	s.rec.finish(entry, rep.status)
	s.write(w, rep)
}

// answer runs a call through the hook, injected delays and failures, the
// request checks and the limits, then the method itself.
func (s *Server) answer(ctx context.Context, c Call) reply {
	s.limits.arrive(c, time.Now())
	// The hook comes first so it can also answer methods the fake does not know.
	if rep, handled := s.faults.runHook(c); handled {
		return rep
	}
	h, known := handlers[strings.ToLower(c.Method)]
	if !known {
		return errorReply(notFound)
	}
	if !s.waitDelay(ctx, c.Method) {
		return reply{status: statusClientGone}
	}
	if f, ok := s.faults.nextFailure(c.Method); ok {
		if f.html {
			return htmlReply()
		}
		return s.refuse(c, f.err, scopeOf(c))
	}
	if e, ok := s.faults.chatFailure(c); ok {
		return s.refuse(c, e, scopeOf(c))
	}
	if e := validate(c); e != nil {
		return s.refuse(c, *e, "")
	}
	if e, scope, ok := s.limits.admit(c, time.Now()); !ok {
		return s.refuse(c, e, scope)
	}
	result, e := h(s, ctx, c)
	if e != nil {
		return s.refuse(c, *e, scopeOf(c))
	}
	return okReply(result)
}

// refuse answers with e; a 429 also starts a wait in scope so that early
// retries can be counted.
func (s *Server) refuse(c Call, e APIError, scope string) reply {
	if e.Code == http.StatusTooManyRequests {
		s.limits.told(scope, c, e.RetryAfter, time.Now())
	}
	return errorReply(e)
}

// waitDelay holds the call for an injected delay; false if the client left
// (or the server is closing) first.
func (s *Server) waitDelay(ctx context.Context, method string) bool {
	d, ok := s.faults.nextDelay(method)
	if !ok {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

func (s *Server) write(w http.ResponseWriter, rep reply) {
	if rep.status == statusClientGone {
		return
	}
	w.Header().Set("Content-Type", rep.contentType)
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func okReply(result []byte) reply {
	body := make([]byte, 0, len(result)+32)
	body = append(body, `{"ok":true,"result":`...)
	body = append(body, result...)
	body = append(body, '}')
	return reply{status: http.StatusOK, contentType: "application/json", body: body}
}

func errorReply(e APIError) reply {
	return reply{status: e.Code, contentType: "application/json", body: e.body()}
}
