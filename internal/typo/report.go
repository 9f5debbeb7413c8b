// Package typo handles readers' typo reports from both entry points (the
// site's Ctrl+Enter widget and the bot's /typo command): it stores them in
// Redis, brings them to the editors' chat without losing one, and runs the
// editors' fixed/rejected workflow.
package typo

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of a report; the site and the bot share them.
const (
	MaxFragmentRunes = 300
	MaxContextRunes  = 60 // before and after each
	MaxCommentRunes  = 500
	MaxNameRunes     = 100
	MaxTitleRunes    = 300
	MaxURLBytes      = 2048
	Retention        = 90 * 24 * time.Hour
)

// Source says where a report came from.
type Source string

// The two entry points.
const (
	SourceTelegram Source = "telegram"
	SourceSite     Source = "site"
)

// Status is where a report is in the editors' workflow: open → fixed | rejected.
type Status string

// The statuses of a report.
const (
	StatusOpen     Status = "open"
	StatusFixed    Status = "fixed"
	StatusRejected Status = "rejected"
)

// Reporter is who sent a report. IP is kept for abuse checks only and is
// never shown to editors.
type Reporter struct {
	Name     string
	Username string // Telegram, without @
	UserID   int64  // Telegram
	ChatID   int64  // Telegram: where the thanks go
	Lang     string // language of the thanks
	IP       string // site
}

// Report is one reader's report of a typo.
type Report struct {
	ID       int64
	Source   Source
	Fragment string // the selected text
	Before   string // context, at most MaxContextRunes
	After    string
	Comment  string
	URL      string // article or page, when known
	Title    string
	Reporter Reporter
	Created  time.Time

	Status       Status
	StatusBy     int64 // Telegram id of the editor who set the status
	StatusByName string
	StatusAt     time.Time

	EditorsChatID int64 // where the editors' message is
	MessageID     int   // the editors' message; 0 until sent
	Attempts      int   // failed sends since the last success
}

// Errors a reader may see; ErrorText gives the text.
var (
	ErrEmpty    = errors.New("typo: empty fragment")
	ErrTooLong  = errors.New("typo: fragment too long")
	ErrNotFound = errors.New("typo: no such report")
)

// RateLimitedError says the reader sent too many reports.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("typo: too many reports, retry after %s", e.RetryAfter)
}

// DuplicateError says the same fragment was reported recently, as report ID.
type DuplicateError struct{ ID int64 }

func (e *DuplicateError) Error() string { return fmt.Sprintf("typo: already reported as #%d", e.ID) }

// CheckFragment trims a fragment and checks its length (in characters).
func CheckFragment(fragment string) (string, error) {
	f := strings.TrimSpace(clean(fragment))
	switch n := utf8.RuneCountInString(f); {
	case n == 0:
		return "", ErrEmpty
	case n > MaxFragmentRunes:
		return "", ErrTooLong
	}
	return f, nil
}

// normalize cleans every user field and clips what may be clipped; it
// refuses only what cannot be repaired (an empty or too long fragment).
func normalize(r Report) (Report, error) {
	f, err := CheckFragment(r.Fragment)
	if err != nil {
		return r, err
	}
	r.Fragment = f
	r.Before = lastRunes(squash(clean(r.Before)), MaxContextRunes)
	r.After = firstRunes(squash(clean(r.After)), MaxContextRunes)
	r.Comment = firstRunes(strings.TrimSpace(clean(r.Comment)), MaxCommentRunes)
	r.Title = firstRunes(strings.TrimSpace(squash(clean(r.Title))), MaxTitleRunes)
	r.Reporter.Name = firstRunes(strings.TrimSpace(squash(clean(r.Reporter.Name))), MaxNameRunes)
	r.URL = strings.TrimSpace(r.URL)
	if len(r.URL) > MaxURLBytes {
		r.URL = ""
	}
	if r.Source != SourceSite && r.Source != SourceTelegram {
		return r, fmt.Errorf("typo: unknown source %q", r.Source)
	}
	return r, nil
}

// clean makes text valid UTF-8 without control characters (newlines and
// tabs survive: a comment may have lines).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) && r != '\u2028' && r != '\u2029' {
			return r
		}
		return -1
	}, s)
}

// squash turns every run of white space into one space, keeping the ends:
// the space between the context and the fragment matters.
func squash(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[len(r)-n:])
}
