package app

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

const editorsChat = -1009000

func typoEnv(t *testing.T) *env {
	e := newEnv(t)
	e.vars["EDITORS_CHAT_ID"] = fmt.Sprint(editorsChat)
	e.vars["TYPO_ALLOWED_ORIGINS"] = "https://gubkin.example"
	return e
}

func TestTelegramTypoReachesEditorsAndTheReaderIsThanked(t *testing.T) {
	e := typoEnv(t)
	e.start()
	e.say(4001, "/typo превед медвед — надо «привет»")
	e.waitText(4001, "Спасибо")
	report := e.waitText(editorsChat, "превед медвед")
	if !strings.Contains(report, "надо «привет»") {
		t.Fatalf("comment missing:\n%s", report)
	}
	sent := e.fake.Sent(editorsChat)
	markup := sent[len(sent)-1].Params["reply_markup"]
	if !strings.Contains(markup, "typo:fix:") || !strings.Contains(markup, "typo:rej:") {
		t.Fatalf("buttons missing: %s", markup)
	}
	id := strings.Split(strings.Split(markup, "typo:fix:")[1], `"`)[0]
	msgID := 1
	fmt.Sscan(sent[len(sent)-1].Params["message_id"], &msgID)
	// A reader who is not an editor presses «Исправлено»: refused.
	e.fake.AddUpdate(telegramtest.CallbackQuery(editorsChat, 4001, msgID, "typo:fix:"+id))
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		for _, c := range e.fake.Calls("answerCallbackQuery") {
			if strings.Contains(c.Params["text"], "только для редакции") {
				return true
			}
		}
		return false
	}, "a non-editor's press refused")
	// An editor (EDITOR_IDS=900) presses it: the message is edited, the reader thanked.
	e.fake.AddUpdate(telegramtest.CallbackQuery(editorsChat, 900, msgID, "typo:fix:"+id))
	e.waitText(4001, "Опечатку исправили")
	e.fake.WaitCalls(t, "editMessageText", 1, 5*time.Second)
}

func TestTypoAskedStepByStep(t *testing.T) {
	e := typoEnv(t)
	e.start()
	e.say(4002, "/typo")
	e.waitText(4002, "фрагмент")
	e.say(4002, "ошибочка тут")
	e.waitText(editorsChat, "ошибочка тут")
}

func TestSiteTypoReachesEditorsEvenWhenTheirChatIsDownAtFirst(t *testing.T) {
	e := typoEnv(t)
	e.fake.FailChat(editorsChat, telegramtest.ChatNotFound())
	a := e.build()
	var skew atomic.Int64 // the test moves the bot's clock past the retry backoff
	a.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	r := e.run(a)
	e.fake.WaitFor(t, 5*time.Second, func() bool { return r.App.HTTPAddr() != "" }, "HTTP up")
	body := `{"url":"https://gubkin.example/news/1","text":"апечатка","before":"В тексте ","after":" есть.","comment":"исправьте"}`
	req, _ := http.NewRequest("POST", "http://"+r.App.HTTPAddr()+"/api/typo", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://gubkin.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Access-Control-Allow-Origin") != "https://gubkin.example" {
		t.Fatalf("status %d, CORS %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	e.fake.WaitFor(t, 5*time.Second, func() bool { return len(e.fake.Calls("sendMessage")) > 0 }, "a first attempt")
	if n := countTexts(e, editorsChat, "апечатка"); n != 0 {
		t.Fatalf("delivered to an unreachable chat %d times", n)
	}
	e.fake.ClearChat(editorsChat)
	skew.Store(int64(time.Hour))
	// The report waits in Redis and the retry job delivers it (every 30 s in
	// production; the test runs the same job).
	e.fake.WaitFor(t, 10*time.Second, func() bool {
		_, _ = r.App.F.Typo.RetryPending(r.App.runCtx())
		return countTexts(e, editorsChat, "апечатка") == 1
	}, "the site's report in the editors' chat")
}

func TestQuotingAPushedArticleAttachesIt(t *testing.T) {
	e, site := newsEnv(t)
	e.vars["EDITORS_CHAT_ID"] = fmt.Sprint(editorsChat)
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(4101, "/subscribe Общество")
	e.waitText(4101, "Подписка оформлена")
	site.add("q-1", "Во дворе посадили деревя", "Общество", time.Now())
	e.waitText(4101, "посадили деревя")
	var pushID int
	for _, c := range e.fake.Sent(4101) {
		if strings.Contains(c.Params["text"], "деревя") {
			pushID = sentMessageID(t, e, c)
		}
	}
	e.fake.AddUpdate(telegramtest.TextMessage(4101, 4101, "/typo").ReplyTo(pushID, "").Quote("деревя"))
	report := e.waitText(editorsChat, "деревя")
	if !strings.Contains(report, "gubkin.example/news/q-1") || !strings.Contains(report, "Во дворе") {
		t.Fatalf("the article is not attached:\n%s", report)
	}
}

// sentMessageID finds the message_id the fake gave a recorded send.
func sentMessageID(t *testing.T, e *env, c telegramtest.Call) int {
	t.Helper()
	n := 0
	for _, s := range e.fake.Sent(4101) {
		n++
		if s.At == c.At {
			return n
		}
	}
	t.Fatal("send not found")
	return 0
}
