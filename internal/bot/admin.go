package bot

import (
	"encoding/json"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// CanManage tells whether the sender may change this chat's settings: anyone
// in a private chat, an administrator (asked with getChatMember) in a group.
func (c *Ctx) CanManage() (bool, error) {
	if c.Private() {
		return true, nil
	}
	if c.From == nil {
		return false, nil
	}
	return c.IsAdmin(c.ChatID, c.From.ID)
}

// IsAdmin asks Telegram whether user administers chat.
func (c *Ctx) IsAdmin(chat, user int64) (bool, error) {
	status, err := c.MemberStatus(chat, user)
	return status == "administrator" || status == "creator", err
}

// MemberStatus is the user's status in a chat (creator, administrator, member, left, kicked).
func (c *Ctx) MemberStatus(chat, user int64) (string, error) {
	raw, err := c.B.API.Call(c, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chat, 10), "user_id": strconv.FormatInt(user, 10)})
	if err != nil {
		return "", err
	}
	var m struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	return m.Status, nil
}

// RequireManager returns a UserError for a group member who is not an admin.
func (c *Ctx) RequireManager() error {
	ok, err := c.CanManage()
	if err != nil {
		return err
	}
	if !ok {
		return Reply("admins_only", nil)
	}
	return nil
}
