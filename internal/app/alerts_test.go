package app

import (
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func TestFollowedStreetArrivesFromAnySectionOnceWithTheReason(t *testing.T) {
	e, site := newsEnv(t)
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(6001, "/follow Комсомольская")
	e.waitText(6001, "Комсомольская")
	e.say(6001, "/subscribe Общество") // the article matches a section and a phrase: still once
	e.waitText(6001, "Подписка оформлена")
	site.add("street-1", "На улице Комсомольской отремонтировали тротуар", "Общество", time.Now())
	site.add("street-2", "Новый светофор на Комсомольской", "Транспорт", time.Now())
	got := e.waitText(6001, "светофор")
	if !strings.Contains(got, "упомянута: Комсомольская") {
		t.Errorf("the reason is missing:\n%s", got)
	}
	e.waitText(6001, "тротуар")
	e.settled(r)
	if n := countPushes(e, 6001, "На улице Комсомольской"); n != 1 {
		t.Errorf("pushed %d times, want once", n)
	}
}

func TestMuteSkipsAFollowedSectionsArticle(t *testing.T) {
	e, site := newsEnv(t)
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(6002, "/subscribe Общество")
	e.waitText(6002, "Подписка оформлена")
	e.say(6002, "/mute гороскоп")
	e.waitText(6002, "гороскоп")
	site.add("m-1", "Гороскоп на неделю", "Общество", time.Now())
	site.add("m-2", "Открылась новая библиотека", "Общество", time.Now())
	e.waitText(6002, "библиотека")
	e.settled(r)
	if countPushes(e, 6002, "Гороскоп") != 0 {
		t.Error("a muted word came through")
	}
}

func TestGroupNeedsAnAdminToSubscribe(t *testing.T) {
	e, _ := newsEnv(t)
	r := e.start()
	waitSection(e, r, "Спорт")
	e.fake.AddUpdate(telegramtest.GroupMessage(-1006100, 6100, "/subscribe Спорт"))
	e.waitText(-1006100, "только администратор")
	e.fake.SetMember(-1006100, 6101, "administrator")
	e.fake.AddUpdate(telegramtest.GroupMessage(-1006100, 6101, "/subscribe Спорт"))
	e.waitText(-1006100, "Подписка оформлена")
}
