package alerts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxArgBytes bounds the work done on a command argument before it is
// refused as too long: a Telegram message is at most 4096 characters anyway.
const maxArgBytes = 4 * 4096

// quotePairs are the quotes a resident may put around a phrase:
// /follow «Комсомольская» follows Комсомольская.
var quotePairs = [][2]string{{"«", "»"}, {"\"", "\""}, {"“", "”"}, {"„", "“"}, {"'", "'"}}

// ParseArg cleans the argument of /follow, /unfollow, /mute or /unmute:
// trims it, collapses runs of spaces and line breaks, drops invisible
// formatting characters and one pair of surrounding quotes, and validates
// it. Errors are *Error with Kind ErrEmpty (nothing, or only punctuation),
// ErrTooLong, ErrInvalid (not UTF-8, control characters) or ErrTooCommon
// (only words like «в», «на»).
func ParseArg(args string) (string, error) {
	if len(args) > maxArgBytes {
		return "", &Error{Kind: ErrTooLong}
	}
	p, err := clean(args)
	if err != nil {
		return "", err
	}
	p = unquote(p)
	switch {
	case p == "":
		return "", &Error{Kind: ErrEmpty}
	case utf8.RuneCountInString(p) > MaxPhraseRunes:
		return "", &Error{Kind: ErrTooLong}
	case normalize(p) == "":
		return "", &Error{Kind: ErrEmpty, Phrase: p}
	case onlyStopWords(p):
		return "", &Error{Kind: ErrTooCommon, Phrase: p}
	}
	return p, nil
}

// clean collapses spaces and refuses what is not printable text.
func clean(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", &Error{Kind: ErrInvalid}
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case r == utf8.RuneError, unicode.IsControl(r),
			unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
			return "", &Error{Kind: ErrInvalid}
		case unicode.Is(unicode.Cf, r):
			// bidi overrides, zero-width spaces: invisible, and a way to spoof
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// unquote removes one pair of quotes around the whole phrase.
func unquote(p string) string {
	for _, q := range quotePairs {
		if len(p) > len(q[0])+len(q[1]) && strings.HasPrefix(p, q[0]) && strings.HasSuffix(p, q[1]) {
			inner := p[len(q[0]) : len(p)-len(q[1])]
			if !strings.Contains(inner, q[0]) && !strings.Contains(inner, q[1]) {
				return strings.TrimSpace(inner)
			}
		}
	}
	return p
}

// IsAll tells whether the argument of /unfollow or /unmute asks to clear the
// whole list: «все», «всё», "all" or "*".
func IsAll(args string) bool {
	switch strings.ToLower(strings.TrimSpace(args)) {
	case "все", "всё", "all", "*":
		return true
	}
	return false
}
