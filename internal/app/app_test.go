package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/bot"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func TestFreshUserGetsRussianGreetingWithCommands(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.say(1001, "/start")
	got := e.waitText(1001, "Здравствуйте")
	for _, want := range []string{"/help", "/lang"} {
		if !strings.Contains(got, want) {
			t.Errorf("greeting lacks %s:\n%s", want, got)
		}
	}
	ch, ok, err := store.Chats{S: e.st}.Get(context.Background(), 1001)
	if err != nil || !ok || ch.Lang != "ru" || !ch.Active {
		t.Fatalf("chat record = %+v, %v, %v", ch, ok, err)
	}
}

func TestStartupRegistersMenuInBothLanguagesAndDeletesWebhook(t *testing.T) {
	e := newEnv(t)
	e.start()
	calls := e.fake.WaitCalls(t, "setMyCommands", 2, 5*time.Second)
	langs := map[string]bool{}
	for _, c := range calls {
		langs[c.Params["language_code"]] = true
		if !strings.Contains(c.Params["commands"], `"command":"start"`) {
			t.Errorf("menu lacks /start: %s", c.Params["commands"])
		}
	}
	if !langs[""] || !langs["en"] {
		t.Errorf("menu languages = %v", langs)
	}
	e.fake.WaitCalls(t, "deleteWebhook", 1, 5*time.Second)
	poll := e.fake.WaitCalls(t, "getUpdates", 1, 5*time.Second)[0]
	if !strings.Contains(poll.Params["allowed_updates"], "callback_query") {
		t.Errorf("allowed_updates not sent: %v", poll.Params)
	}
}

func TestMenuFailureIsOnlyAWarning(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext("setMyCommands", 2, telegramtest.ServerError(500))
	e.start()
	e.say(1002, "/help")
	e.waitText(1002, "/start")
}

func TestLangEnSwitchesAndPersistsAcrossRestart(t *testing.T) {
	e := newEnv(t)
	r := e.start()
	e.say(1003, "/start")
	e.waitText(1003, "Здравствуйте")
	e.say(1003, "/lang en")
	e.waitText(1003, "I speak English")
	r.stop()
	e.start()
	e.say(1003, "/help")
	e.waitText(1003, "What I can do")
}

func TestLangButtons(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.say(1004, "/lang")
	e.waitText(1004, "Choose a language")
	e.fake.AddUpdate(telegramtest.CallbackQuery(1004, 1004, 1, "lang:en"))
	e.waitText(1004, "I speak English")
	e.fake.WaitCalls(t, "answerCallbackQuery", 1, 5*time.Second)
}

func TestEnglishTelegramUserIsGreetedInEnglish(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.fake.AddUpdate(telegramtest.TextMessage(1005, 1005, "/start").WithLanguage("en-GB"))
	e.waitText(1005, "Hello!")
}

func TestForgedCallbackIsAnsweredAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.fake.AddUpdate(telegramtest.CallbackQuery(1006, 1006, 5, "lang:xx"))
	e.fake.AddUpdate(telegramtest.CallbackQuery(1006, 1006, 5, "\x00\xffjunk"))
	calls := e.fake.WaitCalls(t, "answerCallbackQuery", 2, 5*time.Second)
	if len(calls) != 2 {
		t.Fatalf("answers = %d", len(calls))
	}
	if _, ok, _ := (store.Chats{S: e.st}).Get(context.Background(), 1006); ok {
		t.Fatal("a forged callback created a chat record")
	}
}

func TestUnknownCommandGetsShortHelp(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.say(1007, "/frobnicate now")
	e.waitText(1007, "/help")
}

func TestGroupCommandsForOtherBotsAreIgnored(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.fake.AddUpdate(telegramtest.GroupMessage(-2001, 1008, "/help@otherbot"))
	e.fake.AddUpdate(telegramtest.GroupMessage(-2001, 1008, "/help@gubkin_news_bot"))
	e.waitText(-2001, "/start")
	e.fake.WaitFor(t, 5*time.Second, func() bool { return e.fake.Pending() == 0 }, "updates confirmed")
	if n := len(e.fake.Texts(-2001)); n != 1 {
		t.Fatalf("group got %d messages, want 1 (only ours)", n)
	}
}

func TestPanickingHandlerDoesNotStopTheBot(t *testing.T) {
	e := newEnv(t)
	a := e.build()
	a.Bot.Command("boom", func(c *bot.Ctx) error { panic("kaboom") })
	e.run(a)
	e.say(1009, "/boom")
	e.waitText(1009, "Что-то пошло не так")
	e.say(1009, "/help")
	e.waitText(1009, "Что я умею")
}

func TestRateLimitSaysSlowDownOnceThenSilence(t *testing.T) {
	e := newEnv(t)
	e.vars["USER_RATE_PER_MIN"] = "3"
	e.start()
	for i := 0; i < 8; i++ {
		e.say(1010, "/help")
	}
	e.waitText(1010, "Слишком много команд")
	e.fake.WaitFor(t, 10*time.Second, func() bool { return e.fake.Pending() == 0 }, "all confirmed")
	texts := e.fake.Texts(1010)
	slow := 0
	for _, s := range texts {
		if strings.Contains(s, "Слишком много") {
			slow++
		}
	}
	if len(texts) != 4 || slow != 1 {
		t.Fatalf("got %d messages with %d slow-downs, want 3 answers + 1 slow-down", len(texts), slow)
	}
}
