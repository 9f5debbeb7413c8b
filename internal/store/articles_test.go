package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func newArticles(t *testing.T) store.Articles {
	t.Helper()
	return store.Articles{S: redistest.New(t), Retention: 48 * time.Hour, Now: func() time.Time { return t0 }}
}

func art(id string, ago time.Duration) news.Article {
	return news.Article{ID: id, URL: "https://gubkin.example/news/" + id, Title: "Title " + id,
		Published: t0.Add(-ago).UTC()}
}

func ids(arts []news.Article) string {
	var s []string
	for _, a := range arts {
		s = append(s, a.ID)
	}
	return strings.Join(s, ",")
}

func TestSaveGetAndLatestNewestFirst(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	for i, slugs := range [][]string{{"sport"}, {"obshchestvo"}, {"sport", "obshchestvo"}} {
		if err := a.Save(ctx, art(fmt.Sprint("a", i), time.Duration(3-i)*time.Hour), slugs); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := a.Get(ctx, "a1")
	if err != nil || !ok || got.Title != "Title a1" || !got.Published.Equal(t0.Add(-2*time.Hour)) {
		t.Fatalf("Get = %+v %v %v", got, ok, err)
	}
	for _, c := range []struct {
		slug      string
		off, n    int
		wantOrder string
	}{
		{"", 0, 10, "a2,a1,a0"}, {news.AllSlug, 1, 1, "a1"}, {"sport", 0, 10, "a2,a0"},
		{"obshchestvo", 0, 1, "a2"}, {"nope", 0, 5, ""}, {"", -3, 2, "a2,a1"}, {"", 0, 0, ""},
	} {
		arts, err := a.Latest(ctx, c.slug, c.off, c.n)
		if err != nil || ids(arts) != c.wantOrder {
			t.Errorf("Latest(%q, %d, %d) = %q, %v; want %q", c.slug, c.off, c.n, ids(arts), err, c.wantOrder)
		}
	}
}

func TestSaveTrimsIndexesByRetention(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	if err := a.Save(ctx, art("old", 72*time.Hour), []string{"sport"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(ctx, art("new", time.Hour), []string{"sport"}); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"", "sport"} {
		if arts, _ := a.Latest(ctx, slug, 0, 10); ids(arts) != "new" {
			t.Errorf("Latest(%q) = %q, want only the article inside retention", slug, ids(arts))
		}
	}
	if ttl := a.S.R.TTL(ctx, a.S.K("article", "new")).Val(); ttl <= 0 || ttl > 48*time.Hour {
		t.Errorf("record TTL = %v, want the retention", ttl)
	}
}

func TestSaveRefusesInvalidID(t *testing.T) {
	a := newArticles(t)
	for _, id := range []string{"", "a:b", "пример", strings.Repeat("x", 41)} {
		if err := a.Save(context.Background(), art(id, 0), nil); err == nil {
			t.Errorf("Save(id %q) = nil error", id)
		}
		if _, ok, err := a.Get(context.Background(), id); ok || err != nil {
			t.Errorf("Get(%q) = %v, %v", id, ok, err)
		}
	}
}

func TestClaimIsTrueOnceAndQueuesOnlyWhenAsked(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	x, y := art("x", time.Hour), art("y", 2*time.Hour)
	for i, want := range []bool{true, false, false} {
		if got, err := a.Claim(ctx, x, true); err != nil || got != want {
			t.Fatalf("Claim #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	if got, _ := a.Claim(ctx, y, false); !got {
		t.Fatal("first claim of y is not new")
	}
	if got, _ := a.Claim(ctx, y, true); got {
		t.Fatal("y became new again when asked to push")
	}
	if p, err := a.Pending(ctx, 10); err != nil || strings.Join(p, ",") != "x" {
		t.Fatalf("Pending = %v, %v; want only x", p, err)
	}
}

func TestPendingLeaseDoneAndRelease(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	for _, x := range []news.Article{art("late", time.Hour), art("early", 2*time.Hour)} {
		if _, err := a.Claim(ctx, x, true); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := a.Pending(ctx, 10); strings.Join(p, ",") != "early,late" {
		t.Fatalf("Pending = %v, want oldest first", p)
	}
	take := func(id string) bool {
		ok, err := a.TakePending(ctx, id, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !take("early") || take("early") {
		t.Fatal("a lease must be taken exactly once")
	}
	if err := a.ReleasePending(ctx, "early"); err != nil || !take("early") {
		t.Fatal("a released article must be taken again")
	}
	if err := a.DonePending(ctx, "early"); err != nil || take("early") {
		t.Fatal("a done article must not be taken")
	}
	if p, _ := a.Pending(ctx, 10); strings.Join(p, ",") != "late" {
		t.Fatalf("Pending after done = %v", p)
	}
}

func TestOwnerOfKeepsTheFirstIDOfAURL(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	check := func(id, url, want string) {
		t.Helper()
		if got, err := a.OwnerOf(ctx, id, url); err != nil || got != want {
			t.Errorf("OwnerOf(%s, %s) = %q, %v; want %q", id, url, got, err, want)
		}
	}
	check("first", "https://gubkin.example/news/1?utm_source=tg", "first")
	check("second", "http://GUBKIN.example/news/1#top", "first")
	check("third", "https://gubkin.example/news/2", "third")
	// Feeds that give every item the site's home page must not merge them.
	check("h1", "https://gubkin.example/", "h1")
	check("h2", "https://gubkin.example", "h2")
	check("e", "", "e")
}

func TestFindByIDOrLink(t *testing.T) {
	ctx, a := context.Background(), newArticles(t)
	x := art("abc123", time.Hour)
	x.URL = "https://gubkin.example/news/42"
	if err := a.Save(ctx, x, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.OwnerOf(ctx, x.ID, x.URL); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"abc123", " https://gubkin.example/news/42?utm_medium=x&fbclid=1 ",
		"gubkin.example/news/42", "http://gubkin.example/news/42#comments"} {
		got, ok, err := a.Find(ctx, q)
		if err != nil || !ok || got.ID != "abc123" {
			t.Errorf("Find(%q) = %q %v %v", q, got.ID, ok, err)
		}
	}
	for _, q := range []string{"", "nothing", "https://gubkin.example/news/43", "::::", "ftp//x"} {
		if _, ok, err := a.Find(ctx, q); ok || err != nil {
			t.Errorf("Find(%q) = %v, %v; want not found", q, ok, err)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	cases := map[string]string{
		"https://Gubkin.Example/news/1?utm_source=vk&utm_campaign=x&id=5#comments": "https://gubkin.example/news/1?id=5",
		"https://gubkin.example/a?fbclid=1&yclid=2&gclid=3&from=rss&_openstat=4":   "https://gubkin.example/a",
		"https://gubkin.example/a?b=2&a=1":                                         "https://gubkin.example/a?a=1&b=2",
		"  https://gubkin.example/a  ":                                             "https://gubkin.example/a",
		"https://gubkin.example/путь":                                              "https://gubkin.example/%D0%BF%D1%83%D1%82%D1%8C",
		"not a url":                                                                "not a url",
		"":                                                                         "",
	}
	for in, want := range cases {
		if got := store.CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
	}
}
