package main

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// fakeToken is the only token the fake accepts.
const fakeToken = "123456:BENCH-TOKEN"

// fakeAPI is a minimal Bot API for the benchmark: getMe and sendMessage,
// a global limit answered with 429 and retry_after like Telegram's, and
// counters cheap enough for 100,000 recipients (internal/telegramtest needs a
// testing.TB and records every call, so it is not used here).
type fakeAPI struct {
	srv        *http.Server
	url        string
	limit      *rate.Limiter // nil: no limit
	mu         sync.Mutex    // guards limit
	recipients int64
	perChat    []atomic.Int32 // successful sends to chat 1..recipients
	bulk       atomic.Int64   // successful sends to recipients
	replies    atomic.Int64   // successful sends to other chats
	tooMany    atomic.Int64
	lastBulk   atomic.Int64 // unix ns of the last successful send to a recipient
}

func startFake(recipients int64, perSecond float64) (*fakeAPI, error) {
	f := &fakeAPI{recipients: recipients, perChat: make([]atomic.Int32, recipients+1)}
	if perSecond > 0 {
		f.limit = rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond))) // a one-second burst
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake Bot API: listen: %w", err)
	}
	f.url = "http://" + ln.Addr().String()
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *fakeAPI) close() { _ = f.srv.Close() }

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+fakeToken+"/")
	switch {
	case !ok:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
	case strings.EqualFold(method, "getMe"):
		_, _ = w.Write([]byte(`{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Bench","username":"bench_bot"}}`))
	case strings.EqualFold(method, "sendMessage"):
		f.send(w, r)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
	}
}

func (f *fakeAPI) send(w http.ResponseWriter, r *http.Request) {
	chat, err := strconv.ParseInt(r.PostFormValue("chat_id"), 10, 64)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`))
		return
	}
	if wait := f.admit(); wait > 0 {
		f.tooMany.Add(1)
		secs := int(math.Ceil(wait.Seconds()))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, secs, secs)
		return
	}
	if chat >= 1 && chat <= f.recipients {
		f.perChat[chat].Add(1)
		f.bulk.Add(1)
		f.lastBulk.Store(time.Now().UnixNano())
	} else {
		f.replies.Add(1)
	}
	fmt.Fprintf(w, `{"ok":true,"result":{"message_id":1,"date":%d,"chat":{"id":%d,"type":"private"},"text":"ok"}}`, time.Now().Unix(), chat)
}

// admit takes a token, or says how long until one would be free.
func (f *fakeAPI) admit() time.Duration {
	if f.limit == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	res := f.limit.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// tally is who got how much: distinct recipients reached and duplicates.
func (f *fakeAPI) tally() (reached, duplicates int64) {
	for i := int64(1); i <= f.recipients; i++ {
		if n := int64(f.perChat[i].Load()); n > 0 {
			reached++
			duplicates += n - 1
		}
	}
	return reached, duplicates
}
