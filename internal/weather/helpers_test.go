package weather

import (
	"github.com/gubkin-news/newsbot/internal/testkit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// bundle loads only this feature's locale files, so a half-written locale of
// another feature cannot break these tests.
func bundle(t *testing.T) *i18n.Bundle { return testkit.Bundle(t, "weather") }

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fakeMeteo is an Open-Meteo stand-in on loopback that counts requests and
// answers whatever the test set last.
type fakeMeteo struct {
	*httptest.Server
	requests atomic.Int64
	mu       sync.Mutex
	status   int
	body     []byte
	lastURL  string
}

func newFakeMeteo(t *testing.T, body []byte) *fakeMeteo {
	t.Helper()
	f := &fakeMeteo{status: http.StatusOK, body: body}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.mu.Lock()
		status, body := f.status, f.body
		f.lastURL = r.URL.String()
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeMeteo) answer(status int, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

// clock is the shared test clock.
type clock = testkit.Clock

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var msk = time.FixedZone("MSK", 3*3600)
