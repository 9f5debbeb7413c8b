package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

const editor = 900 // EDITOR_IDS in newEnv

func TestEditorsCommandsAndButtonsRefuseOthers(t *testing.T) {
	e := newEnv(t)
	e.start()
	cmds := []string{"/stats", "/broadcast hi", "/pick x", "/breaking x", "/redrive", "/reports"}
	for _, c := range cmds {
		e.say(5001, c)
	}
	e.fake.WaitFor(t, 10*time.Second, func() bool { return countTexts(e, 5001, "только для редакции") == len(cmds) }, "every editors' command refused")
	for _, data := range []string{"bc:send:0123456789abcdef", "typo:fix:1", "typo:rej:1"} {
		e.fake.AddUpdate(telegramtest.CallbackQuery(5001, 5001, 1, data))
	}
	e.fake.WaitFor(t, 10*time.Second, func() bool {
		n := 0
		for _, c := range e.fake.Calls("answerCallbackQuery") {
			if strings.Contains(c.Params["text"], "только для редакции") {
				n++
			}
		}
		return n == 3
	}, "every editors' button refused")
}

func TestBroadcastNeedsConfirmationAndIsSentOnceOnADoubleTap(t *testing.T) {
	e := newEnv(t)
	r := e.start()
	for _, u := range []int64{5101, 5102, 5103} {
		e.say(u, "/start")
		e.waitText(u, "Здравствуйте")
	}
	e.say(editor, "/broadcast Завтра в Губкине отключат воду")
	e.waitText(editor, "Отправить?")
	sent := e.fake.Sent(editor)
	markup := sent[len(sent)-1].Params["reply_markup"]
	id := strings.Split(strings.Split(markup, "bc:send:")[1], `"`)[0]
	if countTexts(e, 5101, "отключат воду") != 0 {
		t.Fatal("sent before the confirmation")
	}
	e.fake.AddUpdate(telegramtest.CallbackQuery(editor, editor, 1, "bc:send:"+id))
	e.fake.AddUpdate(telegramtest.CallbackQuery(editor, editor, 1, "bc:send:"+id))
	for _, u := range []int64{5101, 5102, 5103} {
		e.waitText(u, "отключат воду")
	}
	e.settled(r)
	for _, u := range []int64{5101, 5102, 5103} {
		if n := countTexts(e, u, "отключат воду"); n != 1 {
			t.Errorf("chat %d got the broadcast %d times", u, n)
		}
	}
}

func TestStatsForEditors(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.say(5201, "/start")
	e.waitText(5201, "Здравствуйте")
	e.say(editor, "/stats")
	got := e.waitText(editor, "Статистика")
	for _, want := range []string{"Чаты:", "Очередь:", "опечатках", "Все новости"} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats lacks %q:\n%s", want, got)
		}
	}
}

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPublishHookAuthValidationAndDedupWithTheFeed(t *testing.T) {
	e, site := newsEnv(t)
	e.vars["PUBLISH_TOKEN"] = "cms-secret-token"
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(5301, "/subscribe Общество")
	e.waitText(5301, "Подписка оформлена")
	url := "http://" + r.App.HTTPAddr() + "/api/publish"
	article := `{"url":"https://gubkin.example/news/cms-1","title":"В парке открыли каток","lead":"Каток работает до 22:00.","categories":["Общество"]}`
	if code, _ := post(t, url, "wrong", article); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
	if code, body := post(t, url, "cms-secret-token", `{"url":"ftp://x"}`); code != http.StatusBadRequest || !strings.Contains(body, `"field":"url"`) {
		t.Fatalf("bad body: %d %s", code, body)
	}
	if code, body := post(t, url, "cms-secret-token", article); code != http.StatusAccepted {
		t.Fatalf("good article: %d %s", code, body)
	}
	e.waitText(5301, "открыли каток")
	// The same article then shows up in the feed (its GUID differs, its link is the same).
	site.addLink("guid-777", "https://gubkin.example/news/cms-1?utm_source=rss", "В парке открыли каток", "Общество", time.Now())
	site.add("later-1", "Следующая новость", "Общество", time.Now())
	e.waitText(5301, "Следующая новость")
	e.settled(r)
	if n := countPushes(e, 5301, "В парке открыли каток"); n != 1 {
		t.Fatalf("the article came %d times (hook + feed), want once:\n%s", n, strings.Join(e.fake.Texts(5301), "\n---\n"))
	}
}

func TestMetricsAreExposed(t *testing.T) {
	e := newEnv(t)
	r := e.start()
	e.say(5401, "/help")
	e.waitText(5401, "Что я умею")
	e.say(5401, "/typo опечатко")
	e.waitText(5401, "Спасибо")
	e.fake.WaitFor(t, 5*time.Second, func() bool { return r.App.HTTPAddr() != "" }, "http")
	resp, err := http.Get("http://" + r.App.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`newsbot_updates_total{command="help",kind="command"}`, "newsbot_leader 1",
		`newsbot_replies_total{result="ok"}`, `newsbot_typo_reports_total{source="telegram",status="open"}`,
		"newsbot_poller_up 1", "newsbot_send_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
