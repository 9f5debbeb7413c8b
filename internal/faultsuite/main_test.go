//go:build integration

package faultsuite

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// suite is what TestMain prepares for every test.
var suite struct {
	dir      string     // temp dir: the binary, every process's log, Redis data
	bin      string     // the newsbot binary
	redis    *redisProc // shared Redis (no persistence); each test has its own prefix
	upstream string     // 127.0.0.1 stand-in for weather and rates: always 503
}

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	dir, err := os.MkdirTemp("", "faultsuite-")
	if err != nil {
		fmt.Println("faultsuite:", err)
		return 1
	}
	suite.dir = dir
	if code := prepare(); code != 0 {
		_ = os.RemoveAll(dir)
		return code
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream is down in the fault suite", http.StatusServiceUnavailable)
	}))
	suite.upstream = upstream.URL
	start := time.Now()
	code := m.Run()
	upstream.Close()
	suite.redis.stop()
	if scanCode := scanForToken(dir); scanCode != 0 {
		code = scanCode
	}
	if raceBot() {
		figure("data races in the bot (built with -race)", fmt.Sprint(races.Load()))
	}
	figure("suite run time", time.Since(start).Round(time.Second).String())
	printFigures()
	if code == 0 && os.Getenv("FAULTSUITE_KEEP") == "" {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Println("faultsuite: logs kept in", dir)
	}
	return code
}

// prepare builds the bot and starts the shared Redis.
func prepare() int {
	redisPath, err := exec.LookPath("redis-server")
	if err != nil {
		fmt.Println("faultsuite: redis-server is not on PATH (apt-get install redis-server); the suite needs a real one")
		return 1
	}
	suite.bin = filepath.Join(suite.dir, "newsbot")
	args := []string{"build", "-o", suite.bin}
	if raceBot() {
		args = append(args, "-race")
	}
	args = append(args, "github.com/gubkin-news/newsbot/cmd/newsbot")
	began := time.Now()
	if out, err := exec.Command(goTool(), args...).CombinedOutput(); err != nil {
		fmt.Printf("faultsuite: go build: %v\n%s", err, out)
		return 1
	}
	fmt.Printf("faultsuite: built %s in %v (race=%v)\n", suite.bin, time.Since(began).Round(time.Millisecond), raceBot())
	suite.redis, err = startRedis(redisPath, filepath.Join(suite.dir, "redis-shared"), false)
	if err != nil {
		fmt.Println("faultsuite:", err)
		return 1
	}
	return 0
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// scanForToken reads everything every process of the suite wrote: the bot
// token must appear nowhere, neither as is nor URL-escaped.
func scanForToken(dir string) int {
	_, secret, _ := strings.Cut(telegramtest.Token, ":") // the part after the bot id, alone
	secrets := []string{telegramtest.Token, url.QueryEscape(telegramtest.Token), url.PathEscape(telegramtest.Token), secret}
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	total, redacted := 0, 0
	code := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Println("faultsuite: token scan:", err)
			return 1
		}
		total += len(data)
		redacted += strings.Count(string(data), "<redacted>") + strings.Count(string(data), "<token>")
		for _, s := range secrets {
			if i := strings.Index(string(data), s); i >= 0 {
				fmt.Printf("FAIL: the bot token appears in %s: …%s…\n", filepath.Base(f), data[max(0, i-200):i])
				code = 1
			}
		}
	}
	if total < 10_000 {
		fmt.Printf("FAIL: only %d bytes of logs in %d files: too little to judge the token scan\n", total, len(files))
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
			return code // a few tests were picked: the scan stands, the size check does not
		}
		return 1
	}
	figure("token occurrences in the logs of every process", fmt.Sprintf("0 (%d files, %d KB scanned, %d redacted mentions)", len(files), total/1024, redacted))
	return code
}

// figures are the measured numbers, printed as one markdown table at the end.
var figures struct {
	mu   sync.Mutex
	rows [][2]string
}

func figure(name, value string) {
	figures.mu.Lock()
	defer figures.mu.Unlock()
	figures.rows = append(figures.rows, [2]string{name, value})
}

// report logs a figure in the test and keeps it for the summary table.
func report(t testing.TB, name, format string, args ...any) {
	t.Helper()
	v := fmt.Sprintf(format, args...)
	t.Logf("FIGURE %s: %s", name, v)
	figure(name, v)
}

// printFigures prints the table (go test shows it with -v or on failure)
// and writes it to faultsuite-figures.md in the system's temp dir.
func printFigures() {
	figures.mu.Lock()
	defer figures.mu.Unlock()
	var b strings.Builder
	b.WriteString("| figure | value |\n|---|---|\n")
	for _, r := range figures.rows {
		fmt.Fprintf(&b, "| %s | %s |\n", r[0], strings.ReplaceAll(r[1], "|", "/"))
	}
	path := filepath.Join(os.TempDir(), "faultsuite-figures.md")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		path = err.Error()
	}
	fmt.Printf("\n%s\n(also in %s)\n", b.String(), path)
}

var prefixes atomic.Int64

// prefix is a fresh Redis key prefix for one test.
func prefix(t testing.TB) string {
	return fmt.Sprintf("fs%d:%s:", prefixes.Add(1), strings.ReplaceAll(t.Name(), "/", "-"))
}

func raceBot() bool { return os.Getenv("FAULTSUITE_RACE") == "1" }

// races counts the bots whose logs hold a data race report.
var races atomic.Int64

// memoryLimitMB is limit, or five times it for a bot built with -race
// (the race detector multiplies memory use by 5 to 10).
func memoryLimitMB(limit float64) float64 {
	if raceBot() {
		return 5 * limit
	}
	return limit
}
