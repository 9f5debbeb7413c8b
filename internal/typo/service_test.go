package typo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

func TestSubmitStoresThenSendsToEditorsWithButtons(t *testing.T) {
	f := newFixture(t, editorsChat)
	var storedFirst bool
	f.send.onSend = func(m telegram.Message) {
		// Runs inside Send: the report must already be in Redis.
		n, _ := f.st.R.Exists(context.Background(), f.svc.repo.reportKey(1)).Result()
		storedFirst = n == 1
	}
	r := submit(t, f, telegramReport("шкалу"))
	if !storedFirst {
		t.Fatal("the report was sent before it was stored")
	}
	sent := f.send.messages()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent))
	}
	m := sent[0]
	if m.ChatID != editorsChat || m.ThreadID != editorsThread || m.EditID != 0 {
		t.Errorf("sent to chat %d thread %d edit %d", m.ChatID, m.ThreadID, m.EditID)
	}
	mustContain(t, "editors' text", m.Text,
		"Опечатка №1", "Telegram", `<a href="https://gubkin.example/news/42">Школа №1 открылась</a>`,
		"«…В городе открыли <b><u>шкалу</u></b> после ремонта.…»", "должно быть «школу»",
		"Иван Петров", "@ivan", "id 321", "05.03.2026 14:32")
	want := telegram.Keyboard{{{Text: "✅ Исправлено", Data: "typo:fix:1"}, {Text: "✖ Отклонить", Data: "typo:rej:1"}}}
	if len(m.Keyboard) != 1 || len(m.Keyboard[0]) != 2 || m.Keyboard[0][0] != want[0][0] || m.Keyboard[0][1] != want[0][1] {
		t.Errorf("keyboard = %+v, want %+v", m.Keyboard, want)
	}
	got := get(t, f, r.ID)
	if got.MessageID != 101 || got.EditorsChatID != editorsChat || got.Status != StatusOpen || got.Fragment != "шкалу" {
		t.Errorf("stored %+v", got)
	}
	if n, _ := f.svc.CountPending(context.Background()); n != 0 {
		t.Errorf("%d reports still wait for the editors' chat", n)
	}
}

func TestReportIsKeptNinetyDays(t *testing.T) {
	f := newFixture(t, editorsChat)
	r := submit(t, f, telegramReport("шкалу"))
	ttl, err := f.st.R.TTL(context.Background(), f.svc.repo.reportKey(r.ID)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < Retention-time.Minute || ttl > Retention {
		t.Fatalf("TTL = %s, want %s", ttl, Retention)
	}
}

func TestEditorsChatDownThenBackNothingLostSentOnce(t *testing.T) {
	f := newFixture(t, editorsChat)
	f.send.failFirst = 3
	ctx := context.Background()
	r := submit(t, f, telegramReport("шкалу")) // attempt 1 fails
	if r.MessageID != 0 || r.Attempts != 1 {
		t.Fatalf("after a failed send: %+v", r)
	}
	if n, _ := f.svc.RetryPending(ctx); n != 0 || f.send.calls != 1 {
		t.Fatalf("retried before its time: sent %d, calls %d", n, f.send.calls)
	}
	for i, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		f.clock.Add(wait)
		n, err := f.svc.RetryPending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if wantSent := i == 2; (n == 1) != wantSent {
			t.Fatalf("retry %d after %s: sent %d", i+2, wait, n)
		}
	}
	f.clock.Add(time.Hour)
	if n, _ := f.svc.RetryPending(ctx); n != 0 {
		t.Fatalf("sent again after success: %d", n)
	}
	if got := f.send.messages(); len(got) != 1 || f.send.calls != 4 {
		t.Fatalf("delivered %d messages in %d calls, want 1 in 4", len(got), f.send.calls)
	}
	if got := get(t, f, r.ID); got.MessageID != 101 || got.Attempts != 0 {
		t.Fatalf("after recovery: message %d, attempts %d", got.MessageID, got.Attempts)
	}
}

