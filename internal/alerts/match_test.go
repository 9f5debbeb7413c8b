package alerts

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gubkin-news/newsbot/internal/news"
)

// match runs Match on an article whose full text is text.
func match(t *testing.T, a *Alerts, text string) Result {
	t.Helper()
	res, err := a.Match(context.Background(), news.Article{ID: "t", FullText: text})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMatchGivesFollowersWithPhrasesAsTyped(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Комсомольская", "Лебеди")
	mustFollow(t, a, 2, "комсомольской")
	mustFollow(t, a, 3, "Кирова", "школа № 12")
	if err := a.Mute(ctx, 4, "ремонт"); err != nil {
		t.Fatal(err)
	}
	if err := a.Mute(ctx, 5, "ДТП"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Match(ctx, news.Article{
		ID:       "a1",
		Title:    "Ремонт дорог",
		Lead:     "На улице Комсомольской начали ремонт",
		FullText: "Работы идут и в микрорайоне Лебеди, у школы № 1.",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Follows: map[int64][]string{1: {"Комсомольская", "Лебеди"}, 2: {"комсомольской"}},
		Muted:   map[int64]bool{4: true},
	}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("got %+v\nwant %+v", res, want)
	}
	// the section «Дороги» is followed by 4 (who muted «ремонт») and 6
	if got := Recipients([]int64{4, 6}, res); !reflect.DeepEqual(got, []int64{1, 2, 6}) {
		t.Fatalf("recipients = %v, want [1 2 6]", got)
	}
}

func TestMatchNeedsConsecutiveWordsWithinOneField(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Лебединский ГОК")
	for name, art := range map[string]news.Article{
		"words apart":        {FullText: "Лебединский горно-обогатительный комбинат — крупнейший ГОК"},
		"reversed":           {FullText: "ГОК Лебединский"},
		"title into lead":    {Title: "Лебединский", Lead: "ГОК отчитался"},
		"lead into the text": {Lead: "Новости: Лебединский", FullText: "ГОК отчитался"},
	} {
		res, err := a.Match(ctx, art)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Follows) != 0 {
			t.Errorf("%s: matched %+v", name, res.Follows)
		}
	}
	if res := match(t, a, "Рабочие Лебединского ГОКа получили премии"); len(res.Follows) != 1 {
		t.Fatalf("consecutive words did not match: %+v", res)
	}
}

func TestMatchJunkArticleIsEmptyNotAnError(t *testing.T) {
	a := newAlerts(t)
	mustFollow(t, a, 1, "Лебеди")
	for _, text := range []string{"", "!!! ??? №№№", "\x00\xff\xfe binary", strings.Repeat("Ж", 2<<20),
		strings.Repeat("лебеди ", maxTextBytes)} {
		res := match(t, a, text)
		if len(res.Muted) != 0 || (len(res.Follows) != 0) != strings.HasPrefix(text, "лебеди") {
			t.Errorf("%.20q: %+v", text, res)
		}
	}
}

func TestRecipientsUnionMinusMutes(t *testing.T) {
	r := Result{
		Follows: map[int64][]string{3: {"Мира"}, 5: {"Кирова"}, 9: {"Лебеди"}},
		Muted:   map[int64]bool{2: true, 5: true, 8: true},
	}
	got := Recipients([]int64{1, 2, 3, 4, 1, 5}, r)
	// 2 muted and dropped; 3 and 5 once each (5 muted, but its follow wins); 8 muted, not a follower; 9 by follow.
	if want := []int64{1, 3, 4, 5, 9}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Recipients = %v, want %v", got, want)
	}
	if got := Recipients(nil, Result{}); len(got) != 0 {
		t.Fatalf("empty = %v", got)
	}
	if got := Recipients([]int64{4, 2}, Result{}); !reflect.DeepEqual(got, []int64{2, 4}) {
		t.Fatalf("no alerts = %v", got)
	}
}
