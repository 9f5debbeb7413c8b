package alerts

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gubkin-news/newsbot/internal/redistest"
)

func newAlerts(t testing.TB) *Alerts {
	t.Helper()
	return New(redistest.New(t))
}

func mustFollow(t *testing.T, a *Alerts, chat int64, phrases ...string) {
	t.Helper()
	for _, p := range phrases {
		if err := a.Follow(context.Background(), chat, p); err != nil {
			t.Fatalf("Follow(%d, %q): %v", chat, p, err)
		}
	}
}

func wantList(t *testing.T, got []string, err error, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("list = %q, want %q", got, want)
	}
}

// keyCount counts the keys under the store prefix: what a cleanup left behind.
func keyCount(t *testing.T, a *Alerts) int {
	t.Helper()
	keys, err := a.st.R.Keys(context.Background(), a.st.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func TestFollowKeepsPhraseAsTypedAndListsAlphabetically(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "школа № 12", "  «Лебеди» ", "Комсомольская")
	got, err := a.Following(ctx, 1)
	wantList(t, got, err, "Комсомольская", "Лебеди", "школа № 12")
	got, err = a.Following(ctx, 2)
	wantList(t, got, err)
}

func TestFollowTwiceInAnotherFormIsExists(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Комсомольская")
	err := a.Follow(ctx, 1, "КОМСОМОЛЬСКОЙ")
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second follow: %v, want ErrExists", err)
	}
	if id, data, _ := ErrorMessage(err); id != "alerts_err_exists_follow" || data["Phrase"] != "КОМСОМОЛЬСКОЙ" {
		t.Fatalf("message %q %v", id, data)
	}
}

func TestListLimitAtAndPastEdge(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	for i := 0; i < MaxPhrases; i++ {
		mustFollow(t, a, 1, fmt.Sprintf("школа № %d", i+1))
	}
	err := a.Follow(ctx, 1, "Лебеди")
	if !errors.Is(err, ErrTooMany) {
		t.Fatalf("follow #%d: %v, want ErrTooMany", MaxPhrases+1, err)
	}
	if err := a.Mute(ctx, 1, "Лебеди"); err != nil {
		t.Fatalf("the mute list has its own limit: %v", err)
	}
	if err := a.Follow(ctx, 1, "школа № 1"); !errors.Is(err, ErrExists) {
		t.Fatalf("a duplicate in a full list: %v, want ErrExists", err)
	}
}

func TestLengthAndEmptyLimitsOnFollow(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	at, past := strings.Repeat("ж", MaxPhraseRunes), strings.Repeat("ж", MaxPhraseRunes+1)
	if err := a.Follow(ctx, 1, at); err != nil {
		t.Fatalf("%d runes: %v", MaxPhraseRunes, err)
	}
	for in, want := range map[string]error{past: ErrTooLong, "": ErrEmpty, "!!!": ErrEmpty, "на": ErrTooCommon, "\x00": ErrInvalid} {
		err := a.Mute(ctx, 1, in)
		var e *Error
		if !errors.Is(err, want) || !errors.As(err, &e) || !e.Mute {
			t.Errorf("Mute(%.20q) = %v, want %v on the mute list", in, err, want)
		}
	}
}

func TestConcurrentFollowsNeverPassTheLimit(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	const tries = MaxPhrases + 10
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.Follow(ctx, 7, fmt.Sprintf("дом %d", i))
		}()
	}
	wg.Wait()
	ok, full := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrTooMany):
			full++
		default:
			t.Fatal(err)
		}
	}
	if ok != MaxPhrases || full != tries-MaxPhrases {
		t.Fatalf("%d followed, %d refused; want %d and %d", ok, full, MaxPhrases, tries-MaxPhrases)
	}
}

func TestUnfollowMatchesAfterNormalisation(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Комсомольская", "Лебеди")
	if err := a.Unfollow(ctx, 1, "комсомольской"); err != nil {
		t.Fatal(err)
	}
	got, err := a.Following(ctx, 1)
	wantList(t, got, err, "Лебеди")
	err = a.Unfollow(ctx, 1, "Комсомольская")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("second unfollow: %v, want ErrNotFound", err)
	}
	if err := a.Unmute(ctx, 1, "Лебеди"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unmute of a followed phrase: %v, want ErrNotFound", err)
	}
}

func TestUnfollowAllCountsAndLeavesNoKeys(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Комсомольская", "Лебеди", "школа № 12")
	n, err := a.UnfollowAll(ctx, 1)
	if err != nil || n != 3 {
		t.Fatalf("UnfollowAll = %d, %v; want 3", n, err)
	}
	if n, err := a.UnfollowAll(ctx, 1); err != nil || n != 0 {
		t.Fatalf("second UnfollowAll = %d, %v; want 0", n, err)
	}
	if k := keyCount(t, a); k != 0 {
		t.Fatalf("%d keys left after the only chat cleared its list", k)
	}
}

func TestIndexKeepsPhraseWhileAnyChatNeedsIt(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 1, "Лебеди")
	if err := a.Mute(ctx, 2, "Лебедях"); err != nil {
		t.Fatal(err)
	}
	if err := a.Unfollow(ctx, 1, "Лебеди"); err != nil {
		t.Fatal(err)
	}
	res := match(t, a, "Праздник в Лебедях")
	if !res.Muted[2] || len(res.Follows) != 0 {
		t.Fatalf("after chat 1 left: %+v, want chat 2 muting", res)
	}
	if err := a.Unmute(ctx, 2, "лебеди"); err != nil {
		t.Fatal(err)
	}
	if k := keyCount(t, a); k != 0 {
		t.Fatalf("%d keys left", k)
	}
}

func TestMoveChatHandsBothListsOver(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	const group, super = -100, -1001234
	mustFollow(t, a, group, "Комсомольская", "Лебеди")
	mustFollow(t, a, super, "лебеди")
	if err := a.Mute(ctx, group, "ДТП"); err != nil {
		t.Fatal(err)
	}
	if err := a.MoveChat(ctx, group, super); err != nil {
		t.Fatal(err)
	}
	got, err := a.Following(ctx, super)
	wantList(t, got, err, "Комсомольская", "лебеди")
	got, err = a.Muted(ctx, super)
	wantList(t, got, err, "ДТП")
	got, err = a.Following(ctx, group)
	wantList(t, got, err)
	res := match(t, a, "ДТП на Комсомольской, в Лебедях")
	want := Result{Follows: map[int64][]string{super: {"Комсомольская", "лебеди"}}, Muted: map[int64]bool{super: true}}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("after the move: %+v, want %+v", res, want)
	}
}

func TestRemoveChatForgetsEverything(t *testing.T) {
	a, ctx := newAlerts(t), context.Background()
	mustFollow(t, a, 5, "Кирова", "Мира")
	if err := a.Mute(ctx, 5, "ДТП"); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveChat(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if k := keyCount(t, a); k != 0 {
		t.Fatalf("%d keys left", k)
	}
}