func TestBackoffGrowsToACap(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 30 * time.Minute, 50: 30 * time.Minute} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestTwoCopiesRetryingAtOnceSendOnce(t *testing.T) {
	a := newFixture(t, editorsChat)
	a.send.failFirst = 1
	submit(t, a, telegramReport("шкалу"))
	b := newFixtureOn(t, a.st, editorsChat, a.send) // a second copy on the same Redis
	a.clock.Add(time.Minute)
	b.clock.Add(time.Minute)
	var wg sync.WaitGroup
	for _, f := range []*fixture{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.svc.RetryPending(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := a.send.messages(); len(got) != 1 {
		t.Fatalf("sent %d times, want once", len(got))
	}
}

func TestAClaimHoldsOffOthersUntilItsLeaseEnds(t *testing.T) {
	f := newFixture(t, editorsChat)
	f.send.failFirst = 1
	r := submit(t, f, telegramReport("шкалу"))
	ctx, now := context.Background(), f.clock.Now().Add(time.Hour)
	if ok, err := f.svc.repo.claim(ctx, r.ID, now, now.Add(notifyLease)); !ok || err != nil {
		t.Fatalf("first claim: %v, %v", ok, err)
	}
	if ok, _ := f.svc.repo.claim(ctx, r.ID, now, now.Add(notifyLease)); ok {
		t.Fatal("a second copy claimed a report already claimed")
	}
	// The first copy died mid-send: after the lease the report comes back.
	f.clock.Add(time.Hour + notifyLease)
	if n, err := f.svc.RetryPending(ctx); n != 1 || err != nil {
		t.Fatalf("after the lease: sent %d, %v", n, err)
	}
}

func TestNoEditorsChatStoresAndListsOnly(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	r := submit(t, f, telegramReport("шкалу"))
	if n, _ := f.svc.RetryPending(ctx); n != 0 || f.send.calls != 0 {
		t.Fatalf("sent without an editors' chat: %d calls", f.send.calls)
	}
	open, err := f.svc.Open(ctx, 10)
	if err != nil || len(open) != 1 || open[0].ID != r.ID {
		t.Fatalf("Open = %+v, %v", open, err)
	}
	mustContain(t, "log", f.log.String(), "EDITORS_CHAT_ID")
}

func TestMigratedEditorsChatIsFollowed(t *testing.T) {
	f := newFixture(t, editorsChat)
	const moved = int64(-1009999999999)
	f.send.migrateTo = moved
	r := submit(t, f, telegramReport("шкалу"))
	if got := get(t, f, r.ID); got.EditorsChatID != moved {
		t.Fatalf("editors' chat stored as %d, want %d", got.EditorsChatID, moved)
	}
	f.send.migrateTo = 0
	// A new copy of the bot, still configured with the old id, follows too.
	g := newFixtureOn(t, f.st, editorsChat, f.send)
	submit(t, g, telegramReport("другое"))
	if sent := f.send.messages(); sent[len(sent)-1].ChatID != moved {
		t.Fatalf("next report went to %d, want %d", sent[len(sent)-1].ChatID, moved)
	}
}

func TestFixEditsTheMessageAndThanksTheReader(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	r := submit(t, f, telegramReport("шкалу"))
	got, changed, err := f.svc.SetStatus(ctx, r.ID, StatusFixed, 9, "Мария <Ред>")
	if err != nil || !changed {
		t.Fatalf("SetStatus = %v, %v", changed, err)
	}
	if got.Status != StatusFixed || got.StatusBy != 9 || got.StatusByName != "Мария <Ред>" {
		t.Errorf("report after fix: %+v", got)
	}
	sent := f.send.messages()
	if len(sent) != 3 {
		t.Fatalf("sent %d messages, want report, edit, thanks", len(sent))
	}
	edit, thanks := sent[1], sent[2]
	if edit.EditID != r.MessageID || edit.ChatID != editorsChat || len(edit.Keyboard) != 0 {
		t.Errorf("edit = %+v", edit)
	}
	mustContain(t, "edited text", edit.Text, "<b><u>шкалу</u></b>", "✅ Исправлено — Мария &lt;Ред&gt;, 14:32")
	if thanks.ChatID != 321 || thanks.Text != "Thank you! The typo has been fixed: «шкалу»" {
		t.Errorf("thanks = %+v", thanks)
	}
	if n, _ := f.svc.CountOpen(ctx); n != 0 {
		t.Errorf("%d open after the fix", n)
	}
}

func TestRejectEditsAndThanksNobody(t *testing.T) {
	f := newFixture(t, editorsChat)
	r := submit(t, f, telegramReport("шкалу"))
	f.clock.Add(26 * time.Hour)
	if _, changed, err := f.svc.SetStatus(context.Background(), r.ID, StatusRejected, 9, "Мария"); err != nil || !changed {
		t.Fatalf("SetStatus = %v, %v", changed, err)
	}
	sent := f.send.messages()
	if len(sent) != 2 {
		t.Fatalf("sent %d messages, want report and edit only", len(sent))
	}
	mustContain(t, "edited text", sent[1].Text, "✖ Отклонено — Мария, 06.03.2026 16:32")
}

func TestSecondPressChangesNothing(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	r := submit(t, f, telegramReport("шкалу"))
	if _, _, err := f.svc.SetStatus(ctx, r.ID, StatusFixed, 9, "Мария"); err != nil {
		t.Fatal(err)
	}
	before := len(f.send.messages())
	for _, st := range []Status{StatusFixed, StatusRejected} {
		got, changed, err := f.svc.SetStatus(ctx, r.ID, st, 10, "Пётр")
		if err != nil || changed {
			t.Fatalf("second press (%s): changed %v, err %v", st, changed, err)
		}
		if got.Status != StatusFixed || got.StatusByName != "Мария" {
			t.Errorf("second press rewrote the report: %+v", got)
		}
		if msg := f.svc.CallbackAnswer("ru", got, changed); msg != "Уже отмечено раньше: исправлено." {
			t.Errorf("answer = %q", msg)
		}
	}
	if len(f.send.messages()) != before {
		t.Fatal("a second press sent something")
	}
}

func TestSetStatusOfUnknownReport(t *testing.T) {
	f := newFixture(t, editorsChat)
	_, _, err := f.svc.SetStatus(context.Background(), 404, StatusFixed, 9, "Мария")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if _, _, err := f.svc.SetStatus(context.Background(), 1, StatusOpen, 9, "Мария"); err == nil {
		t.Fatal("reopening was accepted")
	}
}

func TestFailedEditIsRetriedThenSentAnew(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	r := submit(t, f, telegramReport("шкалу"))
	f.send.failFirst = f.send.calls + editsBeforeSend // the edits fail
	if _, _, err := f.svc.SetStatus(ctx, r.ID, StatusRejected, 9, "Мария"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10 && len(f.send.messages()) < 2; i++ {
		f.clock.Add(retryMax)
		if _, err := f.svc.RetryPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sent := f.send.messages()
	if len(sent) != 2 || sent[1].EditID != 0 || len(sent[1].Keyboard) != 0 {
		t.Fatalf("after %d failed edits: %+v", editsBeforeSend, sent)
	}
	mustContain(t, "new message", sent[1].Text, "✖ Отклонено")
	if got := get(t, f, r.ID); got.MessageID != 102 {
		t.Errorf("message id = %d, want the new message 102", got.MessageID)
	}
}

func TestOpenListsOldestFirstUpToLimit(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	for _, frag := range []string{"один", "два", "три"} {
		submit(t, f, telegramReport(frag))
		f.clock.Add(time.Minute)
	}
	if _, _, err := f.svc.SetStatus(ctx, 1, StatusFixed, 9, "Мария"); err != nil {
		t.Fatal(err)
	}
	open, err := f.svc.Open(ctx, 1)
	if err != nil || len(open) != 1 || open[0].Fragment != "два" {
		t.Fatalf("Open(1) = %+v, %v", open, err)
	}
	if n, err := f.svc.CountOpen(ctx); n != 2 || err != nil {
		t.Fatalf("CountOpen = %d, %v", n, err)
	}
	f.clock.Add(Retention + time.Hour) // every report expired
	if n, _ := f.svc.CountOpen(ctx); n != 0 {
		t.Fatalf("CountOpen after retention = %d", n)
	}
}
