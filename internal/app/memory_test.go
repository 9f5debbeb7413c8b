package app

import (
	"testing"
	"time"
)

// TestMemoryStoreRunsTheWholeBot: REDIS_URL=memory:// (the quick try) runs
// every part, fan-out and delivery included, on the in-process store.
func TestMemoryStoreRunsTheWholeBot(t *testing.T) {
	e, site := newsEnv(t)
	e.vars["REDIS_URL"] = "memory://"
	r := e.start()
	waitSection(e, r, "Общество")
	e.say(9101, "/subscribe Общество")
	e.waitText(9101, "Подписка оформлена")
	site.add("mem-1", "Новость из памяти", "Общество", time.Now())
	e.waitText(9101, "Новость из памяти")
}
