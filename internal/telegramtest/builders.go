package telegramtest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf16"
)

// supergroupIDBelow: ids of supergroups and channels look like -100xxxxxxxxxx.
const supergroupIDBelow = -1_000_000_000_000

// Defaults of the users and chats the builders make up.
const (
	UserFirstName = "Иван"
	UserLanguage  = "ru"
	GroupTitle    = "Губкин: жители"
	ChannelTitle  = "Губкин: новости"
)

// userMessageIDs numbers the messages users "send"; far from the bot's own
// per-chat ids so the two never collide in a test.
var userMessageIDs atomic.Int64

func init() { userMessageIDs.Store(100_000) }

// Update is an incoming update being built: a map that marshals to the JSON
// Telegram sends. Give it to AddUpdate; its methods change it in place and
// return it for chaining. Without an update_id, AddUpdate assigns one.
type Update map[string]any

// TextMessage is a message from userID in the private chat chatID, with a
// bot_command entity when text starts with "/".
func TextMessage(chatID, userID int64, text string) Update {
	chat := chatInfo{ID: chatID, Type: "private", FirstName: UserFirstName, Username: username(chatID)}
	return Update{"message": userMessage(chat.object(), userID, text)}
}

// GroupMessage is a message from userID in the group chatID: a supergroup for
// -100… ids, else a basic group.
func GroupMessage(chatID, userID int64, text string) Update {
	chat := defaultChat(chatID)
	if chat.Type == "private" {
		chat = chatInfo{ID: chatID, Type: "group", Title: GroupTitle}
	}
	return Update{"message": userMessage(chat.object(), userID, text)}
}

// EditedMessage is userID's edit of a message in chatID (type by the id's sign).
func EditedMessage(chatID, userID int64, text string) Update {
	m := userMessage(defaultChat(chatID).object(), userID, text)
	m["edit_date"] = time.Now().Unix()
	return Update{"edited_message": m}
}

// ChannelPost is a post in the channel chatID.
func ChannelPost(chatID int64, text string) Update {
	chat := chatInfo{ID: chatID, Type: "channel", Title: ChannelTitle}.object()
	return Update{"channel_post": map[string]any{
		"message_id": nextUserMessageID(), "sender_chat": chat, "chat": chat,
		"date": time.Now().Unix(), "text": text,
	}}
}

// CallbackQuery is userID pressing a button with data under the bot's
// message messageID in chatID.
func CallbackQuery(chatID, userID int64, messageID int, data string) Update {
	chat := defaultChat(chatID).object()
	return Update{"callback_query": map[string]any{
		"id":            fmt.Sprintf("cq%d", nextUserMessageID()),
		"from":          userObject(userID),
		"message":       botMessage(chat, messageID, "Новости Губкина"),
		"chat_instance": fmt.Sprintf("ci%d", chatID),
		"data":          data,
	}}
}

// MyChatMember is the bot's own status in chatID changing, by userID (for a
// private chat, "kicked" means the user blocked the bot).
func MyChatMember(chatID, userID int64, oldStatus, newStatus string) Update {
	return Update{"my_chat_member": map[string]any{
		"chat":            defaultChat(chatID).object(),
		"from":            userObject(userID),
		"date":            time.Now().Unix(),
		"old_chat_member": map[string]any{"user": botUser(), "status": oldStatus},
		"new_chat_member": map[string]any{"user": botUser(), "status": newStatus},
	}}
}

// MigrateMessage is the service message in the basic group chatID saying it
// became the supergroup newID.
func MigrateMessage(chatID, newID int64) Update {
	chat := chatInfo{ID: chatID, Type: "group", Title: GroupTitle}.object()
	return Update{"message": map[string]any{
		"message_id": nextUserMessageID(), "from": userObject(1), "chat": chat,
		"date": time.Now().Unix(), "migrate_to_chat_id": newID,
	}}
}

// WithLanguage sets the sender's language_code (default "ru"), e.g. "en".
func (u Update) WithLanguage(code string) Update {
	if from, ok := u.inner()["from"].(map[string]any); ok {
		from["language_code"] = code
	}
	return u
}

// ReplyTo makes the message a reply to the bot's message messageID with text.
func (u Update) ReplyTo(messageID int, text string) Update {
	if m := u.Message(); m != nil {
		m["reply_to_message"] = botMessage(m["chat"], messageID, text)
	}
	return u
}

// Quote sets the fragment of the replied message the user selected.
func (u Update) Quote(text string) Update {
	if m := u.Message(); m != nil {
		m["quote"] = map[string]any{"text": text, "position": 0}
	}
	return u
}

// Message is the message inside u (for a callback, the message under the
// button), to set any other field; nil if there is none.
func (u Update) Message() map[string]any {
	for _, kind := range []string{"message", "edited_message", "channel_post"} {
		if m, ok := u[kind].(map[string]any); ok {
			return m
		}
	}
	if cb, ok := u["callback_query"].(map[string]any); ok {
		m, _ := cb["message"].(map[string]any)
		return m
	}
	return nil
}

// inner is the object under the update's kind key, the one with "from".
func (u Update) inner() map[string]any {
	for _, kind := range []string{"message", "edited_message", "callback_query", "my_chat_member"} {
		if m, ok := u[kind].(map[string]any); ok {
			return m
		}
	}
	return nil
}

func userMessage(chat map[string]any, userID int64, text string) map[string]any {
	m := map[string]any{
		"message_id": nextUserMessageID(), "from": userObject(userID), "chat": chat,
		"date": time.Now().Unix(), "text": text,
	}
	if n := commandLength(text); n > 0 {
		m["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": n}}
	}
	return m
}

// commandLength is the UTF-16 length of a leading "/command" (with any
// "@botname"), as Telegram measures entities; 0 if there is none.
func commandLength(text string) int {
	if !strings.HasPrefix(text, "/") {
		return 0
	}
	cmd := text
	if i := strings.IndexFunc(cmd, unicode.IsSpace); i >= 0 {
		cmd = cmd[:i]
	}
	if len(cmd) < 2 {
		return 0
	}
	return len(utf16.Encode([]rune(cmd)))
}

func botMessage(chat any, messageID int, text string) map[string]any {
	return map[string]any{"message_id": messageID, "from": botUser(), "chat": chat,
		"date": time.Now().Unix(), "text": text}
}

func nextUserMessageID() int64 { return userMessageIDs.Add(1) }

func botUser() map[string]any {
	return map[string]any{"id": BotID, "is_bot": true, "first_name": BotFirstName, "username": BotUsername}
}

func userObject(id int64) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": UserFirstName,
		"username": username(id), "language_code": UserLanguage}
}

func username(id int64) string { return fmt.Sprintf("user%d", id) }

// defaultChat is a chat typed by its id: positive private, -100… supergroup,
// other negative a basic group. SetChatType or an update overrides it.
func defaultChat(id int64) chatInfo {
	switch {
	case id > 0:
		return chatInfo{ID: id, Type: "private", FirstName: UserFirstName, Username: username(id)}
	case id <= supergroupIDBelow:
		return chatInfo{ID: id, Type: "supergroup", Title: GroupTitle}
	default:
		return chatInfo{ID: id, Type: "group", Title: GroupTitle}
	}
}

// object is the chat as a JSON-ready map without empty fields.
func (c chatInfo) object() map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type}
	for k, v := range map[string]string{"title": c.Title, "first_name": c.FirstName, "username": c.Username} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
