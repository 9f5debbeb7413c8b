package telegramtest

import (
	"context"
	"encoding/json"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// handler answers one known method with its result JSON, or an error.
type handler func(s *Server, ctx context.Context, c Call) (json.RawMessage, *APIError)

// handlers are the methods the fake knows, by lower-case name (Telegram's
// method names are case-insensitive). Anything else is 404, as on Telegram.
var handlers = map[string]handler{
	"getme":                  (*Server).getMe,
	"getupdates":             (*Server).getUpdates,
	"getwebhookinfo":         (*Server).getWebhookInfo,
	"sendmessage":            (*Server).sendMessage,
	"sendphoto":              (*Server).sendMessage,
	"editmessagetext":        (*Server).editMessage,
	"editmessagecaption":     (*Server).editMessage,
	"editmessagereplymarkup": (*Server).editMessage,
	"getchat":                (*Server).getChat,
	"getchatmember":          (*Server).getChatMember,
	"getchatadministrators":  (*Server).getChatAdministrators,
	"getmycommands":          constant("[]"),
	"deletewebhook":          constant("true"),
	"setwebhook":             constant("true"),
	"setmycommands":          constant("true"),
	"deletemycommands":       constant("true"),
	"setmydescription":       constant("true"),
	"setmyshortdescription":  constant("true"),
	"setchatmenubutton":      constant("true"),
	"answercallbackquery":    constant("true"),
	"deletemessage":          constant("true"),
	"sendchataction":         constant("true"),
	"pinchatmessage":         constant("true"),
	"unpinchatmessage":       constant("true"),
	"leavechat":              constant("true"),
}

func constant(result string) handler {
	return func(*Server, context.Context, Call) (json.RawMessage, *APIError) {
		return json.RawMessage(result), nil
	}
}

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		panic("telegramtest: " + err.Error()) // only our own maps are marshalled
	}
	return data
}

func (s *Server) getMe(context.Context, Call) (json.RawMessage, *APIError) {
	me := botUser()
	me["can_join_groups"] = true
	me["can_read_all_group_messages"] = false
	me["supports_inline_queries"] = false
	return mustJSON(me), nil
}

func (s *Server) getWebhookInfo(context.Context, Call) (json.RawMessage, *APIError) {
	return mustJSON(map[string]any{"url": "", "has_custom_certificate": false,
		"pending_update_count": s.Pending()}), nil
}

// sendMessage answers sendMessage and sendPhoto with the new Message.
func (s *Server) sendMessage(_ context.Context, c Call) (json.RawMessage, *APIError) {
	chatID, _ := chatIDOf(c) // validate made sure it is there
	msg := s.message(c, chatID, s.chats.nextMessageID(chatID))
	if strings.EqualFold(c.Method, "sendPhoto") {
		msg["photo"] = []map[string]any{
			{"file_id": "AgACAgIAAxk-fake-small", "file_unique_id": "AQADfake1", "width": 90, "height": 60},
			{"file_id": "AgACAgIAAxk-fake-large", "file_unique_id": "AQADfake2", "width": 1280, "height": 853},
		}
	}
	s.sent.Add(1)
	return mustJSON(msg), nil
}

// editMessage answers the three edits with the edited Message, or true for
// an inline message.
func (s *Server) editMessage(_ context.Context, c Call) (json.RawMessage, *APIError) {
	if _, inline := c.Params["inline_message_id"]; inline {
		return json.RawMessage("true"), nil
	}
	chatID, _ := chatIDOf(c)
	msgID, _ := intParam(c.Params, "message_id")
	msg := s.message(c, chatID, int(msgID))
	msg["edit_date"] = time.Now().Unix()
	return mustJSON(msg), nil
}

