//go:build integration

package faultsuite

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// hostile makes up the updates of a hostile crowd, reproducibly from a seed.
type hostile struct {
	rnd       *rand.Rand
	callbacks map[string]bool // ids of the well-formed callback queries: each must be answered
	kinds     map[string]int  // what was sent, for the report
}

func newHostile(seed uint64) *hostile {
	return &hostile{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), callbacks: map[string]bool{}, kinds: map[string]int{}}
}

// The crowd: private chats (id = user) and basic groups, many of each so
// that a chat gets few updates and per-chat pacing rarely makes it wait.
const (
	hostileUsers  = 5000
	firstUser     = 500_001 // users 500001…505000
	hostileGroups = 3000
	firstGroup    = -600_001           // groups -600001…-603000
	supergroupIDs = -1_000_000_000_000 // supergroups and channels are -100…
)

var hostileCommands = []string{"start", "help", "lang", "news", "categories", "subscribe", "unsubscribe",
	"mysubs", "follow", "unfollow", "following", "mute", "unmute", "weather", "rates", "brief", "typo",
	"connect", "channel", "disconnect", "stats", "broadcast", "pick", "breaking", "redrive", "reports",
	"nosuchcommand", "start@other_bot", "help@" + telegramtest.BotUsername, "SUBSCRIBE", "/", "ёжик"}

var forgedData = []string{"sub:t:../../x", "news:all:99999999", "news:all:-1", "news:../..:1", "news:all:1e99",
	"typo:fix:999999999999999999999", "typo:reject:-1", "bc:send:zz", "bc:cancel:", "lang:xx", "lang:", "lang:en",
	"wx:", "wx:../../", "tp:zzzz", "tp:", "sub:", "sub:t:", "sub:t:all", "sub:t:" + strings.Repeat("я", 300),
	"", ":", "::::", "\x00\x01", "%s%n", "<b>x</b>", "news", "typo", "bc"}

// arg is a hostile command argument.
func (h *hostile) arg() string {
	switch h.rnd.IntN(14) {
	case 0:
		return ""
	case 1:
		return "\u0000\u0001\u0002\u001b[31m\u007f"
	case 2:
		return strings.Repeat("а", 10_000) // 10 KB and more
	case 3:
		return h.unicode(1 + h.rnd.IntN(1000))
	case 4:
		return "../../etc/passwd"
	case 5:
		return "<b>жирный</b><script>alert(1)</script>&amp;&lt;&"
	case 6:
		return "99999999999999999999999999 -1 0x7fffffffffffffff NaN"
	case 7:
		return "25:99"
	case 8:
		return "@" + strings.Repeat("x", 64)
	case 9:
		return "https://gubkin.example/news/" + h.unicode(20)
	case 10:
		return "en"
	case 11:
		return "' OR 1=1 -- ${jndi:ldap://127.0.0.1/x} %s%s%s%n"
	case 12:
		return "общество спорт культура все"
	}
	return strings.Repeat("\u200f\u202e\u2066", 300)
}

// unicode is n random runes from many scripts, control and invisible
// characters, emoji, combining marks and HTML specials included.
func (h *hostile) unicode(n int) string {
	ranges := [][2]rune{{0x20, 0x7e}, {0x400, 0x4ff}, {0x4e00, 0x9fff}, {0x1f300, 0x1f6ff}, {0x300, 0x36f},
		{0x590, 0x6ff}, {0x200b, 0x200f}, {0x2028, 0x202e}, {0x0, 0x1f}, {0xe000, 0xe0ff}, {0xfff0, 0xfffd}, {0x10000, 0x1007f}}
	var b strings.Builder
	for range n {
		if h.rnd.IntN(10) == 0 {
			b.WriteString([]string{"<", ">", "&", "\"", "'", "</b>", "<a href=x>", "&#0;", "\\", "/"}[h.rnd.IntN(10)])
			continue
		}
		r := ranges[h.rnd.IntN(len(ranges))]
		b.WriteRune(r[0] + rune(h.rnd.IntN(int(r[1]-r[0]+1))))
	}
	return b.String()
}

