package delivery_test

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

// redisProc is a private redis-server the test can kill and start again on
// the same port and data (appendfsync always: what was acknowledged survives).
type redisProc struct {
	t    *testing.T
	path string
	dir  string
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisProc {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH")
	}
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &redisProc{t: t, path: path, dir: t.TempDir(), port: port}
	p.start()
	t.Cleanup(p.kill)
	return p
}

func (p *redisProc) addr() string { return fmt.Sprintf("127.0.0.1:%d", p.port) }

func (p *redisProc) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.path, "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1", "--dir", p.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always")
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: p.addr()})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			p.t.Fatalf("redis-server on %s did not answer", p.addr())
		}
		time.Sleep(10 * time.Millisecond) // polling
	}
}

func (p *redisProc) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

func TestSendingResumesAfterRedisComesBackAndNothingIsLost(t *testing.T) {
	srv := startRedis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.addr()})
	t.Cleanup(func() { _ = client.Close() })
	h := newHarnessOn(t, store.New(client, "outage:"))
	chats := span(1, 150)
	h.follow("city", chats...)
	e := h.engine("c1", func(c *delivery.Config, _ *delivery.Deps) { c.Rate = 40 })
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.run(e)

	h.waitFor(10*time.Second, func() bool { return h.tg.SentCount() >= 30 }, "30 sends before the outage")
	srv.kill()
	h.waitFor(10*time.Second, func() bool { return h.logs.Contains("Redis unavailable") || h.logs.Contains("read the stream") },
		"the engine to notice Redis is gone")
	during := h.tg.SentCount()
	srv.start()

	h.waitFor(30*time.Second, func() bool {
		for _, n := range h.received(chats...) {
			if n == 0 {
				return false
			}
		}
		return true
	}, "every chat to get the article after Redis came back")
	h.waitSettled(e)
	if dups := h.everyoneOnce(chats); dups > 4 {
		t.Fatalf("%d duplicates, want at most the sends in flight", dups)
	}
	if during >= len(chats) {
		t.Fatalf("the fan-out finished (%d) before Redis went away", during)
	}
}
