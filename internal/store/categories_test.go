package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

var defined = []news.Category{
	{Name: "Происшествия", Emoji: "🚨", Aliases: []string{"ЧП", "Криминал"}},
	{Slug: "obshchestvo", Name: "Жизнь города", Emoji: "🏙"},
	{Name: "Реклама", Hidden: true},
}

func slugsOf(cats []news.Category) string {
	var s []string
	for _, c := range cats {
		s = append(s, c.Slug)
	}
	return strings.Join(s, ",")
}

func TestCategoriesLearnInFirstSeenOrder(t *testing.T) {
	ctx := context.Background()
	s := redistest.New(t)
	c, err := store.NewCategories(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		names []string
		want  string
	}{{[]string{"Спорт"}, "sport"}, {[]string{"Общество", " спорт "}, "obshchestvo,sport"},
		{[]string{"Культура и досуг", "!!!"}, "kultura-i-dosug"}}
	for _, st := range steps {
		slugs, err := c.Learn(ctx, news.Article{Categories: st.names})
		if err != nil || strings.Join(slugs, ",") != st.want {
			t.Fatalf("Learn(%q) = %v, %v; want %s", st.names, slugs, err, st.want)
		}
	}
	list, err := c.List(ctx)
	if err != nil || slugsOf(list) != "sport,obshchestvo,kultura-i-dosug" {
		t.Fatalf("List = %q, %v", slugsOf(list), err)
	}
	if list[0].Name != "Спорт" {
		t.Errorf("name = %q, want the first spelling seen", list[0].Name)
	}
	// A second copy of the bot (fresh memory) keeps the order and the names.
	c2, _ := store.NewCategories(s, nil)
	if _, err := c2.Learn(ctx, news.Article{Categories: []string{"СПОРТ", "Экономика"}}); err != nil {
		t.Fatal(err)
	}
	list, _ = c2.List(ctx)
	if slugsOf(list) != "sport,obshchestvo,kultura-i-dosug,ekonomika" || list[0].Name != "Спорт" {
		t.Fatalf("List after second copy = %q (%q)", slugsOf(list), list[0].Name)
	}
}

func TestCategoriesFileRenamesOrdersHidesAndMerges(t *testing.T) {
	ctx := context.Background()
	c, err := store.NewCategories(redistest.New(t), defined)
	if err != nil {
		t.Fatal(err)
	}
	a := news.Article{Categories: []string{"ЧП", "Спорт", "Общество", "Криминал", "Реклама"}}
	slugs, err := c.Learn(ctx, a)
	if err != nil || strings.Join(slugs, ",") != "proisshestviya,sport,obshchestvo,reklama" {
		t.Fatalf("Learn = %v, %v", slugs, err)
	}
	if got := strings.Join(c.Slugs(ctx, a), ","); got != strings.Join(slugs, ",") {
		t.Fatalf("Slugs = %q, want the same as Learn", got)
	}
	list, err := c.List(ctx)
	if err != nil || slugsOf(list) != "proisshestviya,obshchestvo,sport" {
		t.Fatalf("List = %q, %v; want file order, hidden dropped, then learned", slugsOf(list), err)
	}
	if list[1].Name != "Жизнь города" || list[1].Emoji != "🏙" || list[2].Order <= list[1].Order {
		t.Fatalf("List = %+v", list)
	}
}

func TestCategoriesResolve(t *testing.T) {
	ctx := context.Background()
	c, _ := store.NewCategories(redistest.New(t), defined)
	if _, err := c.Learn(ctx, news.Article{Categories: []string{"Спорт"}}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"чп": "proisshestviya", "ЧП": "proisshestviya", "Происшествия": "proisshestviya",
		"PROISSHESTVIYA": "proisshestviya", "криминал": "proisshestviya", "Общество": "obshchestvo",
		"жизнь города": "obshchestvo", "спорт": "sport", "sport": "sport", "Реклама": "reklama",
	} {
		got, ok, err := c.Resolve(ctx, in)
		if err != nil || !ok || got.Slug != want {
			t.Errorf("Resolve(%q) = %q %v %v, want %q", in, got.Slug, ok, err, want)
		}
	}
	if got, _, _ := c.Resolve(ctx, "реклама"); !got.Hidden {
		t.Error("a hidden category resolves with Hidden set")
	}
	for _, in := range []string{"", "  ", "🔥", "Погода"} {
		if _, ok, err := c.Resolve(ctx, in); ok || err != nil {
			t.Errorf("Resolve(%q) = %v, %v; want not found", in, ok, err)
		}
	}
}

func TestCategoriesFileConflictsAreErrors(t *testing.T) {
	s := redistest.New(t)
	for name, cats := range map[string][]news.Category{
		"same slug twice":       {{Name: "Спорт"}, {Name: "спорт"}},
		"alias of another":      {{Name: "Спорт"}, {Name: "Футбол", Aliases: []string{"Спорт"}}},
		"alias names two":       {{Name: "A", Aliases: []string{"X"}}, {Name: "B", Aliases: []string{"x"}}},
		"name without letters":  {{Name: "!!!"}},
		"earlier alias is slug": {{Name: "Футбол", Aliases: []string{"sport"}}, {Name: "Спорт"}},
	} {
		if _, err := store.NewCategories(s, cats); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCategoriesConcurrentLearnKeepsOneEntry(t *testing.T) {
	ctx := context.Background()
	s := redistest.New(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _ := store.NewCategories(s, nil)
			if _, err := c.Learn(ctx, news.Article{Categories: []string{"Спорт", "Культура"}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, _ := store.NewCategories(s, nil)
	if list, _ := c.List(ctx); len(list) != 2 {
		t.Fatalf("List = %q, want two categories", slugsOf(list))
	}
}
