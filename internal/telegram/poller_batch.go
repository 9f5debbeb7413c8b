package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"runtime/debug"
	"strconv"
	"time"
)

type rawUpdate struct {
	id  int64
	raw json.RawMessage
}

// envelope reads just enough of an update to order and group it, even when
// the rest of it would not decode.
type envelope struct {
	UpdateID int64 `json:"update_id"`
}

// group splits a batch by chat, keeping each chat's order.
func (p *Poller) group(raws []json.RawMessage) (map[string][]rawUpdate, []string) {
	groups := map[string][]rawUpdate{}
	var order []string
	for _, r := range raws {
		var e envelope
		_ = json.Unmarshal(r, &e)
		key := chatKey(r)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], rawUpdate{id: e.UpdateID, raw: r})
	}
	return groups, order
}

func chatKey(r json.RawMessage) string {
	var u Update
	if err := json.Unmarshal(r, &u.Update); err != nil {
		return "undecodable"
	}
	if c := u.chatID(); c != 0 {
		return strconv.FormatInt(c, 10)
	}
	return "other"
}

func (u Update) chatID() int64 {
	for _, m := range []*tgbotapi.Message{u.Message, u.EditedMessage, u.ChannelPost} {
		if m != nil && m.Chat != nil {
			return m.Chat.ID
		}
	}
	if q := u.CallbackQuery; q != nil {
		if q.Message != nil && q.Message.Chat != nil {
			return q.Message.Chat.ID
		}
		if q.From != nil {
			return q.From.ID
		}
	}
	if u.MyChatMember != nil {
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// Complete tells whether the update has what the bot relies on: a chat on
// every message and a sender on every callback. Telegram always sends them;
// an update without is malformed and is skipped like one that does not decode.
func (u Update) Complete() bool {
	for _, m := range []*tgbotapi.Message{u.Message, u.EditedMessage, u.ChannelPost} {
		if m != nil && m.Chat == nil {
			return false
		}
	}
	if q := u.CallbackQuery; q != nil {
		if q.From == nil || q.Message != nil && q.Message.Chat == nil {
			return false
		}
	}
	return true
}

// handleGroup handles one chat's updates in order. It stops at the first
// update whose handled-mark cannot be read or written, and returns its id.
func (p *Poller) handleGroup(ctx context.Context, us []rawUpdate) (int64, bool) {
	for _, u := range us {
		done, err := p.Store.Handled(ctx, u.id)
		if err != nil {
			p.Log.Warn("read handled mark; will fetch the update again", "update_id", u.id, "err", err)
			return u.id, false
		}
		if !done {
			p.handleOne(ctx, u)
			if err := p.markHandled(ctx, u.id); err != nil {
				p.Log.Warn("mark update handled; will fetch it again", "update_id", u.id, "err", err)
				return u.id, false
			}
		}
	}
	return 0, true
}

// handleOne decodes one update alone and handles it; a bad update is logged
// and skipped, a panic is contained.
func (p *Poller) handleOne(ctx context.Context, r rawUpdate) {
	defer func() {
		if v := recover(); v != nil {
			p.Log.Error("panic while handling update", "update_id", r.id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	var u Update
	if err := json.Unmarshal(r.raw, &u.Update); err != nil || !u.Complete() {
		p.Log.Warn("skipping an update that does not decode", "update_id", r.id, "err", err, "bytes", len(r.raw))
		return
	}
	u.Raw = r.raw
	p.Handle(ctx, u)
}

func maxID(raws []json.RawMessage) int64 {
	var max int64
	for _, r := range raws {
		var e envelope
		if json.Unmarshal(r, &e) == nil && e.UpdateID > max {
			max = e.UpdateID
		}
	}
	return max
}

// TopicID is the forum topic of the update's message (0 outside topics);
// the library predates forum topics, so it is read from the raw JSON.
func (u Update) TopicID() int {
	type msg struct {
		ThreadID int  `json:"message_thread_id"`
		IsTopic  bool `json:"is_topic_message"`
	}
	var v struct {
		Message  *msg `json:"message"`
		Callback *struct {
			Message *msg `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(u.Raw, &v) != nil {
		return 0
	}
	m := v.Message
	if m == nil && v.Callback != nil {
		m = v.Callback.Message
	}
	if m == nil || !m.IsTopic {
		return 0
	}
	return m.ThreadID
}

// markPatience is how long a handled update's mark waits for Redis.
const markPatience = time.Minute

// markHandled records a handled update, waiting out a Redis outage: the
// update was answered, and fetching it again would answer it twice. It
// outlives a lost lease or a shutdown (the copy polls again only after it),
// and gives up after markPatience (then this one update may be repeated).
func (p *Poller) markHandled(ctx context.Context, id int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markPatience)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := p.Store.MarkHandled(ctx, id)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if attempt == 0 {
			p.Log.Warn("mark update handled failed; retrying until Redis answers", "update_id", id, "err", err)
		}
		if SleepCtx(ctx, Backoff(min(attempt, 3))) != nil {
			return err
		}
	}
}
