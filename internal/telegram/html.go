package telegram

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf16"
)

var tagRE = regexp.MustCompile(`<[^>]*>`)

// Esc escapes user text for HTML parse mode (also quotes, for attributes).
func Esc(s string) string { return html.EscapeString(s) }

// PlainText turns our HTML back into what a reader would see.
func PlainText(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, "")) }

// UTF16Len counts as Telegram does.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// Truncate cuts plain text to at most limit UTF-16 units, ending with "…".
func Truncate(s string, limit int) string {
	if UTF16Len(s) <= limit {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := len(utf16.Encode([]rune{r}))
		if n+w > limit-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	return b.String() + "…"
}
