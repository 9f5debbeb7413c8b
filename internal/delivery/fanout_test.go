package delivery_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// queued reads the stream: chat → entries (with their reasons).
func queued(t *testing.T, st *store.Store) map[int64][]string {
	t.Helper()
	msgs, err := st.R.XRange(context.Background(), st.K("{deliveries}"), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]string{}
	for _, m := range msgs {
		chat, _ := strconv.ParseInt(m.Values["c"].(string), 10, 64)
		reason, _ := m.Values["r"].(string)
		out[chat] = append(out[chat], reason)
	}
	return out
}

func TestFanoutQueuesEachFollowerOnceAndExtraWithReason(t *testing.T) {
	h := newHarness(t)
	h.follow("sport", 1, 2, 3)
	h.follow("city", 3, 4)
	h.follow("culture", 6) // not this article's section
	h.chats(5)
	e := h.engine("c1", nil)
	a := news.Article{ID: "a1", Title: "Матч", URL: "https://gubkin.example/a1"}
	extra := map[int64]string{4: "упомянута: стадион", 5: "упомянута: стадион"}

	if n := h.enqueue(e, a, []string{"sport", "city"}, extra); n != 5 {
		t.Fatalf("first Enqueue added %d deliveries, want 5", n)
	}
	if n := h.enqueue(e, a, []string{"sport", "city"}, extra); n != 0 {
		t.Fatalf("second Enqueue added %d deliveries, want 0", n)
	}
	got := queued(t, h.st)
	want := map[int64][]string{1: {""}, 2: {""}, 3: {""}, 4: {""}, 5: {"упомянута: стадион"}}
	if len(got) != len(want) {
		t.Fatalf("queued for %v, want %v", got, want)
	}
	for chat, reasons := range want {
		if len(got[chat]) != 1 || got[chat][0] != reasons[0] {
			t.Errorf("chat %d: queued %q, want %q", chat, got[chat], reasons)
		}
	}

	h.run(e)
	h.waitSettled(e)
	for chat, n := range h.received(1, 2, 3, 4, 5, 6) {
		if want := map[bool]int{true: 1, false: 0}[chat != 6]; n != want {
			t.Errorf("chat %d received %d messages, want %d", chat, n, want)
		}
	}
	if texts := h.tg.Texts(5); len(texts) != 1 || texts[0] != "Статья a1 (упомянута: стадион)" {
		t.Errorf("chat 5 got %q", texts)
	}
}

// dieAfter fails every script once n scripts have succeeded: the process
// "dies" in the middle of a fan-out.
type dieAfter struct {
	n, done atomic.Int64
}

func (d *dieAfter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (d *dieAfter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (d *dieAfter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		script := cmd.Name() == "evalsha" || cmd.Name() == "eval"
		if script && d.done.Load() >= d.n.Load() {
			return errors.New("killed")
		}
		err := next(ctx, cmd)
		if script && err == nil {
			d.done.Add(1)
		}
		return err
	}
}

func TestEnqueueAfterACrashMidwayAddsOnlyTheMissing(t *testing.T) {
	h := newHarness(t)
	followers := span(1, 1300)
	h.follow("city", followers...)
	a := news.Article{ID: "a2", Title: "Ремонт дорог", URL: "https://gubkin.example/a2"}

	opts, err := redis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	dying := redis.NewClient(opts)
	defer dying.Close()
	hook := &dieAfter{}
	hook.n.Store(1)
	dying.AddHook(hook)
	crashing := h.engine("c1", func(_ *delivery.Config, d *delivery.Deps) { d.Store = store.New(dying, h.st.Prefix) })

	first, err := crashing.Enqueue(context.Background(), a, []string{"city"}, nil)
	if err == nil || first == 0 || first >= len(followers) {
		t.Fatalf("the dying fan-out added %d and returned %v; want a part and an error", first, err)
	}
	second := h.enqueue(h.engine("c1", nil), a, []string{"city"}, nil)
	if first+second != len(followers) {
		t.Fatalf("fan-outs added %d + %d, want %d in all", first, second, len(followers))
	}
	got := queued(t, h.st)
	for _, c := range followers {
		if len(got[c]) != 1 {
			t.Fatalf("chat %d queued %d times, want once", c, len(got[c]))
		}
	}
}

func TestBroadcastReachesEveryActiveChatOnceInItsLanguage(t *testing.T) {
	h := newHarness(t)
	h.chats(1, 2, 3, 4)
	ctx := context.Background()
	if err := (store.Chats{S: h.st}).SetLang(ctx, 2, "en"); err != nil {
		t.Fatal(err)
	}
	if err := (store.Chats{S: h.st}).Deactivate(ctx, 4, "blocked"); err != nil {
		t.Fatal(err)
	}
	e := h.engine("c1", nil)
	p := delivery.Payload{Default: telegram.Message{Text: "Редакция: завтра нет газеты"},
		Lang: map[string]telegram.Message{"en": {Text: "Editors: no paper tomorrow"}}}
	for i, want := range []int{3, 0} {
		n, err := e.EnqueueMessage(ctx, delivery.KindBroadcast, "b1", p, e.ActiveChats())
		if err != nil || n != want {
			t.Fatalf("EnqueueMessage #%d = %d, %v; want %d", i+1, n, err, want)
		}
	}
	h.run(e)
	h.waitSettled(e)
	for chat, want := range map[int64]string{1: "Редакция: завтра нет газеты", 2: "Editors: no paper tomorrow", 3: "Редакция: завтра нет газеты"} {
		if got := h.tg.Texts(chat); len(got) != 1 || got[0] != want {
			t.Errorf("chat %d got %q, want [%q]", chat, got, want)
		}
	}
	if got := h.tg.Texts(4); len(got) != 0 {
		t.Errorf("inactive chat 4 got %q", got)
	}
}
