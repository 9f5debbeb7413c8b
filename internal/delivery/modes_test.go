package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

func at(hour, minute int) time.Time { return time.Date(2025, 11, 27, hour, minute, 0, 0, moscow) }

func (h *harness) settings(e *delivery.Engine, chat int64, args string) {
	h.t.Helper()
	c, err := delivery.ParseSettings(args)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := e.ChangeSettings(context.Background(), chat, c); err != nil {
		h.t.Fatal(err)
	}
}

// plainTexts is what chat's members read (markup removed).
func (h *harness) plainTexts(chat int64) []string {
	out := h.tg.Texts(chat)
	for i, t := range out {
		out[i] = telegram.PlainText(t)
	}
	return out
}

func (h *harness) runDue(e *delivery.Engine, t time.Time) int {
	h.t.Helper()
	h.clock.Set(t)
	n, err := e.RunDue(context.Background(), t)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestQuietHoursHoldArticlesThenSendOneSummary(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1, 2)
	e := h.engine("c1", nil)
	h.settings(e, 1, "quiet 23:00-07:00")
	h.runDue(e, at(22, 0).Add(-time.Hour)) // the cron has been running
	h.clock.Set(at(23, 30))
	h.run(e)
	for _, a := range []string{"a1", "a2", "a3"} {
		h.enqueue(e, article(a), []string{"city"}, nil)
	}
	h.waitSettled(e)
	if got := h.received(1, 2); got[1] != 0 || got[2] != 3 {
		t.Fatalf("during quiet hours chat 1 got %d (want 0), chat 2 got %d (want 3)", got[1], got[2])
	}

	for _, minute := range []time.Time{at(6, 59).Add(24 * time.Hour), at(7, 0).Add(24 * time.Hour)} {
		h.runDue(e, minute)
	}
	h.waitSettled(e)
	texts := h.plainTexts(1)
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "🌙 Пока вы отдыхали — 3 новости") {
		t.Fatalf("after quiet hours chat 1 got %q, want one summary of 3", texts)
	}
	for _, title := range []string{"Новость a1", "Новость a2", "Новость a3"} {
		if !strings.Contains(texts[0], title) {
			t.Errorf("the summary lacks %q: %q", title, texts[0])
		}
	}
	if n := h.runDue(e, at(7, 1).Add(24*time.Hour)); n != 0 {
		t.Fatalf("RunDue queued %d more after the summary", n)
	}
}

func TestBreakingArticleGoesThroughQuietHoursAndDigest(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1, 2)
	h.follow("srochno", 1, 2)
	e := h.engine("c1", func(_ *delivery.Config, d *delivery.Deps) {
		d.IsBreaking = delivery.BreakingSections([]string{"Срочно"})
	})
	h.settings(e, 1, "quiet 23:00-07:00")
	h.settings(e, 2, "digest 19:00")
	h.clock.Set(at(23, 30))
	h.run(e)
	h.enqueue(e, article("calm"), []string{"city"}, nil)
	flagged := article("fire")
	flagged.Breaking = true
	h.enqueue(e, flagged, []string{"city"}, nil)
	h.enqueue(e, article("storm"), []string{"srochno"}, nil)
	h.waitSettled(e)
	for _, chat := range []int64{1, 2} {
		if got := h.tg.Texts(chat); len(got) != 2 || got[0] == "Статья calm" || got[1] == "Статья calm" {
			t.Errorf("chat %d got %q, want the two breaking articles only", chat, got)
		}
	}
}

func TestDigestIsSentOnceAtTheChosenMinute(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1)
	h.chats(2)
	if err := h.st.R.HSet(context.Background(), h.st.K("chat", "1"), "lang", "ru").Err(); err != nil {
		t.Fatal(err)
	}
	e := h.engine("c1", nil)
	h.settings(e, 1, "digest 19:00")
	h.clock.Set(at(10, 0))
	h.run(e)
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.enqueue(e, article("a2"), []string{"city"}, map[int64]string{2: "упомянута: сквер"})
	h.waitSettled(e)
	if got := h.received(1, 2); got[1] != 0 || got[2] != 1 {
		t.Fatalf("before the digest: %v, want chat 1 nothing, chat 2 its instant article", got)
	}

	queued := 0
	for _, minute := range []time.Time{at(18, 58), at(18, 59), at(19, 0), at(19, 0), at(19, 1), at(19, 2)} {
		queued += h.runDue(e, minute)
	}
	h.waitSettled(e)
	texts := h.plainTexts(1)
	if queued != 1 || len(texts) != 1 || !strings.HasPrefix(texts[0], "📰 За день — 2 новости") {
		t.Fatalf("RunDue queued %d; chat 1 got %q; want one digest of 2", queued, texts)
	}
	// Both, numbered; their order is the order workers collected them in,
	// which two concurrent workers do not fix.
	if !strings.Contains(texts[0], "Новость a1") || !strings.Contains(texts[0], "Новость a2") || !strings.Contains(texts[0], "2. ") {
		t.Errorf("digest %q does not list a1 and a2", texts[0])
	}
}

