package alerts

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

func bundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Default("ru")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rendered fails when a text is missing (T gives back the id) or a template
// field was left empty.
func rendered(t *testing.T, id, text string) {
	t.Helper()
	if text == id || strings.Contains(text, "<no value>") || strings.Contains(text, "{{") {
		t.Errorf("%s rendered as %q", id, text)
	}
}

func TestEveryReplyExistsInBothLanguages(t *testing.T) {
	b := bundle(t)
	data := map[string]any{"Phrase": "Комсомольская", "Phrases": "Комсомольская, Лебеди", "Count": 3, "Max": MaxPhrases}
	ids := []string{MsgFollowOK, MsgUnfollowOK, MsgUnfollowNone, MsgFollowingHead, MsgFollowingEmpty,
		MsgMuteOK, MsgUnmuteOK, MsgUnmuteNone, MsgMutedHead, MsgMutedEmpty, MsgListItem, MsgReason,
		MsgHelpFollow, MsgHelpUnfollow, MsgHelpFollowing, MsgHelpMute, MsgHelpUnmute}
	for _, m := range errorIDs {
		ids = append(ids, m.follow, m.mute)
	}
	for _, lang := range []string{"ru", "en"} {
		have := map[string]bool{}
		for _, id := range b.IDs(lang) {
			have[id] = true
		}
		for _, id := range ids {
			if !have[id] { // T would fall back to Russian and hide the gap
				t.Errorf("%s has no %s", lang, id)
			}
			rendered(t, id, b.T(lang, id, data))
		}
	}
	if got := b.T("ru", MsgReason, data); got != "упомянута: Комсомольская, Лебеди" {
		t.Errorf("reason line = %q", got)
	}
	if got := b.T("en", MsgReason, data); got != "mentioned: Комсомольская, Лебеди" {
		t.Errorf("English reason line = %q", got)
	}
}

func TestClearedCountIsPluralInRussian(t *testing.T) {
	b := bundle(t)
	for n, want := range map[int]string{1: "удалена 1 фраза", 3: "удалены 3 фразы", 5: "удалено 5 фраз", 21: "удалена 21 фраза", 12: "удалено 12 фраз"} {
		for _, id := range []string{MsgUnfollowAll, MsgUnmuteAll} {
			if got := b.N("ru", id, n, nil); !strings.Contains(got, want) {
				t.Errorf("N(ru, %s, %d) = %q, want it to contain %q", id, n, got, want)
			}
		}
	}
	if got := b.N("en", MsgUnfollowAll, 1, nil); !strings.Contains(got, "1 phrase,") {
		t.Errorf("en one = %q", got)
	}
}

func TestErrorMessageNamesListAndLimit(t *testing.T) {
	b := bundle(t)
	cases := []struct {
		err  error
		id   string
		want string // in the Russian text
	}{
		{&Error{Kind: ErrTooMany}, "alerts_err_too_many_follow", fmt.Sprint(MaxPhrases)},
		{&Error{Kind: ErrTooMany, Mute: true}, "alerts_err_too_many_mute", fmt.Sprint(MaxPhrases)},
		{&Error{Kind: ErrTooLong}, "alerts_err_too_long", fmt.Sprint(MaxPhraseRunes)},
		{&Error{Kind: ErrExists, Phrase: "Лебеди"}, "alerts_err_exists_follow", "Лебеди"},
		{&Error{Kind: ErrNotFound, Mute: true, Phrase: "ДТП"}, "alerts_err_not_found_mute", "ДТП"},
		{&Error{Kind: ErrEmpty}, "alerts_err_empty", "/follow"},
		{&Error{Kind: ErrInvalid}, "alerts_err_invalid", "символы"},
		{&Error{Kind: ErrTooCommon, Phrase: "на"}, "alerts_err_too_common", "«на»"},
		{fmt.Errorf("handler: %w", &Error{Kind: ErrExists, Mute: true}), "alerts_err_exists_mute", "скрытых"},
	}
	for _, c := range cases {
		id, data, ok := ErrorMessage(c.err)
		if !ok || id != c.id {
			t.Errorf("ErrorMessage(%v) = %q, %v; want %q", c.err, id, ok, c.id)
			continue
		}
		if got := b.T("ru", id, data); !strings.Contains(got, c.want) {
			t.Errorf("%s = %q, want it to contain %q", id, got, c.want)
		}
	}
	if _, _, ok := ErrorMessage(errors.New("redis: connection refused")); ok {
		t.Error("an internal error got a user message")
	}
}