func (h *hostile) user() int64  { return firstUser + int64(h.rnd.IntN(hostileUsers)) }
func (h *hostile) group() int64 { return firstGroup - int64(h.rnd.IntN(hostileGroups)) }

func (h *hostile) command() string {
	return "/" + hostileCommands[h.rnd.IntN(len(hostileCommands))] + " " + h.arg()
}

// next is one hostile update, as a value for AddUpdate.
func (h *hostile) next() any {
	k := h.rnd.IntN(100)
	switch {
	case k < 25:
		h.kinds["command"]++
		u := h.user()
		return telegramtest.TextMessage(u, u, h.command())
	case k < 35:
		h.kinds["random text"]++
		u := h.user()
		return telegramtest.TextMessage(u, u, h.unicode(1+h.rnd.IntN(4096)))
	case k < 40:
		h.kinds["4096-character text"]++
		u := h.user()
		return telegramtest.TextMessage(u, u, strings.Repeat("ж", 4096))
	case k < 55:
		return h.callback()
	case k < 62:
		h.kinds["group command"]++
		return telegramtest.GroupMessage(h.group(), h.user(), h.command())
	case k < 66:
		h.kinds["edited message"]++
		u := h.user()
		return telegramtest.EditedMessage(u, u, h.command())
	case k < 70:
		h.kinds["channel post"]++
		return telegramtest.ChannelPost(supergroupIDs-int64(h.rnd.IntN(1000)), h.command())
	case k < 78:
		return h.member()
	case k < 80:
		h.kinds["migration"]++
		g := h.group()
		return telegramtest.MigrateMessage(g, supergroupIDs+g)
	case k < 88:
		return h.media()
	}
	return h.malformed()
}

func (h *hostile) callback() any {
	h.kinds["callback"]++
	u := h.user()
	data := forgedData[h.rnd.IntN(len(forgedData))]
	if h.rnd.IntN(5) == 0 {
		data = h.unicode(1 + h.rnd.IntN(200))
	}
	cb := telegramtest.CallbackQuery(u, u, h.rnd.IntN(1<<30), data)
	q := cb["callback_query"].(map[string]any)
	if h.rnd.IntN(10) == 0 {
		delete(q, "message") // an inline button's callback, or a message too old to send
	}
	h.callbacks[q["id"].(string)] = true
	return cb
}

func (h *hostile) member() any {
	h.kinds["my_chat_member"]++
	statuses := []string{"left", "member", "administrator", "kicked", "restricted"}
	chat := h.group()
	if h.rnd.IntN(3) == 0 {
		chat = h.user() // a private chat: kicked means blocked
	}
	return telegramtest.MyChatMember(chat, h.user(), statuses[h.rnd.IntN(len(statuses))], statuses[h.rnd.IntN(len(statuses))])
}