func TestLeavingDigestModeSendsWhatWasCollected(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1)
	e := h.engine("c1", nil)
	h.settings(e, 1, "digest 19:00")
	h.run(e)
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.waitSettled(e)
	h.settings(e, 1, "instant")
	h.waitSettled(e)
	if texts := h.plainTexts(1); len(texts) != 1 || !strings.HasPrefix(texts[0], "📰 За день — 1 новость") {
		t.Fatalf("chat 1 got %q, want the collected digest at once", texts)
	}
	if n := h.runDue(e, at(19, 0)); n != 0 {
		t.Fatalf("RunDue queued %d digests for a chat no longer in digest mode", n)
	}
}

func TestSettingsAreSavedAndDescribed(t *testing.T) {
	h := newHarness(t)
	h.chats(1)
	e := h.engine("c1", nil)
	ctx := context.Background()
	h.settings(e, 1, "digest 8:30")
	h.settings(e, 1, "quiet 22:00-06:00")
	s, err := e.Settings(ctx, 1)
	if err != nil || s.Mode != delivery.ModeDigest || s.DigestAt.String() != "08:30" || s.Quiet == nil || s.Quiet.String() != "22:00-06:00" {
		t.Fatalf("settings %+v, %v", s, err)
	}
	text := s.Text(h.texts, "ru")
	for _, want := range []string{"в 08:30", "22:00–06:00", "/settings instant"} {
		if !strings.Contains(text, want) {
			t.Errorf("description %q lacks %q", text, want)
		}
	}
	h.settings(e, 1, "quiet off")
	if s, _ := e.Settings(ctx, 1); s.Quiet != nil || s.Mode != delivery.ModeDigest {
		t.Fatalf("after quiet off: %+v", s)
	}
}

func TestParseSettings(t *testing.T) {
	span := func(f, t int) *delivery.Span { return &delivery.Span{From: delivery.Clock(f), To: delivery.Clock(t)} }
	ok := []struct {
		args string
		want delivery.Change
	}{
		{"", delivery.Change{}},
		{"instant", delivery.Change{Mode: delivery.ModeInstant}},
		{"Сразу", delivery.Change{Mode: delivery.ModeInstant}},
		{"digest 19:00", delivery.Change{Mode: delivery.ModeDigest, DigestAt: 19 * 60}},
		{"дайджест 7.05", delivery.Change{Mode: delivery.ModeDigest, DigestAt: 7*60 + 5}},
		{"digest 9", delivery.Change{Mode: delivery.ModeDigest, DigestAt: 9 * 60}},
		{"quiet 23:00-07:00", delivery.Change{SetQuiet: true, Quiet: span(23*60, 7*60)}},
		{"quiet 23:00 – 7:30", delivery.Change{SetQuiet: true, Quiet: span(23*60, 7*60+30)}},
		{"quiet off", delivery.Change{SetQuiet: true}},
		{"тихо выкл", delivery.Change{SetQuiet: true}},
	}
	for _, c := range ok {
		got, err := delivery.ParseSettings(c.args)
		if err != nil || got.Mode != c.want.Mode || got.DigestAt != c.want.DigestAt || got.SetQuiet != c.want.SetQuiet ||
			(got.Quiet == nil) != (c.want.Quiet == nil) || (got.Quiet != nil && *got.Quiet != *c.want.Quiet) {
			t.Errorf("ParseSettings(%q) = %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
	bad := map[string]string{
		"digest":            "delivery_settings_err_digest",
		"digest 25:00":      "delivery_settings_err_time",
		"digest 19:60":      "delivery_settings_err_time",
		"digest 19:5":       "delivery_settings_err_time",
		"digest seven":      "delivery_settings_err_time",
		"quiet":             "delivery_settings_err_quiet",
		"quiet 23:00":       "delivery_settings_err_span",
		"quiet 23:00-24:00": "delivery_settings_err_time",
		"quiet 07:00-07:00": "delivery_settings_err_span_empty",
		"instant now":       "delivery_settings_err_extra",
		"loud":              "delivery_settings_err_unknown",
	}
	texts := newHarness(t).texts
	for args, wantID := range bad {
		_, err := delivery.ParseSettings(args)
		se, isSettings := err.(*delivery.SettingsError)
		if !isSettings || se.ID != wantID {
			t.Errorf("ParseSettings(%q) error = %v, want %s", args, err, wantID)
			continue
		}
		if text := se.Text(texts, "ru"); strings.HasPrefix(text, "delivery_") {
			t.Errorf("error %s has no Russian text", wantID)
		}
	}
}

func TestQuietSpanAcrossMidnight(t *testing.T) {
	s := delivery.Span{From: 23 * 60, To: 7 * 60}
	for clock, want := range map[delivery.Clock]bool{22*60 + 59: false, 23 * 60: true, 0: true, 6*60 + 59: true, 7 * 60: false, 12 * 60: false} {
		if got := s.Contains(clock); got != want {
			t.Errorf("%v in %v = %v, want %v", clock, s, got, want)
		}
	}
}
