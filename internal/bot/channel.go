package bot

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/gubkin-news/newsbot/internal/news"
)

// channelName is a public channel's @username (5–32 letters, digits, _).
var channelName = regexp.MustCompile(`^@?[A-Za-z][A-Za-z0-9_]{3,31}$`)

// RegisterChannels adds /connect @channel, /channel and /disconnect: a
// channel's admin manages its sections from a private chat with the bot.
func (b *Bot) RegisterChannels(subs *subsHandlers) {
	h := channelHandlers{subs}
	b.Command("connect", h.connect, PrivateOnly)
	b.Command("channel", h.show, PrivateOnly)
	b.Command("disconnect", h.disconnect, PrivateOnly)
}

type channelHandlers struct{ subs *subsHandlers }

// connect checks that the channel exists, that the sender administers it and
// that the bot may post there, and says what is missing if not.
func (h channelHandlers) connect(c *Ctx) error {
	name := strings.TrimSpace(c.Args)
	if !channelName.MatchString(name) {
		return Reply("channel_usage", nil)
	}
	name = "@" + strings.TrimPrefix(name, "@")
	ch, err := h.getChat(c, name)
	if err != nil || ch.Type != "channel" {
		return Reply("channel_not_found", map[string]any{"Name": name})
	}
	if ok, err := c.IsAdmin(ch.ID, c.UserID()); err != nil || !ok {
		return Reply("channel_not_admin", map[string]any{"Name": name})
	}
	if ok, err := h.botCanPost(c, ch.ID); err != nil || !ok {
		return Reply("channel_bot_not_admin", map[string]any{"Name": name})
	}
	rec := news.Chat{ID: ch.ID, Type: "channel", Title: ch.Title, Lang: c.Lang}
	if _, _, err := c.B.Chats.Ensure(c, rec, c.B.Now()); err != nil {
		return err
	}
	if err := c.B.Channels.Connect(c, c.UserID(), ch.ID); err != nil {
		return err
	}
	return h.keyboard(c, ch.ID, "channel_connected", name)
}

func (h channelHandlers) show(c *Ctx) error {
	id, err := c.B.Channels.Connected(c, c.UserID())
	if err != nil {
		return err
	}
	if id == 0 {
		return Reply("channel_none", nil)
	}
	if ok, err := c.IsAdmin(id, c.UserID()); err != nil || !ok {
		_ = c.B.Channels.Disconnect(c, c.UserID())
		return Reply("channel_none", nil)
	}
	return h.keyboard(c, id, "channel_sections", "")
}

func (h channelHandlers) keyboard(c *Ctx, id int64, text, name string) error {
	kb, err := h.subs.markup(c, id, "sub:c:")
	if err != nil {
		return err
	}
	return c.Reply(c.T(text, map[string]any{"Name": name}), kb)
}

func (h channelHandlers) disconnect(c *Ctx) error {
	if err := c.B.Channels.Disconnect(c, c.UserID()); err != nil {
		return err
	}
	return c.Reply(c.T("channel_disconnected", nil), nil)
}

type chatInfo struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

func (h channelHandlers) getChat(c *Ctx, name string) (chatInfo, error) {
	var ch chatInfo
	raw, err := c.B.API.Call(c, "getChat", tgbotapi.Params{"chat_id": name})
	if err == nil {
		err = json.Unmarshal(raw, &ch)
	}
	return ch, err
}

// botCanPost asks whether the bot is an administrator allowed to post.
func (h channelHandlers) botCanPost(c *Ctx, channel int64) (bool, error) {
	raw, err := c.B.API.Call(c, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(channel, 10), "user_id": strconv.FormatInt(c.B.BotID, 10)})
	if err != nil {
		return false, err
	}
	var m struct {
		Status  string `json:"status"`
		CanPost *bool  `json:"can_post_messages"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return false, err
	}
	return m.Status == "creator" || m.Status == "administrator" && (m.CanPost == nil || *m.CanPost), nil
}