// message builds the Message the bot just sent or edited, from its params.
func (s *Server) message(c Call, chatID int64, msgID int) map[string]any {
	p := c.Params
	msg := map[string]any{"message_id": msgID, "from": botUser(), "chat": s.chats.object(chatID),
		"date": time.Now().Unix()}
	if t, ok := p["text"]; ok {
		msg["text"] = visibleText(t, p["parse_mode"])
	}
	if t, ok := p["caption"]; ok {
		msg["caption"] = visibleText(t, p["parse_mode"])
	}
	if m := p["reply_markup"]; m != "" && json.Valid([]byte(m)) {
		msg["reply_markup"] = json.RawMessage(m)
	}
	if id, ok := intParam(p, "message_thread_id"); ok {
		msg["message_thread_id"] = id
	}
	return msg
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// visibleText is the text as Telegram stores it: markup parsed away.
func visibleText(text, parseMode string) string {
	if !strings.EqualFold(parseMode, "HTML") {
		return text
	}
	return html.UnescapeString(htmlTag.ReplaceAllString(text, ""))
}

func (s *Server) getChat(_ context.Context, c Call) (json.RawMessage, *APIError) {
	id, _ := chatIDOf(c)
	return mustJSON(s.chats.object(id)), nil
}

func (s *Server) getChatMember(_ context.Context, c Call) (json.RawMessage, *APIError) {
	chatID, _ := chatIDOf(c)
	userID, ok := intParam(c.Params, "user_id")
	if !ok {
		e := badRequest("user not found")
		return nil, &e
	}
	return mustJSON(member(userID, s.chats.status(chatID, userID))), nil
}

// getChatAdministrators lists the members set to "creator" or "administrator".
func (s *Server) getChatAdministrators(_ context.Context, c Call) (json.RawMessage, *APIError) {
	chatID, _ := chatIDOf(c)
	admins := []map[string]any{}
	all := s.chats.members(chatID)
	for _, userID := range slices.Sorted(maps.Keys(all)) {
		if status := all[userID]; status == "creator" || status == "administrator" {
			admins = append(admins, member(userID, status))
		}
	}
	return mustJSON(admins), nil
}

func member(userID int64, status string) map[string]any {
	u := userObject(userID)
	if userID == BotID {
		u = botUser()
	}
	m := map[string]any{"user": u, "status": status}
	if status == "creator" || status == "administrator" {
		m["is_anonymous"] = false
	}
	return m
}

// chatBook remembers chats seen in updates or set by tests, members'
// statuses and the last message id per chat.
type chatBook struct {
	mu       sync.Mutex
	known    map[int64]chatInfo
	statuses map[[2]int64]string
	lastMsg  map[int64]int
}

type chatInfo struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	FirstName string `json:"first_name"`
	Username  string `json:"username"`
}

// SetChatType registers a chat's type ("private", "group", "supergroup",
// "channel"), e.g. to answer for a channel; otherwise the id's sign decides.
func (s *Server) SetChatType(chatID int64, typ string) {
	info := defaultChat(chatID)
	info.Type = typ
	s.chats.remember(info)
}

// SetMember sets a user's status in a chat for getChatMember (default "member").
func (s *Server) SetMember(chatID, userID int64, status string) {
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	if s.chats.statuses == nil {
		s.chats.statuses = map[[2]int64]string{}
	}
	s.chats.statuses[[2]int64{chatID, userID}] = status
}

func (b *chatBook) remember(info chatInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.known == nil {
		b.known = map[int64]chatInfo{}
	}
	b.known[info.ID] = info
}

// learn registers the chats an update carries, so answers match them.
// Malformed updates are simply not learned from.
func (b *chatBook) learn(raw []byte) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return
	}
	for _, v := range fields {
		var holder struct {
			Chat    *chatInfo `json:"chat"`
			Message *struct {
				Chat *chatInfo `json:"chat"`
			} `json:"message"`
		}
		if json.Unmarshal(v, &holder) != nil {
			continue
		}
		if holder.Chat != nil && holder.Chat.Type != "" {
			b.remember(*holder.Chat)
		}
		if holder.Message != nil && holder.Message.Chat != nil && holder.Message.Chat.Type != "" {
			b.remember(*holder.Message.Chat)
		}
	}
}

func (b *chatBook) object(id int64) map[string]any {
	b.mu.Lock()
	info, ok := b.known[id]
	b.mu.Unlock()
	if !ok {
		info = defaultChat(id)
	}
	return info.object()
}

func (b *chatBook) nextMessageID(chatID int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lastMsg == nil {
		b.lastMsg = map[int64]int{}
	}
	b.lastMsg[chatID]++
	return b.lastMsg[chatID]
}

func (b *chatBook) status(chatID, userID int64) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st, ok := b.statuses[[2]int64{chatID, userID}]; ok {
		return st
	}
	return "member"
}

func (b *chatBook) members(chatID int64) map[int64]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[int64]string{}
	for k, st := range b.statuses {
		if k[0] == chatID {
			out[k[1]] = st
		}
	}
	return out
}
