package telegramtest

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// poll calls getUpdates the way the bot does and returns the raw updates.
func pollUpdates(t *testing.T, bot *tgbotapi.BotAPI, offset int64, limit, timeout int) []json.RawMessage {
	t.Helper()
	params := tgbotapi.Params{"offset": strconv.FormatInt(offset, 10), "timeout": strconv.Itoa(timeout),
		"allowed_updates": `["message","callback_query"]`}
	if limit > 0 {
		params["limit"] = strconv.Itoa(limit)
	}
	resp, err := bot.MakeRequest("getUpdates", params)
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(resp.Result, &list); err != nil {
		t.Fatalf("decode %s: %v", resp.Result, err)
	}
	return list
}

func updateID(t *testing.T, raw json.RawMessage) int64 {
	t.Helper()
	var u struct {
		UpdateID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return u.UpdateID
}

func TestUpdatesAreConfirmedByOffset(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	first := srv.AddUpdate(TextMessage(1, 1, "раз"))
	second := srv.AddUpdate(TextMessage(1, 1, "два"))
	srv.AddUpdate(TextMessage(1, 1, "три"))
	if second != first+1 {
		t.Fatalf("ids: got %d then %d, want increasing by one", first, second)
	}
	if got := pollUpdates(t, bot, 0, 0, 0); len(got) != 3 || srv.Pending() != 3 {
		t.Fatalf("offset 0: got %d updates, %d pending; want 3 and 3", len(got), srv.Pending())
	}
	if got := pollUpdates(t, bot, 0, 1, 0); len(got) != 1 || updateID(t, got[0]) != first {
		t.Fatalf("limit 1: got %d updates", len(got))
	}
	if got := pollUpdates(t, bot, first+1, 0, 0); len(got) != 2 || updateID(t, got[0]) != second {
		t.Fatalf("offset %d: got %d updates", first+1, len(got))
	}
	if srv.Confirmed() != first+1 || srv.Pending() != 2 {
		t.Fatalf("Confirmed %d Pending %d, want %d and 2", srv.Confirmed(), srv.Pending(), first+1)
	}
	// A bot restarted with offset 0 must not see the confirmed update again.
	if got := pollUpdates(t, bot, 0, 0, 0); len(got) != 2 || updateID(t, got[0]) != second {
		t.Fatalf("after confirmation: got %d updates, first %s", len(got), got[0])
	}
	if p := srv.Calls("getUpdates")[0].Params["allowed_updates"]; p != `["message","callback_query"]` {
		t.Fatalf("allowed_updates recorded as %q", p)
	}
}

func TestLongPollWakesOnAddUpdate(t *testing.T) {
	const pollCap = 20 * time.Second // far longer than the test waits
	srv := New(t, WithLongPollCap(pollCap))
	bot := newBot(t, srv)
	got := make(chan int, 1)
	go func() {
		resp, err := bot.MakeRequest("getUpdates", tgbotapi.Params{"timeout": "30"})
		var list []json.RawMessage
		if err == nil {
			err = json.Unmarshal(resp.Result, &list)
		}
		if err != nil {
			list = nil
		}
		got <- len(list)
	}()
	srv.WaitFor(t, clientTimeout, func() bool { return len(srv.Calls("getUpdates")) == 1 }, "the long poll")
	srv.AddUpdate(TextMessage(1, 1, "/start"))
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("long poll returned %d updates, want 1", n)
		}
	case <-time.After(clientTimeout - time.Second):
		t.Fatalf("long poll did not wake on AddUpdate")
	}
}

func TestLongPollIsCapped(t *testing.T) {
	srv := New(t, WithLongPollCap(20*time.Millisecond))
	bot := newBot(t, srv)
	start := time.Now()
	if got := pollUpdates(t, bot, 0, 0, 50); len(got) != 0 {
		t.Fatalf("got %d updates from an empty queue", len(got))
	}
	if took := time.Since(start); took > clientTimeout/2 {
		t.Fatalf("a capped long poll took %v", took)
	}
}

func TestRawUpdateComesBackByteForByte(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	const raw = `{"update_id": 7,   "message": "oops"}`
	if id := srv.AddRawUpdate(raw); id != 7 {
		t.Fatalf("AddRawUpdate id: got %d, want 7", id)
	}
	resp, err := bot.MakeRequest("getUpdates", tgbotapi.Params{"offset": "0"})
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	if got := string(resp.Result); got != "["+raw+"]" {
		t.Fatalf("result: got %s, want [%s]", got, raw)
	}
	if next := srv.AddUpdate(TextMessage(1, 1, "дальше")); next != 8 {
		t.Fatalf("id after a raw update 7: got %d, want 8", next)
	}
}

func TestAddRawUpdateWithoutIDFailsTheTest(t *testing.T) {
	srv := New(t)
	fake := &fakeTB{TB: t}
	srv.tb = fake
	srv.AddRawUpdate(`{"message": {}}`)
	if fake.failure == "" || srv.Pending() != 0 {
		t.Fatalf("an update without update_id was accepted (failure %q, pending %d)", fake.failure, srv.Pending())
	}
}
