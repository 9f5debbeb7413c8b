package telegramtest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const clientTimeout = 5 * time.Second

// newBot connects the real library to srv (it calls getMe at once).
func newBot(t *testing.T, srv *Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), &http.Client{Timeout: clientTimeout})
	if err != nil {
		t.Fatalf("connect the bot: %v", err)
	}
	return bot
}

// post sends a raw request and returns the status and body.
func post(t *testing.T, url, contentType, body string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: clientTimeout}
	resp, err := client.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, string(data)
}

func methodURL(srv *Server, method string) string {
	return srv.URL() + "/bot" + srv.Token() + "/" + method
}

// apiError extracts the library's error or fails.
func apiError(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want *tgbotapi.Error", err, err)
	}
	return e
}

// fakeTB records Fatalf instead of stopping, to test the helpers' failures.
type fakeTB struct {
	testing.TB
	failure string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failure = strings.TrimSpace(fmt.Sprintf(format, args...))
}
