package bot

import (
	"strings"

	"github.com/gubkin-news/newsbot/internal/typo"
)

// status is an editor's «✅ Исправлено» / «✖ Отклонить».
func (h *typoHandlers) status(c *Ctx) error {
	st, id, err := typo.ParseCallback(c.Data)
	if err != nil {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	name := strings.TrimSpace(c.From.FirstName + " " + c.From.LastName)
	r, changed, err := h.d.Service.SetStatus(c, id, st, c.From.ID, name)
	if err != nil {
		return err
	}
	return c.Answer(h.d.Service.CallbackAnswer(c.Lang, r, changed), false)
}

func (h *typoHandlers) reports(c *Ctx) error {
	n, err := h.d.Service.CountOpen(c)
	if err != nil {
		return err
	}
	list, err := h.d.Service.Open(c, 20)
	if err != nil {
		return err
	}
	return c.Reply(h.d.Service.ReportsText(c.Lang, list, n), nil)
}
