//go:build integration

package faultsuite

import (
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// TestLeaderKilledAnotherCopyTakesOver runs two copies with the production
// LEADER_TTL (15 s), kills the leader with SIGKILL (its lease is not
// released) and measures how long until the other copy answers a command.
func TestLeaderKilledAnotherCopyTakesOver(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	p := prefix(t)
	bots := map[string]*bot{}
	for _, name := range []string{"copy-1", "copy-2"} {
		env := botEnv(fake, suite.redis.url(), p)
		env["LEADER_TTL"], env["INSTANCE"] = "15s", name
		bots[name] = startBot(t, name, env)
	}
	var leader, other *bot
	waitUntil(t, 30*time.Second, "one copy to lead", func() bool {
		leader, other = nil, nil
		for name, b := range bots {
			if leads(b) {
				leader, other = b, bots[map[string]string{"copy-1": "copy-2", "copy-2": "copy-1"}[name]]
			}
		}
		return leader != nil
	})
	const before, after = 610_001, 610_002
	fake.AddUpdate(telegramtest.TextMessage(before, before, "/help"))
	waitUntil(t, 30*time.Second, "the leader answers", func() bool { return answered(fake, before, helpText) == 1 })
	leader.kill()
	killed := time.Now()
	fake.AddUpdate(telegramtest.TextMessage(after, after, "/help"))
	waitUntil(t, 30*time.Second, "the other copy answers", func() bool { return answered(fake, after, helpText) == 1 })
	took := time.Since(killed)
	report(t, "leader killed (SIGKILL), LEADER_TTL=15s", "the other copy answered %v after the kill", took.Round(100*time.Millisecond))
	// The lease runs out at most 15 s after the kill; a follower asks every second.
	if took > 17*time.Second || !leads(other) {
		t.Errorf("takeover took %v (lease 15 s)", took)
	}
	if answered(fake, before, helpText) != 1 {
		t.Error("the command before the kill was answered again")
	}
}

// leads tells whether the copy logged that it took the lease (and has not
// stepped down since).
func leads(b *bot) bool {
	state := false
	for _, r := range b.records() {
		msg, _ := r["msg"].(string)
		switch {
		case strings.HasPrefix(msg, "this copy is the leader"):
			state = true
		case strings.HasPrefix(msg, "this copy stepped down"):
			state = false
		}
	}
	return state
}
