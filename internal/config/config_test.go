package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"TELEGRAM_TOKEN": "123:abc"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis://127.0.0.1:6379/0" || c.RedisPrefix != "newsbot:" || c.DefaultLang != "ru" ||
		c.Timezone.String() != "Europe/Moscow" || c.HTTPAddr != "127.0.0.1:8080" || c.SendRate != 25 ||
		c.FeedSchedule != "@every 1m" || c.WeatherLat != 51.2833 {
		t.Fatalf("defaults wrong: %+v", c)
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"TIMEZONE": "Mars/Olympus", "SEND_RATE": "fast", "LOG_FORMAT": "xml", "EDITOR_IDS": "1,x",
		"FEED_SCHEDULE": "sometimes", "FEED_URLS": "ftp://x", "POLL_TIMEOUT": "90s",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"TELEGRAM_TOKEN", "TIMEZONE", "SEND_RATE", "LOG_FORMAT", "EDITOR_IDS", "FEED_SCHEDULE", "FEED_URLS", "POLL_TIMEOUT"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestTokenNeverEchoed(t *testing.T) {
	_, err := Load(env(map[string]string{"TELEGRAM_TOKEN": "secret-without-colon"}))
	if err == nil || strings.Contains(err.Error(), "secret-without-colon") {
		t.Fatalf("bad token error: %v", err)
	}
}

func TestSecretFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte("42:from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"TELEGRAM_TOKEN_FILE": p, "EDITOR_IDS": "1, 2"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "42:from-file" || !c.IsEditor(2) || c.IsEditor(3) {
		t.Fatalf("got %q %v", c.TelegramToken, c.EditorIDs)
	}
	_, err = Load(env(map[string]string{"TELEGRAM_TOKEN_FILE": p + ".missing"}))
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_TOKEN_FILE") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var b bytes.Buffer
	PrintHelp(&b)
	for _, n := range Names() {
		if !strings.Contains(b.String(), n) {
			t.Errorf("help lacks %s", n)
		}
	}
}

// TestReadmeTableIsTrue keeps the README's configuration table in step with the code.
func TestReadmeTableIsTrue(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README yet")
	}
	for _, n := range Names() {
		if !bytes.Contains(readme, []byte("`"+n+"`")) {
			t.Errorf("README's configuration table lacks `%s`", n)
		}
	}
	var ex []byte
	if ex, err = os.ReadFile("../../deploy/.env.example"); err != nil {
		t.Fatal("deploy/.env.example is missing")
	}
	for _, n := range Names() {
		if !bytes.Contains(ex, []byte(n+"=")) {
			t.Errorf("deploy/.env.example lacks %s", n)
		}
	}
}
