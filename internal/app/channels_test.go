package app

import (
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

const channelID = -1007001

// publicChannel makes the fake resolve @gubkin_ch, as Telegram does for a
// public channel.
func publicChannel(e *env) {
	e.fake.SetHook(func(c telegramtest.Call) (bool, int, string) {
		if strings.EqualFold(c.Method, "getChat") && c.Params["chat_id"] == "@gubkin_ch" {
			return true, 200, `{"ok":true,"result":{"id":-1007001,"type":"channel","title":"Губкин: канал"}}`
		}
		return false, 0, ""
	})
	e.fake.SetChatType(channelID, "channel")
}

func TestChannelConnectedByItsAdminReceivesItsSections(t *testing.T) {
	e, site := newsEnv(t)
	publicChannel(e)
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(7001, "/connect @gubkin_ch")
	e.waitText(7001, "только его администратор")
	e.fake.SetMember(channelID, 7001, "administrator")
	e.say(7001, "/connect @gubkin_ch")
	e.waitText(7001, "Добавьте бота в администраторы")
	e.fake.SetMember(channelID, telegramtest.BotID, "administrator")
	e.say(7001, "/connect @gubkin_ch")
	e.waitText(7001, "подключён")
	e.fake.AddUpdate(telegramtest.CallbackQuery(7001, 7001, 1, "sub:c:obshchestvo"))
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		slugs, _ := r.App.F.Subs.Of(r.App.runCtx(), channelID)
		return len(slugs) == 1 && slugs[0] == "obshchestvo"
	}, "the channel follows Общество")
	// Someone else's press cannot act on that channel: they have none connected.
	e.fake.AddUpdate(telegramtest.CallbackQuery(7002, 7002, 1, "sub:c:sport"))
	site.add("ch-1", "Канал получил новость", "Общество", time.Now())
	e.waitText(channelID, "Канал получил новость")
	e.settled(r)
	if slugs, _ := r.App.F.Subs.Of(r.App.runCtx(), channelID); len(slugs) != 1 {
		t.Fatalf("another user's press changed the channel: %v", slugs)
	}
}

// topicMessage is a message in a forum topic of a supergroup.
func topicMessage(chat, user int64, thread int, text string) telegramtest.Update {
	u := telegramtest.GroupMessage(chat, user, text)
	u.Message()["message_thread_id"] = thread
	u.Message()["is_topic_message"] = true
	return u
}

func TestForumTopicsSubscribeOnTheirOwn(t *testing.T) {
	e, site := newsEnv(t)
	r := e.start()
	waitSection(e, r, "Спорт")
	const forum = -1007100
	e.fake.SetMember(forum, 7101, "administrator")
	e.fake.AddUpdate(topicMessage(forum, 7101, 5, "/subscribe Спорт"))
	e.fake.AddUpdate(topicMessage(forum, 7101, 6, "/subscribe Общество"))
	e.fake.WaitFor(t, 10*time.Second, func() bool { return countTexts(e, forum, "Подписка оформлена") == 2 }, "both topics subscribed")
	site.add("t-1", "Хоккеисты сыграли вничью", "Спорт", time.Now())
	e.waitText(forum, "Хоккеисты")
	e.settled(r)
	for _, c := range e.fake.Sent(forum) {
		if strings.Contains(c.Params["text"], "Хоккеисты") && c.Params["message_thread_id"] != "5" {
			t.Fatalf("the sport article went to thread %q, want 5", c.Params["message_thread_id"])
		}
	}
	if n := countPushes(e, forum, "Хоккеисты"); n != 1 {
		t.Fatalf("pushed %d times into the forum, want once (to topic 5 only)", n)
	}
}
