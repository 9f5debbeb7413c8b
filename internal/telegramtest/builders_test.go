package telegramtest

import (
	"encoding/json"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// roundTrip serves u and decodes it with the library, as the bot will.
func roundTrip(t *testing.T, u Update) (tgbotapi.Update, string) {
	t.Helper()
	srv := New(t)
	srv.AddUpdate(u)
	list := pollUpdates(t, newBot(t, srv), 0, 0, 0)
	if len(list) != 1 {
		t.Fatalf("got %d updates, want 1", len(list))
	}
	var out tgbotapi.Update
	if err := json.Unmarshal(list[0], &out); err != nil {
		t.Fatalf("library cannot decode %s: %v", list[0], err)
	}
	return out, string(list[0])
}

func TestTextMessageCarriesACommandEntity(t *testing.T) {
	u, _ := roundTrip(t, TextMessage(42, 42, "/start@gubkin_news_bot привет"))
	m := u.Message
	if m == nil || !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "привет" {
		t.Fatalf("got %+v", m)
	}
	if m.Entities[0].Length != len("/start@gubkin_news_bot") || m.Chat.Type != "private" {
		t.Fatalf("entity %+v, chat %+v", m.Entities[0], m.Chat)
	}
	if m.From.ID != 42 || m.From.LanguageCode != "ru" || m.From.FirstName == "" {
		t.Fatalf("from: got %+v", m.From)
	}
}

func TestCommandLengthIsInUTF16Units(t *testing.T) {
	cases := map[string]int{"/старт": 6, "/a😀 x": 4, "/news\nдальше": 5, "hello": 0, "/": 0}
	for text, want := range cases {
		if got := commandLength(text); got != want {
			t.Errorf("commandLength(%q): got %d, want %d", text, got, want)
		}
	}
}

func TestGroupReplyWithQuoteInEnglish(t *testing.T) {
	u, raw := roundTrip(t, GroupMessage(-1001234567890, 5, "согласен").ReplyTo(77, "Новость дня").Quote("дня").WithLanguage("en"))
	m := u.Message
	if m.Chat.Type != "supergroup" || m.From.LanguageCode != "en" {
		t.Fatalf("chat %+v, from %+v", m.Chat, m.From)
	}
	if m.ReplyToMessage == nil || m.ReplyToMessage.MessageID != 77 || m.ReplyToMessage.From.ID != BotID {
		t.Fatalf("reply_to_message: got %+v", m.ReplyToMessage)
	}
	if !strings.Contains(raw, `"quote":{"position":0,"text":"дня"}`) {
		t.Fatalf("no quote in %s", raw)
	}
	if g, _ := roundTrip(t, GroupMessage(-42, 5, "hi")); g.Message.Chat.Type != "group" {
		t.Fatalf("small negative id: got %q, want group", g.Message.Chat.Type)
	}
}

func TestOtherUpdateKinds(t *testing.T) {
	cb, _ := roundTrip(t, CallbackQuery(42, 42, 9, "more:1").WithLanguage("en"))
	if q := cb.CallbackQuery; q == nil || q.Data != "more:1" || q.Message.MessageID != 9 || q.From.LanguageCode != "en" {
		t.Fatalf("callback: got %+v", cb.CallbackQuery)
	}
	post, _ := roundTrip(t, ChannelPost(-1001111111111, "пост"))
	if post.ChannelPost == nil || post.ChannelPost.Chat.Type != "channel" {
		t.Fatalf("channel post: got %+v", post.ChannelPost)
	}
	ed, _ := roundTrip(t, EditedMessage(42, 42, "исправлено"))
	if ed.EditedMessage == nil || ed.EditedMessage.EditDate == 0 {
		t.Fatalf("edited: got %+v", ed.EditedMessage)
	}
	mcm, _ := roundTrip(t, MyChatMember(42, 42, "member", "kicked"))
	if c := mcm.MyChatMember; c == nil || c.NewChatMember.Status != "kicked" || c.OldChatMember.User.ID != BotID {
		t.Fatalf("my_chat_member: got %+v", mcm.MyChatMember)
	}
	mig, _ := roundTrip(t, MigrateMessage(-42, -1001234567890))
	if mig.Message.MigrateToChatID != -1001234567890 || mig.Message.Chat.Type != "group" {
		t.Fatalf("migration: got %+v", mig.Message)
	}
}

func TestChatsFromUpdatesShapeAnswers(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	srv.AddUpdate(ChannelPost(-1002222222222, "пост"))
	sent, err := bot.Send(tgbotapi.NewMessage(-1002222222222, "ответ"))
	if err != nil || sent.Chat.Type != "channel" {
		t.Fatalf("send to a channel seen in an update: got %+v, %v", sent.Chat, err)
	}
}
