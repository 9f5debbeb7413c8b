package feed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

func TestLoadTheExampleCategoriesFile(t *testing.T) {
	cats, err := LoadCategories("testdata/categories.toml")
	if err != nil || len(cats) != 6 {
		t.Fatalf("LoadCategories = %d, %v", len(cats), err)
	}
	if c := cats[0]; c.Name != "Город" || c.Slug != "obshchestvo" || c.Emoji != "🏙" || len(c.Aliases) != 2 {
		t.Fatalf("first = %+v", c)
	}
	if !cats[5].Hidden || cats[1].Slug != "" {
		t.Fatalf("hidden or default slug wrong: %+v %+v", cats[5], cats[1])
	}
	if _, err := store.NewCategories(redistest.New(t), cats); err != nil {
		t.Fatalf("the example file does not build: %v", err)
	}
	if none, err := LoadCategories(""); none != nil || err != nil {
		t.Fatalf("no file = %v, %v", none, err)
	}
}

func TestBadCategoriesFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"syntax":      "[[category]\nname = \"x\"",
		"unknown key": "[[category]]\nname = \"Спорт\"\nicon = \"⚽\"",
		"no name":     "[[category]]\nemoji = \"⚽\"",
		"bad slug":    "[[category]]\nname = \"Спорт\"\nslug = \"Спорт!\"",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".toml")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCategories(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, err := LoadCategories(filepath.Join(dir, "missing.toml")); err == nil {
		t.Error("a missing file must be an error")
	}
	conflict := filepath.Join(dir, "conflict.toml")
	_ = os.WriteFile(conflict, []byte("[[category]]\nname = \"Спорт\"\n[[category]]\nname = \"Футбол\"\naliases = [\"спорт\"]"), 0o600)
	if _, err := New(Config{CategoriesFile: conflict}, redistest.New(t), nil, nil); err == nil {
		t.Error("New must refuse a file whose alias names another category")
	}
}
