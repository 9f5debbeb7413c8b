// Package alerts lets a chat follow words and places («Комсомольская»,
// «Лебеди», «школа № 12») whatever the section of the article that mentions
// them, and mute phrases it does not want to hear about. It owns the
// Russian word-form matching (Snowball stems plus a few documented folds),
// the per-chat lists and the Redis index that lets one article be matched
// against every chat in a few pipelined round trips.
package alerts

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gubkin-news/newsbot/internal/store"
)

// Limits of the lists. MaxPhraseRunes counts characters of the phrase as
// typed, after spaces are collapsed.
const (
	MaxPhrases     = 20
	MaxPhraseRunes = 64
)

// Errors the user can fix; ErrorMessage turns them into locale texts.
var (
	ErrEmpty     = errors.New("phrase has no words")
	ErrTooLong   = errors.New("phrase is too long")
	ErrTooMany   = errors.New("list is full")
	ErrExists    = errors.New("phrase is already in the list")
	ErrNotFound  = errors.New("phrase is not in the list")
	ErrInvalid   = errors.New("phrase has control characters or is not text")
	ErrTooCommon = errors.New("phrase has only common words")
)

// Error is a user error with what the reply needs: which list and which
// phrase. errors.Is(err, ErrTooMany) and the like work through Unwrap.
type Error struct {
	Kind   error  // one of the Err* values above
	Mute   bool   // the mute list (else the follow list)
	Phrase string // the phrase as cleaned, empty when there is none
}

func (e *Error) Error() string {
	l := "follow"
	if e.Mute {
		l = "mute"
	}
	return fmt.Sprintf("alerts: %s %q: %v", l, e.Phrase, e.Kind)
}

// Unwrap gives the kind, for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

// list names one of a chat's two lists; it is also a part of the Redis keys.
type list string

const (
	follows list = "follow"
	mutes   list = "mute"
)

func (l list) other() list {
	if l == follows {
		return mutes
	}
	return follows
}

// Alerts keeps the lists in Redis under the store's prefix. Every key carries
// the hash tag {alerts}, so the scripts and pipelines below touch one Redis
// Cluster slot; the data is small (a city's worth of phrases).
//
// Keys:
//
//	{alerts}:chat:<id>:follow|mute       hash   normalized phrase → phrase as typed
//	{alerts}:first:<stem>                set    normalized phrases starting with stem (both lists)
//	{alerts}:phrase:follow|mute:<norm>   hash   chat id → phrase as that chat typed it
type Alerts struct {
	st *store.Store
}

// New gives the alerts kept in st.
func New(st *store.Store) *Alerts {
	return &Alerts{st: st}
}

const tag = "{alerts}"

func (a *Alerts) chatKey(l list, chatID int64) string {
	return a.st.K(tag, "chat", strconv.FormatInt(chatID, 10), string(l))
}

func (a *Alerts) firstKey(stem string) string {
	return a.st.K(tag, "first", stem)
}

func (a *Alerts) phraseKey(l list, norm string) string {
	return a.st.K(tag, "phrase", string(l), norm)
}
