package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Limiter paces sends; Wait returns when a message to chatID may go.
type Limiter interface {
	Wait(ctx context.Context, chatID int64) error
}

// ChatEvents hears what sending learns about chats.
type ChatEvents interface {
	ChatGone(ctx context.Context, chatID int64, reason string)
	ChatMigrated(ctx context.Context, from, to int64)
}

// Sender is the one way out for every message: HTML with a plain-text
// fallback, photo with a text fallback, 429 honoured, errors classified.
type Sender struct {
	C           *Client
	Limiter     Limiter    // nil: no pacing
	Events      ChatEvents // nil: nobody hears
	Log         *slog.Logger
	MaxAttempts int  // for Send; default 6
	PaidBulk    bool // add allow_paid_broadcast to messages that ask for it
	Sleep       func(ctx context.Context, d time.Duration) error
}

// Send delivers m, retrying 429s, transient failures and migrations until
// MaxAttempts or ctx ends. A gone chat is reported to Events and returned.
func (s *Sender) Send(ctx context.Context, m Message) (Result, error) {
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = 6
	}
	var err error
	for i := 0; i < attempts; i++ {
		if s.Limiter != nil {
			if err := s.Limiter.Wait(ctx, m.ChatID); err != nil {
				return Result{}, fmt.Errorf("telegram: wait to send to %d: %w", m.ChatID, err)
			}
		}
		var res Result
		start := time.Now()
		res, err = s.SendOnce(ctx, m)
		metrics.SendLatency.WithLabelValues("reply").Observe(time.Since(start).Seconds())
		metrics.Replies.WithLabelValues(Classify(err).String()).Inc()
		wait, retry := s.next(ctx, &m, err, i)
		if !retry {
			return res, err
		}
		if err := s.sleep(ctx, wait); err != nil {
			return Result{}, err
		}
	}
	return Result{}, err
}

// next decides after an attempt: how long to wait and whether to try again.
func (s *Sender) next(ctx context.Context, m *Message, err error, attempt int) (time.Duration, bool) {
	switch Classify(err) {
	case ClassRetryAfter:
		metrics.TooMany.WithLabelValues("reply").Inc()
		s.logf(ctx, "telegram: 429, waiting", m.ChatID, err)
		return RetryAfterOf(err), true
	case ClassTransient:
		s.logf(ctx, "telegram: transient error, backing off", m.ChatID, err)
		return Backoff(attempt), true
	case ClassMigrated:
		to := migrateTo(err)
		if s.Events != nil {
			s.Events.ChatMigrated(ctx, m.ChatID, to)
		}
		m.ChatID = to
		return 0, true
	case ClassChatGone:
		if s.Events != nil {
			s.Events.ChatGone(ctx, m.ChatID, GoneReason(err))
		}
	}
	return 0, false
}

func (s *Sender) logf(ctx context.Context, msg string, chat int64, err error) {
	if s.Log != nil {
		s.Log.WarnContext(ctx, msg, "chat", chat, "err", err)
	}
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return SleepCtx(ctx, d)
}

// SendOnce makes one attempt (plus the plain-text and text-instead-of-photo
// fallbacks, which are answers to the content, not to the network).
func (s *Sender) SendOnce(ctx context.Context, m Message) (Result, error) {
	res, err := s.call(ctx, m)
	switch c := Classify(err); {
	case c == ClassNotModified:
		return Result{MessageID: m.EditID, ChatID: m.ChatID}, nil
	case c == ClassBadEntities:
		m.Text, m.plain = PlainText(m.Text), true
		return s.call(ctx, m)
	case c == ClassBadRequest && m.PhotoURL != "" && m.EditID == 0:
		// a bad or too large photo: the news still goes, as text
		m.PhotoURL = ""
		return s.SendOnce(ctx, m)
	}
	return res, err
}

func (s *Sender) call(ctx context.Context, m Message) (Result, error) {
	method, p := s.params(m)
	raw, err := s.C.Call(ctx, method, p)
	if err != nil {
		return Result{}, err
	}
	var msg struct {
		MessageID int `json:"message_id"`
		Chat      struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	}
	_ = json.Unmarshal(raw, &msg) // edits may answer plain true
	if msg.Chat.ID == 0 {
		msg.Chat.ID = m.ChatID
	}
	if msg.MessageID == 0 {
		msg.MessageID = m.EditID
	}
	return Result{MessageID: msg.MessageID, ChatID: msg.Chat.ID}, nil
}

// params builds the request of m.
func (s *Sender) params(m Message) (string, tgbotapi.Params) {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(m.ChatID, 10)}
	if !m.plain {
		p["parse_mode"] = "HTML"
	}
	if len(m.Keyboard) > 0 {
		kb, _ := json.Marshal(map[string]any{"inline_keyboard": m.Keyboard})
		p["reply_markup"] = string(kb)
	}
	method := "sendMessage"
	text := "text"
	switch {
	case m.EditID != 0 && m.PhotoURL != "":
		method, text = "editMessageCaption", "caption"
	case m.EditID != 0:
		method = "editMessageText"
	case m.PhotoURL != "":
		method, text = "sendPhoto", "caption"
		p["photo"] = m.PhotoURL
	}
	limit := 4096
	if text == "caption" {
		limit = 1024
	}
	p[text] = m.Text
	if UTF16Len(PlainText(m.Text)) > limit {
		p[text] = Truncate(PlainText(m.Text), limit)
		delete(p, "parse_mode")
	}
	s.addOptions(p, m, method)
	return method, p
}

func (s *Sender) addOptions(p tgbotapi.Params, m Message, method string) {
	if m.EditID != 0 {
		p["message_id"] = strconv.Itoa(m.EditID)
	}
	if m.NoPreview && method != "sendPhoto" && method != "editMessageCaption" {
		p["link_preview_options"] = `{"is_disabled":true}`
		p["disable_web_page_preview"] = "true"
	}
	if m.ThreadID != 0 && m.EditID == 0 {
		p["message_thread_id"] = strconv.Itoa(m.ThreadID)
	}
	if m.ReplyTo != 0 && m.EditID == 0 {
		p["reply_parameters"] = fmt.Sprintf(`{"message_id":%d,"allow_sending_without_reply":true}`, m.ReplyTo)
	}
	if m.PaidBroadcast && s.PaidBulk && m.EditID == 0 {
		p["allow_paid_broadcast"] = "true"
	}
}

func migrateTo(err error) int64 {
	if ae, ok := err.(*APIError); ok {
		return ae.MigrateTo
	}
	return 0
}

// Backoff is exponential with full jitter: up to 0.5 s × 2^attempt, at most 30 s.
func Backoff(attempt int) time.Duration {
	max := 500 * time.Millisecond << min(attempt, 6)
	if max > 30*time.Second {
		max = 30 * time.Second
	}
	return max/2 + rand.N(max/2)
}

// SleepCtx waits d or until ctx ends.
func SleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
