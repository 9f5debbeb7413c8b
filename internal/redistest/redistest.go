// Package redistest gives tests a real Redis: REDIS_URL when set, else a private
// redis-server on a free port when one is on PATH, else an in-process miniredis
// (said in the test log). NEWSBOT_TEST_REAL_REDIS=1 refuses the fallback.
// Each call gets its own key prefix, deleted when the test ends.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/store"
)

var (
	once    sync.Once
	shared  string // address or URL of the server all tests in this process share
	kind    string
	initErr error
	counter atomic.Int64
)

// New returns a Store on a real Redis with a fresh prefix, cleaned up after the test.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	url := URL(tb)
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("redistest: parse %q: %v", url, err)
	}
	c := redis.NewClient(opts)
	prefix := fmt.Sprintf("newsbot-test:%d:%d:%s:", os.Getpid(), counter.Add(1), sanitize(tb.Name()))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Flush(ctx, c, prefix)
		_ = c.Close()
	})
	return store.New(c, prefix)
}

// URL returns the redis:// URL of the test server, starting one if needed.
func URL(tb testing.TB) string {
	tb.Helper()
	once.Do(setup)
	if initErr != nil {
		tb.Fatalf("redistest: %v", initErr)
	}
	if kind == "miniredis" {
		tb.Logf("redistest: no Redis server found; using in-process miniredis (set REDIS_URL for a real one)")
	}
	return shared
}

// Flush deletes every key under prefix.
func Flush(ctx context.Context, c redis.UniversalClient, prefix string) {
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) >= 500 {
			c.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		c.Del(ctx, keys...)
	}
}

func setup() {
	if u := os.Getenv("REDIS_URL"); u != "" {
		shared, kind = u, "env"
		return
	}
	if path, err := exec.LookPath("redis-server"); err == nil {
		addr, err := StartServer(path)
		if err == nil {
			shared, kind = "redis://"+addr+"/0", "private"
			return
		}
		initErr = err
	}
	if os.Getenv("NEWSBOT_TEST_REAL_REDIS") == "1" {
		initErr = fmt.Errorf("NEWSBOT_TEST_REAL_REDIS=1 but no Redis: set REDIS_URL or put redis-server on PATH (%v)", initErr)
		return
	}
	m, err := miniredis.Run()
	if err != nil {
		initErr = err
		return
	}
	initErr = nil
	shared, kind = "redis://"+m.Addr()+"/0", "miniredis"
}

// StartServer starts a private redis-server on a free loopback port, keeping
// nothing on disk, and waits until it answers. It dies with the test process
// (Linux parent-death signal).
func StartServer(path string) (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	// The server must not outlive the tests: the kernel stops it when the
	// test process goes, however it goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start redis-server: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if c.Ping(context.Background()).Err() == nil {
			return addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", fmt.Errorf("redis-server on %s did not answer in 10s", addr)
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func sanitize(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == ' ' || c == '*' || c == '?' || c == '[' || c == ']' {
			b[i] = '_'
		}
	}
	return string(b)
}
