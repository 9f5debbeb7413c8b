package typo

import (
	"context"
	"time"
)

// deliver brings the editors' chat in step with r under the claim made
// for it: a new message while there is none, else an edit. On failure the
// report goes back to the queue with backoff; nothing is lost.
func (s *Service) deliver(ctx context.Context, r Report, claim time.Time) Report {
	// The reader's request may end first; the send must not end with it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), NotifyTimeout)
	defer cancel()
	if r.MessageID != 0 && r.Attempts >= editsBeforeSend {
		r.MessageID = 0 // the old message will not take an edit: tell afresh
	}
	chat := s.target(ctx, r)
	res, err := s.send.Send(ctx, s.EditorsMessage(r, chat, s.cfg.EditorsThreadID))
	if err != nil {
		return s.failed(ctx, r, claim, err)
	}
	if res.ChatID != 0 && res.ChatID != chat {
		if err := s.MoveChat(ctx, chat, res.ChatID); err != nil {
			s.cfg.Log.Warn("typo: editors' chat migration not recorded", "err", err)
		}
		chat = res.ChatID
	}
	if res.MessageID != 0 {
		r.MessageID = res.MessageID
	}
	r.EditorsChatID, r.Attempts = chat, 0
	if err := s.repo.ack(ctx, r.ID, claim, chat, r.MessageID); err != nil {
		// Sent but not recorded: the queue will send it again (at least once).
		s.cfg.Log.Error("typo: report sent to the editors but not recorded", "id", r.ID, "err", err)
	}
	return r
}

// target is the chat of the editors' message: where it already is, or the
// editors' chat now, following migrations.
func (s *Service) target(ctx context.Context, r Report) int64 {
	chat := s.chat.Load()
	if r.MessageID != 0 && r.EditorsChatID != 0 {
		chat = r.EditorsChatID
	}
	moved, err := s.repo.movedTo(ctx, chat)
	if err != nil {
		s.cfg.Log.Warn("typo: editors' chat migration not read", "err", err)
		return chat
	}
	if moved != chat {
		s.chat.CompareAndSwap(chat, moved)
	}
	return moved
}

func (s *Service) failed(ctx context.Context, r Report, claim time.Time, sendErr error) Report {
	r.Attempts++
	next := s.cfg.Now().Add(backoff(r.Attempts))
	s.cfg.Log.Warn("typo: editors' chat did not take the report; will retry",
		"id", r.ID, "attempt", r.Attempts, "next", next, "err", sendErr)
	if err := s.repo.fail(ctx, r.ID, claim, next, r.Attempts); err != nil {
		// The claim expires by itself and the report is tried again.
		s.cfg.Log.Error("typo: report not rescheduled", "id", r.ID, "err", err)
	}
	return r
}

// backoff after n failed attempts: 30 s, 1 min, 2 min … up to 30 min.
func backoff(n int) time.Duration {
	d := retryFirst
	for i := 1; i < n && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}
