//go:build integration

package faultsuite

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

var logSeq atomic.Int64

// logFile creates the next log file of the suite; TestMain scans them all.
func logFile(kind, name string) (*os.File, error) {
	name = strings.NewReplacer("/", "-", " ", "_").Replace(name)
	return os.Create(filepath.Join(suite.dir, fmt.Sprintf("%03d-%s-%s.log", logSeq.Add(1), kind, name)))
}

// bot is one running newsbot process, its stdout and stderr in a log file.
type bot struct {
	t       testing.TB
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	err     error // from Wait, once exited is closed
}

// botEnv is what every copy of the bot in the suite runs with: the fake Bot
// API, a Redis prefix, JSON logs, short timeouts, and nothing outside 127.0.0.1.
func botEnv(fake *telegramtest.Server, redisURL, prefix string) map[string]string {
	return map[string]string{
		"TELEGRAM_TOKEN":    fake.Token(),
		"TELEGRAM_API_URL":  fake.URL(),
		"REDIS_URL":         redisURL,
		"REDIS_PREFIX":      prefix,
		"HTTP_ADDR":         "127.0.0.1:0",
		"LOG_FORMAT":        "json",
		"LOG_LEVEL":         "info",
		"POLL_TIMEOUT":      "1s",
		"SHUTDOWN_TIMEOUT":  "3s",
		"LEADER_TTL":        "3s",
		"EDITOR_IDS":        "900",
		"WEATHER_API_URL":   suite.upstream + "/weather",
		"RATES_API_URL":     suite.upstream + "/rates",
		"UPSTREAM_TIMEOUT":  "2s",
		"USER_RATE_PER_MIN": "20",
	}
}

// startBot runs the binary with exactly env (plus PATH), killed at the
// test's end if it still runs.
func startBot(t testing.TB, name string, env map[string]string) *bot {
	t.Helper()
	f, err := logFile("bot", t.Name()+"-"+name)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(suite.bin)
	cmd.SysProcAttr = dieWithUs()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GORACE=halt_on_error=0"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start newsbot: %v", err)
	}
	b := &bot{t: t, cmd: cmd, logPath: f.Name(), exited: make(chan struct{})}
	go func() {
		b.err = cmd.Wait()
		f.Close()
		close(b.exited)
	}()
	t.Cleanup(func() {
		if b.alive() {
			b.kill()
		}
		if strings.Contains(b.logs(), "WARNING: DATA RACE") {
			races.Add(1)
			t.Errorf("the race detector reported a data race in the bot: see %s", b.logPath)
		}
	})
	return b
}

func (b *bot) pid() int { return b.cmd.Process.Pid }

func (b *bot) alive() bool {
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and requires a clean exit (status 0) within 20 s.
func (b *bot) stop() {
	b.t.Helper()
	if !b.alive() {
		b.t.Fatalf("newsbot (pid %d) had already exited: %v\n%s", b.pid(), b.err, b.tail(30))
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(20 * time.Second):
		b.kill()
		b.t.Fatalf("newsbot did not stop within 20 s of SIGTERM\n%s", b.tail(30))
	}
	if b.err != nil {
		b.t.Errorf("newsbot exited with %v after SIGTERM, want status 0\n%s", b.err, b.tail(30))
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (b *bot) kill() {
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.t.Errorf("newsbot (pid %d) survived SIGKILL for 10 s", b.pid())
	}
}

func (b *bot) logs() string {
	data, _ := os.ReadFile(b.logPath)
	return string(data)
}

func (b *bot) tail(n int) string {
	lines := strings.Split(strings.TrimRight(b.logs(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// records are the bot's JSON log lines (others, such as a panic's trace, are skipped).
func (b *bot) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.logs()))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// memory is the process's resident set now and at its peak, in MB.
func (b *bot) memory() (rssMB, peakMB float64) {
	b.t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.pid()))
	if err != nil {
		b.t.Fatalf("read the bot's memory: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rssMB = kb / 1024
		case "VmHWM:":
			peakMB = kb / 1024
		}
	}
	return rssMB, peakMB
}

// redisProc is a redis-server of the suite on a fixed port and directory,
// so it can be stopped and started again as the same server.
type redisProc struct {
	path, dir string
	port      int
	aof       bool
	cmd       *exec.Cmd
	exited    chan struct{}
}

func startRedis(path, dir string, aof bool) (*redisProc, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := redistest.FreePort()
	if err != nil {
		return nil, err
	}
	r := &redisProc{path: path, dir: dir, port: port, aof: aof}
	return r, r.start()
}

// start runs redis-server and waits until it answers PING.
func (r *redisProc) start() error {
	f, err := logFile("redis", filepath.Base(r.dir))
	if err != nil {
		return err
	}
	args := []string{"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--daemonize", "no", "--logfile", ""}
	if r.aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	r.cmd = exec.Command(r.path, args...)
	r.cmd.SysProcAttr = dieWithUs()
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start redis-server: %w", err)
	}
	r.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); f.Close(); close(done) }(r.cmd, r.exited)
	c := r.client()
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
	}
	r.kill()
	return fmt.Errorf("redis-server on port %d did not answer within 10 s", r.port)
}

func (r *redisProc) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisProc) client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port), MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
}

// kill is kill -9: what appendfsync always wrote is all that survives.
func (r *redisProc) kill() { r.signal(syscall.SIGKILL) }

// term is SIGTERM: Redis fsyncs its AOF and exits.
func (r *redisProc) term() { r.signal(syscall.SIGTERM) }

func (r *redisProc) stop() {
	if r != nil {
		r.term()
	}
}

func (r *redisProc) signal(sig syscall.Signal) {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(sig)
	select {
	case <-r.exited:
	case <-time.After(15 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// dieWithUs makes a child get SIGKILL if the test binary dies first (a
// -timeout panic skips every cleanup).
func dieWithUs() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// storeFor is a store on r under prefix, closed at the test's end.
func storeFor(t testing.TB, r *redisProc, prefix string) *store.Store {
	c := r.client()
	t.Cleanup(func() { _ = c.Close() })
	return store.New(c, prefix)
}

// waitUntil polls cond every 25 ms until it holds, failing the test with
// what after timeout.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	waitEvery(t, 25*time.Millisecond, timeout, what, cond)
}

// waitEvery is waitUntil polling every interval: short for a cheap cond
// whose moment matters (when to kill), longer for costly ones.
func waitEvery(t testing.TB, interval, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !poll(timeout, interval, cond) {
		t.Fatalf("waited %v for %s", timeout, what)
	}
}

// poll tells whether cond came true within timeout.
func poll(timeout, every time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return cond()
		}
		<-tick.C
	}
	return true
}
