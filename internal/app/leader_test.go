package app

import (
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func leaders(rs []*running) (n int, who *running) {
	for _, r := range rs {
		if r.cancel != nil && r.App.Leading() {
			n++
			who = r
		}
	}
	return n, who
}

func TestThreeCopiesOnOneRedisBehaveAsOneBot(t *testing.T) {
	e := newEnv(t)
	e.vars["LEADER_TTL"] = "3s"
	rs := []*running{e.start(), e.start(), e.start()}
	e.fake.WaitFor(t, 10*time.Second, func() bool { n, _ := leaders(rs); return n == 1 }, "one leader")
	for u := int64(1400); u < 1420; u++ {
		e.say(u, "/help")
		if n, _ := leaders(rs); n != 1 {
			t.Fatalf("%d leaders at once", n)
		}
	}
	e.waitText(1419, "Что я умею")
	_, old := leaders(rs)
	old.stop()
	start := time.Now()
	e.fake.WaitFor(t, 15*time.Second, func() bool { n, _ := leaders(rs); return n == 1 }, "a new leader within the lease TTL")
	t.Logf("a new leader took over in %v", time.Since(start))
	for u := int64(1420); u < 1430; u++ {
		e.say(u, "/help")
	}
	e.waitText(1429, "Что я умею")
	e.fake.WaitFor(t, 5*time.Second, func() bool { return e.fake.Pending() == 0 }, "all confirmed")
	for u := int64(1400); u < 1430; u++ {
		if n := len(e.fake.Texts(u)); n != 1 {
			t.Errorf("chat %d got %d answers, want 1", u, n)
		}
	}
}

func TestConflictMakesTheLeaderStepDown(t *testing.T) {
	e := newEnv(t)
	e.vars["LEADER_TTL"] = "3s"
	r := e.start()
	e.fake.WaitFor(t, 5*time.Second, r.App.Leading, "leader")
	e.fake.FailNext("getUpdates", 1, telegramtest.Conflict())
	e.fake.WaitFor(t, 10*time.Second, func() bool { return !r.App.Leading() }, "stepped down after 409")
	e.fake.WaitFor(t, 15*time.Second, r.App.Leading, "leads again after the pause")
}
