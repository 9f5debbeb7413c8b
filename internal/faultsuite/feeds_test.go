//go:build integration

package faultsuite

import (
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// section is one section of the farm's feeds with two followers of its own.
type section struct {
	path, name string
	followers  []int64
	titles     []string // what its followers must get, each once (nil: not counted, only checked for bombs)
}

// TestHostileFeedsDoNotBlockTheGoodOne polls a good feed next to feeds that
// are malformed, entity bombs, 100 MB, gzip bombs, dripping a byte a
// second, failing, redirecting forever, wrongly or not declaring their
// charset, repeating GUIDs or dating items in 2099. The bot survives, the
// good article reaches its followers once within a few polls, and every
// article of the odd-but-valid feeds arrives once, its Cyrillic intact.
func TestHostileFeedsDoNotBlockTheGoodOne(t *testing.T) {
	t.Parallel() // mostly waiting (a 30 s timeout, a drip feed): runs beside the other
	farm := newFeedFarm(t)
	fake := telegramtest.New(t)
	pfx := prefix(t)
	st := storeFor(t, suite.redis, pfx)
	sections := []section{
		{path: "/good", name: "Город", titles: []string{goodTitle}},
		{path: "/cp1251-declared-utf8", name: "Культура", titles: []string{cp1251Title}},
		{path: "/utf8-declared-cp1251", name: "Спорт", titles: []string{utf8Title}},
		{path: "/cp1251-undeclared", name: "Экономика", titles: []string{undeclaredTitle}},
		{path: "/guids", name: "Происшествия", titles: []string{"Пожар на складе", "ДТП на перекрёстке", "Сильный ветер ожидается"}},
		{path: "/future", name: "Образование", titles: []string{futureTitle}},
		{name: "Мусор"}, // what the broken feeds say they are about: any push must be free of expanded entities
	}
	var urls []string
	for i := range sections {
		sections[i].followers = chatRange(800_001+int64(i)*100, 2)
		seedFollowers(t, st, sections[i].followers, news.Slugify(sections[i].name))
		if sections[i].path != "" {
			urls = append(urls, farm.url(sections[i].path))
		}
	}
	for _, p := range []string{"/malformed", "/laughs", "/huge", "/gzip-bomb", "/drip", "/status-500", "/redirect-loop"} {
		urls = append(urls, farm.url(p))
	}
	env := botEnv(fake, suite.redis.url(), pfx)
	env["FEED_URLS"], env["FEED_SCHEDULE"], env["FEED_TIMEOUT"] = strings.Join(urls, ","), "@every 1s", "3s"
	env["SEND_RATE"] = "100"
	b := startBot(t, "feeds", env)
	for _, s := range sections[:6] {
		firstSyncDone(t, st, farm.url(s.path), time.Minute)
	}

	farm.phase.Store(1)
	published, pollsBefore := time.Now(), farm.hitsOf("/good")
	good := sections[0].followers
	waitUntil(t, time.Minute, "the good article at its followers", func() bool {
		reached, _ := tally(pushes(fake, goodTitle), good)
		return reached == len(good)
	})
	latency, polls := time.Since(published), farm.hitsOf("/good")-pollsBefore
	waitUntil(t, time.Minute, "every article of the odd feeds", func() bool { return everyTitleArrived(fake, sections) })
	farm.phase.Store(2) // the editors fix a title: no second push
	settled := farm.hitsOf("/good")
	waitUntil(t, time.Minute, "three more polls", func() bool { return farm.hitsOf("/good") >= settled+3 })
	_, peak := b.memory()
	if !b.alive() {
		t.Fatalf("the bot died among hostile feeds:\n%s", b.tail(30))
	}
	b.stop()

	report(t, "hostile feeds: the good article", "at its followers %v after publication, %d polls of its feed", latency.Round(10*time.Millisecond), polls)
	report(t, "hostile feeds: the bad ones", "100 MB feed cut after %d KB; peak RSS %.0f MB; drip feed polled %d times; failures logged %d; entity-bomb pushes %d (no entity expanded)",
		farm.hugeMaxKB(), peak, farm.hitsOf("/drip"), feedFailures(b), len(fake.Texts(sections[6].followers[0])))
	if latency > 10*time.Second {
		t.Errorf("the good article took %v, want within a few 1 s polls despite the 3 s drip", latency)
	}
	if peak > memoryLimitMB(200) {
		t.Errorf("peak RSS %.0f MB: a hostile feed was held in memory", peak)
	}
	checkSections(t, fake, sections)
}

// everyTitleArrived tells whether every follower got every title it should.
func everyTitleArrived(fake *telegramtest.Server, sections []section) bool {
	for _, s := range sections {
		for _, chat := range s.followers {
			for _, title := range s.titles {
				if pushCount(fake, chat, title) == 0 {
					return false
				}
			}
		}
	}
	return true
}

// checkSections requires each follower to have exactly its section's
// articles, each once, with the title as published (no mojibake).
func checkSections(t *testing.T, fake *telegramtest.Server, sections []section) {
	t.Helper()
	for _, s := range sections {
		for _, chat := range s.followers {
			got := fake.Texts(chat)
			for _, title := range s.titles {
				if n := pushCount(fake, chat, title); n != 1 {
					t.Errorf("%s: chat %d got «%s» %d times, want once; all it got: %q", s.name, chat, title, n, got)
				}
			}
			if s.titles != nil && len(got) != len(s.titles) {
				t.Errorf("%s: chat %d got %d messages, want %d: %q", s.name, chat, len(got), len(s.titles), got)
			}
			for _, text := range got {
				if strings.Contains(text, "root:") || strings.Contains(text, "lollol") || strings.ContainsRune(text, '\uFFFD') {
					t.Errorf("%s: chat %d got a push with an expanded entity or broken charset: %q", s.name, chat, text)
				}
			}
		}
	}
}

// pushCount counts the pushes to chat whose title starts with title.
func pushCount(fake *telegramtest.Server, chat int64, title string) int {
	n := 0
	for _, c := range fake.Sent(chat) {
		if isPush(c, title) {
			n++
		}
	}
	return n
}

// feedFailures counts the bot's log lines about feeds that failed.
func feedFailures(b *bot) int {
	n := 0
	for _, r := range b.records() {
		if msg, _ := r["msg"].(string); strings.Contains(msg, "feed") && r["level"] != "INFO" {
			n++
		}
	}
	return n
}
