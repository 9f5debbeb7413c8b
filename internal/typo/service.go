package typo

import (
	"context"
	"errors"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Sender is what reports need of the bot's sender: one message out (or an
// edit when EditID is set). The sender handles 429s and migrations; a
// migrated chat comes back in Result.ChatID.
type Sender interface {
	Send(ctx context.Context, m telegram.Message) (telegram.Result, error)
}

// Timing of the editors' queue.
const (
	NotifyTimeout   = 20 * time.Second // one send to the editors' chat
	notifyLease     = 2 * time.Minute  // a claimed report is left alone this long
	retryFirst      = 30 * time.Second
	retryMax        = 30 * time.Minute
	retryBatch      = 50
	editsBeforeSend = 3 // failed edits before a status goes out as a new message
)

// Config is what the service needs from the configuration.
type Config struct {
	EditorsChatID   int64 // EDITORS_CHAT_ID; 0: reports are only stored and listed
	EditorsThreadID int   // EDITORS_THREAD_ID (forum topic)
	Lang            string
	Loc             *time.Location
	Now             func() time.Time // nil: time.Now
	Log             *slog.Logger     // nil: slog.Default()
}

// Service stores reports and keeps the editors' chat in step with them.
// It is safe for concurrent use and across copies sharing one Redis.
type Service struct {
	Renderer
	repo  repo
	send  Sender
	cfg   Config
	limit *redis_rate.Limiter
	chat  atomic.Int64 // the editors' chat, after a migration the new id
}

// New builds the service.
func New(st *store.Store, send Sender, texts *i18n.Bundle, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Lang == "" {
		cfg.Lang = texts.Default()
	}
	s := &Service{Renderer: Renderer{Texts: texts, Lang: cfg.Lang, Loc: cfg.Loc},
		repo: repo{st}, send: send, cfg: cfg, limit: redis_rate.NewLimiter(st.R)}
	s.chat.Store(cfg.EditorsChatID)
	if cfg.EditorsChatID == 0 {
		cfg.Log.Warn("typo: EDITORS_CHAT_ID is not set; reports are stored and shown by /reports only")
	}
	return s
}

// Submit stores a report and then brings it to the editors' chat. A
// failed send is not an error: the report waits in the queue for
// RetryPending. Limits are the caller's (SubmitTelegram, the site handler).
func (s *Service) Submit(ctx context.Context, r Report) (Report, error) {
	return s.submit(ctx, r, "", 0)
}

// submit with an optional duplicate key held for dupTTL.
func (s *Service) submit(ctx context.Context, r Report, dupKey string, dupTTL time.Duration) (Report, error) {
	r, err := normalize(r)
	if err != nil {
		return r, err
	}
	if r.ID, err = s.repo.nextID(ctx); err != nil {
		return r, err
	}
	if dupKey != "" {
		if err := s.holdDuplicate(ctx, dupKey, r.ID, dupTTL); err != nil {
			return r, err
		}
	}
	now := s.cfg.Now()
	r.Created, r.Status, r.MessageID, r.Attempts = now, StatusOpen, 0, 0
	var claim time.Time
	if s.chat.Load() != 0 {
		claim = now.Add(notifyLease) // ours to send right now
	}
	if err := s.repo.insert(ctx, r, claim); err != nil {
		s.releaseDuplicate(ctx, dupKey)
		return r, err
	}
	metrics.TypoReports.WithLabelValues(string(r.Source), string(StatusOpen)).Inc()
	if claim.IsZero() {
		s.cfg.Log.Warn("typo: report stored; no EDITORS_CHAT_ID to send it to", "id", r.ID)
		return r, nil
	}
	return s.deliver(ctx, r, claim), nil
}

// Get reads one report.
func (s *Service) Get(ctx context.Context, id int64) (Report, error) { return s.repo.get(ctx, id) }

// Open lists up to limit (≤ 0: all) open reports, oldest first.
func (s *Service) Open(ctx context.Context, limit int) ([]Report, error) {
	return s.repo.open(ctx, s.cfg.Now(), limit)
}

// CountOpen counts open reports.
func (s *Service) CountOpen(ctx context.Context) (int, error) {
	return s.repo.countOpen(ctx, s.cfg.Now())
}

// CountPending counts reports not yet (or not fully) in the editors' chat.
func (s *Service) CountPending(ctx context.Context) (int, error) { return s.repo.pendingCount(ctx) }

// SetStatus closes an open report as fixed or rejected, edits the editors'
// message and thanks a Telegram reader for a fix. A second press changes
// nothing and says so (changed false); ErrNotFound when it expired.
func (s *Service) SetStatus(ctx context.Context, id int64, st Status, editorID int64, editorName string) (Report, bool, error) {
	if st != StatusFixed && st != StatusRejected {
		return Report{}, false, fmt.Errorf("typo: status %q is not fixed or rejected", st)
	}
	now := s.cfg.Now()
	var claim time.Time
	if s.chat.Load() != 0 {
		claim = now.Add(notifyLease)
	}
	name := firstRunes(clean(editorName), MaxNameRunes)
	changed, err := s.repo.setStatus(ctx, id, st, editorID, name, now, claim)
	if err != nil {
		return Report{}, false, err
	}
	r, err := s.repo.get(ctx, id)
	if err != nil || !changed {
		return r, false, err
	}
	metrics.TypoReports.WithLabelValues(string(r.Source), string(st)).Inc()
	if !claim.IsZero() {
		r = s.deliver(ctx, r, claim)
	}
	if m, ok := s.ThanksMessage(r); ok {
		if _, err := s.send.Send(ctx, m); err != nil {
			s.cfg.Log.Warn("typo: thanks to the reader not sent", "id", id, "chat", m.ChatID, "err", err)
		}
	}
	return r, true, nil
}

// RetryPending sends (or edits) what the editors' chat is missing, for
// reports whose time has come; call it at start and every 30 s. It returns
// how many went out.
func (s *Service) RetryPending(ctx context.Context) (int, error) {
	if s.chat.Load() == 0 {
		return 0, nil
	}
	now := s.cfg.Now()
	ids, err := s.repo.due(ctx, now, retryBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range ids {
		ok, err := s.retryOne(ctx, id, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) retryOne(ctx context.Context, id int64, now time.Time) (bool, error) {
	claim := now.Add(notifyLease)
	if ok, err := s.repo.claim(ctx, id, now, claim); err != nil || !ok {
		return false, err
	}
	r, err := s.repo.get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, s.repo.drop(ctx, id) // expired: nothing left to tell
	}
	if err != nil {
		return false, err
	}
	r = s.deliver(ctx, r, claim)
	return r.Attempts == 0, nil
}

// MoveChat follows a migration of the editors' group (the app calls it
// for every migrated chat; Send results trigger it too).
func (s *Service) MoveChat(ctx context.Context, from, to int64) error {
	if from == 0 || to == 0 || from == to || !s.chat.CompareAndSwap(from, to) {
		return nil
	}
	s.cfg.Log.Warn("typo: the editors' chat migrated; set EDITORS_CHAT_ID to the new id", "from", from, "to", to)
	return s.repo.move(ctx, from, to)
}