// media are updates the bot has no command for: stickers, polls, and kinds
// it did not ask for.
func (h *hostile) media() any {
	h.kinds["sticker, poll, photo, unknown kind"]++
	u := h.user()
	m := telegramtest.TextMessage(u, u, "")
	msg := m.Message()
	delete(msg, "text")
	switch h.rnd.IntN(6) {
	case 0:
		msg["sticker"] = map[string]any{"file_id": "CAACAgIAAxk", "file_unique_id": "AgAD", "type": "regular",
			"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "😀"}
	case 1:
		msg["poll"] = map[string]any{"id": "5", "question": h.unicode(50), "options": []any{map[string]any{"text": "да", "voter_count": 1}},
			"total_voter_count": 1, "is_closed": false, "is_anonymous": true, "type": "regular", "allows_multiple_answers": false}
	case 2:
		msg["photo"] = []any{map[string]any{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 90, "height": 90}}
		msg["caption"] = "/typo " + h.arg()
	case 3:
		return map[string]any{"poll": map[string]any{"id": "7", "question": "?", "options": []any{}, "total_voter_count": 0}}
	case 4:
		return map[string]any{"message_reaction": map[string]any{"chat": map[string]any{"id": u, "type": "private"}, "message_id": 1}}
	default:
		return map[string]any{"chat_join_request": map[string]any{"chat": map[string]any{"id": h.group(), "type": "group"}}}
	}
	return m
}

// malformed updates decode badly or carry impossible values.
func (h *hostile) malformed() any {
	h.kinds["malformed"]++
	u := h.user()
	cases := []map[string]any{
		{"message": "oops"},
		{"message": map[string]any{"chat": "x"}},
		{"callback_query": 5},
		{},
		{"message": map[string]any{"message_id": 1, "chat": map[string]any{"id": 1e300, "type": "private"}, "date": 0, "text": "/start"}},
		{"message": map[string]any{"message_id": 1, "from": map[string]any{"id": u}, "chat": map[string]any{"id": u, "type": "private"}, "date": 0,
			"text": "/start", "entities": []any{map[string]any{"type": "bot_command", "offset": 0, "length": 999}}}},
		{"message": map[string]any{"message_id": 1, "from": map[string]any{"id": u}, "chat": map[string]any{"id": u, "type": "private"}, "date": 0,
			"text": "/help", "entities": []any{map[string]any{"type": "bot_command", "offset": -3, "length": 2}}}},
		{"message": map[string]any{"message_id": 1, "chat": map[string]any{"id": u, "type": "private"}, "date": 0, "text": "/help"}}, // no from
		{"my_chat_member": map[string]any{"chat": map[string]any{"id": u, "type": "private"}}},
		{"edited_message": map[string]any{"message_id": "one", "date": "today"}},
	}
	if h.rnd.IntN(4) == 0 {
		p := poisonUpdates(u)
		return p[h.rnd.IntN(len(p))]
	}
	return cases[h.rnd.IntN(len(cases))]
}

// poisonUpdates decode, but without the chat or sender the poller reads to
// group them: they crash the bot (TestPoisonUpdateDoesNotKillTheBot).
func poisonUpdates(u int64) []map[string]any {
	return []map[string]any{
		{"callback_query": map[string]any{"id": "poison-1", "data": "news:all:1"}},                                                        // no from, no message
		{"callback_query": map[string]any{"id": "poison-2", "from": map[string]any{"id": u}, "message": map[string]any{"message_id": 1}}}, // message without chat
		{"message": map[string]any{"message_id": 1, "from": nil, "chat": nil, "text": nil}},
		{"edited_message": map[string]any{"message_id": 1, "text": "/help"}},
		{"channel_post": map[string]any{"message_id": 1, "text": "/start"}},
	}
}

// rawUpdate is a malformed update as raw JSON with the given id: things a
// map cannot say (invalid UTF-8, lone surrogates, huge numbers, deep nesting).
func (h *hostile) rawUpdate(id int64) string {
	h.kinds["raw malformed JSON"]++
	u := h.user()
	msg := func(text string) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"from":{"id":%d,"is_bot":false,"first_name":"x"},"chat":{"id":%d,"type":"private"},"date":%d,"text":%s}}`,
			id, u, u, time.Now().Unix(), text)
	}
	switch h.rnd.IntN(6) {
	case 0:
		return msg("\"/help \xff\xfe\xc0\xaf\"")
	case 1:
		return msg(`"\ud800\udfff\udbff /subscribe \ud800"`)
	case 2:
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1e400,"chat":{"id":-1e400}}}`, id)
	case 3:
		return fmt.Sprintf(`{"update_id":%d,"message":%s1%s}`, id, strings.Repeat("[", 5000), strings.Repeat("]", 5000))
	case 4:
		return fmt.Sprintf(`{"update_id":%d,"message":{"text":"a","text":{"b":1}},"message":null}`, id)
	}
	return msg(`"` + strings.Repeat(`\u0000`, 1000) + `"`)
}
