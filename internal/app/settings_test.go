package app

import (
	"testing"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func TestSettingsTypedAndByButtons(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.say(8001, "/settings digest 19:00")
	e.waitText(8001, "19:00")
	e.say(8001, "/settings quiet 25:00-07:00")
	e.waitText(8001, "25:00")
	e.say(8001, "/settings")
	e.waitText(8001, "Изменить")
	e.fake.AddUpdate(telegramtest.CallbackQuery(8001, 8001, 1, "set:quiet"))
	e.waitText(8001, "23:00")
}
