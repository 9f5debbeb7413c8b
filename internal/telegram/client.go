// Package telegram is the Bot API edge: a context-aware client on the
// library's request layer, the poller on getUpdates, the sender with error
// classes, and token redaction.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Client calls Bot API methods through go-telegram-bot-api's request layer,
// with a context per call and the token redacted from every error.
type Client struct {
	api     *tgbotapi.BotAPI
	http    *http.Client
	token   string
	timeout time.Duration
	Self    tgbotapi.User
}

// NewClient connects and calls getMe. A 401 means the token is wrong.
// apiURL is the base ("https://api.telegram.org"); timeout bounds every call
// except getUpdates, whose deadline comes from its context.
func NewClient(ctx context.Context, token, apiURL string, timeout time.Duration) (*Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // every delivery worker keeps its connection (2 would mean a TLS handshake per send)
	hc := &http.Client{Timeout: 0, Transport: tr}
	c := &Client{http: hc, token: token, timeout: timeout}
	endpoint := strings.TrimRight(apiURL, "/") + "/bot%s/%s"
	// NewBotAPIWithClient calls getMe at once, without a context: bound it.
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, ctxDoer{ctx: ctx, c: hc, timeout: timeout})
	if err != nil {
		return nil, c.wrap("getMe", err)
	}
	c.api = api
	c.Self = api.Self
	return c, nil
}

// Username is the bot's @username without the @.
func (c *Client) Username() string { return c.Self.UserName }

// Call makes one Bot API request and returns its result. Without a deadline
// in ctx the client's timeout applies.
func (c *Client) Call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	b := *c.api // a shallow copy carries this call's context in its HTTP client
	d := ctxDoer{ctx: ctx, c: c.http}
	if _, ok := ctx.Deadline(); !ok {
		d.timeout = c.timeout
	}
	b.Client = d
	resp, err := b.MakeRequest(method, params)
	if err != nil {
		return nil, c.wrap(method, err)
	}
	return resp.Result, nil
}

// wrap turns the library's errors into ours, never carrying the token.
func (c *Client) wrap(method string, err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return &APIError{Method: method, Code: te.Code, Description: c.Redact(te.Message),
			RetryAfter: time.Duration(te.RetryAfter) * time.Second, MigrateTo: te.MigrateToChatID}
	}
	return &TransportError{Method: method, msg: c.Redact(err.Error()), timeout: isTimeout(err)}
}

// Redact removes the token from s.
func (c *Client) Redact(s string) string { return Redact(s, c.token) }

// Redact removes token from s (also its URL-escaped form).
func Redact(s, token string) string {
	if token == "" {
		return s
	}
	s = strings.ReplaceAll(s, token, "<token>")
	return strings.ReplaceAll(s, strings.ReplaceAll(token, ":", "%3A"), "<token>")
}

// TransportError is a network failure or an answer that was not the Bot API's JSON.
type TransportError struct {
	Method  string
	msg     string
	timeout bool
}

func (e *TransportError) Error() string { return fmt.Sprintf("telegram: %s: %s", e.Method, e.msg) }

// Timeout tells whether the call ran out of time.
func (e *TransportError) Timeout() bool { return e.timeout }

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ctxDoer gives the library's requests a context (and an optional deadline).
type ctxDoer struct {
	ctx     context.Context
	c       *http.Client
	timeout time.Duration
}

func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := d.ctx
	if d.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		resp, err := d.c.Do(req.WithContext(ctx))
		if err != nil {
			cancel()
			return nil, err
		}
		resp.Body = cancelBody{resp.Body, cancel}
		return resp, nil
	}
	return d.c.Do(req.WithContext(ctx))
}

// cancelBody releases the call's deadline when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
