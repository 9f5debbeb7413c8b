package telegramtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetMeReturnsTheBotIdentity(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	if bot.Self.ID != BotID || !bot.Self.IsBot || bot.Self.UserName != BotUsername || bot.Self.FirstName != BotFirstName {
		t.Fatalf("getMe: got %+v", bot.Self)
	}
	if got := srv.Calls("GETME"); len(got) != 1 || got[0].Status != http.StatusOK {
		t.Fatalf("recorded getMe calls: got %+v, want one answered 200", got)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	srv := New(t)
	_, err := tgbotapi.NewBotAPIWithClient("654321:WRONG", srv.Endpoint(), &http.Client{Timeout: clientTimeout})
	if e := apiError(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Fatalf("got %d %q, want 401 Unauthorized", e.Code, e.Message)
	}
	status, body := post(t, srv.URL()+"/botWRONG/getMe", "", "")
	if want := `{"ok":false,"error_code":401,"description":"Unauthorized"}`; status != 401 || body != want {
		t.Fatalf("got %d %s, want 401 %s", status, body, want)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Fatalf("unauthorised calls were recorded: %d", n)
	}
}

func TestUnknownMethodIsNotFoundButRecorded(t *testing.T) {
	srv := New(t)
	status, body := post(t, methodURL(srv, "sendTelepathy"), "", "")
	if want := `{"ok":false,"error_code":404,"description":"Not Found"}`; status != 404 || body != want {
		t.Fatalf("got %d %s, want 404 %s", status, body, want)
	}
	if got := srv.Calls("sendtelepathy"); len(got) != 1 || got[0].Status != 404 {
		t.Fatalf("recorded: %+v", got)
	}
}

func TestSendMessageIsRecordedWithParams(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	msg := tgbotapi.NewMessage(42, "<b>Новости</b> &amp; погода")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Подробнее", "more:1")))
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if sent.MessageID != 1 || sent.Chat.ID != 42 || sent.Chat.Type != "private" || sent.Text != "Новости & погода" {
		t.Fatalf("answer: got id %d chat %+v text %q", sent.MessageID, sent.Chat, sent.Text)
	}
	if sent.From == nil || sent.From.ID != BotID {
		t.Fatalf("answer from: got %+v, want the bot", sent.From)
	}
	calls := srv.WaitCalls(t, "sendMessage", 1, clientTimeout)
	var markup tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(calls[0].Params["reply_markup"]), &markup); err != nil {
		t.Fatalf("reply_markup %q: %v", calls[0].Params["reply_markup"], err)
	}
	if got := *markup.InlineKeyboard[0][0].CallbackData; got != "more:1" {
		t.Fatalf("callback_data: got %q", got)
	}
	if got := srv.Texts(42); len(got) != 1 || got[0] != msg.Text {
		t.Fatalf("Texts(42): got %q, want [%q]", got, msg.Text)
	}
	if next, _ := bot.Send(tgbotapi.NewMessage(42, "ещё")); next.MessageID != 2 {
		t.Fatalf("second message id: got %d, want 2", next.MessageID)
	}
}

func TestJSONBodyValuesAreRecordedAsStrings(t *testing.T) {
	srv := New(t)
	body := `{"chat_id": -1001234567890, "text": "привет", "disable_notification": true, "reply_parameters": {"message_id": 5}}`
	status, answer := post(t, methodURL(srv, "sendMessage"), "application/json", body)
	if status != 200 || !strings.Contains(answer, `"type":"supergroup"`) {
		t.Fatalf("got %d %s", status, answer)
	}
	p := srv.Calls("sendMessage")[0].Params
	want := map[string]string{"chat_id": "-1001234567890", "text": "привет",
		"disable_notification": "true", "reply_parameters": `{"message_id": 5}`}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("param %s: got %q, want %q", k, p[k], v)
		}
	}
}

func TestMultipartUploadIsRecorded(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	photo := tgbotapi.NewPhoto(7, tgbotapi.FileBytes{Name: "tower.jpg", Bytes: []byte("not really a jpeg")})
	photo.Caption = "Водонапорная башня"
	sent, err := bot.Send(photo)
	if err != nil {
		t.Fatalf("send photo: %v", err)
	}
	if len(sent.Photo) == 0 || sent.Caption != photo.Caption {
		t.Fatalf("answer: got photo %v caption %q", sent.Photo, sent.Caption)
	}
	p := srv.Calls("sendPhoto")[0].Params
	if p["photo"] != "tower.jpg" || p["caption"] != photo.Caption || p["chat_id"] != "7" {
		t.Fatalf("params: got %v", p)
	}
	if srv.SentCount() != 1 {
		t.Fatalf("SentCount: got %d, want 1", srv.SentCount())
	}
}

func TestTelegramRefusesWhatItWouldRefuse(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	html := tgbotapi.NewMessage(1, "<p>абзац</p>")
	html.ParseMode = tgbotapi.ModeHTML
	long := tgbotapi.NewMessage(1, strings.Repeat("я", maxTextChars+1))
	button := tgbotapi.NewMessage(1, "кнопка")
	button.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("ж", 33)))) // 66 bytes
	cases := []struct {
		name string
		msg  tgbotapi.MessageConfig
		want string
	}{
		{"unsupported tag", html, `Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`},
		{"too long", long, "Bad Request: message is too long"},
		{"callback data over 64 bytes", button, "Bad Request: BUTTON_DATA_INVALID"},
		{"empty text", tgbotapi.NewMessage(1, ""), "Bad Request: message text is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.Send(tc.msg)
			if e := apiError(t, err); e.Code != 400 || e.Message != tc.want {
				t.Fatalf("got %d %q, want 400 %q", e.Code, e.Message, tc.want)
			}
		})
	}
	if srv.SentCount() != 0 || len(srv.Sent(1)) != 0 {
		t.Fatalf("refused sends counted as sent: %d, %v", srv.SentCount(), srv.Sent(1))
	}
}

func TestChatMembersAndTypes(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	const group = int64(-1001234567890)
	srv.SetMember(group, 5, "creator")
	srv.SetMember(group, BotID, "administrator")
	m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group, UserID: 5}})
	if err != nil || m.Status != "creator" {
		t.Fatalf("getChatMember: got %+v, %v", m, err)
	}
	m, _ = bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group, UserID: 6}})
	if m.Status != "member" {
		t.Fatalf("default status: got %q, want member", m.Status)
	}
	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group}})
	if err != nil || len(admins) != 2 || admins[0].User.ID != 5 || !admins[1].User.IsBot {
		t.Fatalf("getChatAdministrators: got %+v, %v", admins, err)
	}
	srv.SetChatType(-1009876543210, "channel")
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -1009876543210}})
	if err != nil || chat.Type != "channel" {
		t.Fatalf("getChat: got %+v, %v", chat, err)
	}
}
