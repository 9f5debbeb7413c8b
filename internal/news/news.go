// Package news holds the domain of newsbot: articles, categories, chats and the
// errors users may see. It imports no driver and nothing of ours.
package news

import (
	"strings"
	"time"
)

// Article is one piece of city news as the bot knows it.
type Article struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Lead        string    `json:"lead,omitempty"`
	FullText    string    `json:"full_text,omitempty"`
	Categories  []string  `json:"categories,omitempty"` // display names as the feed wrote them
	Published   time.Time `json:"published"`
	Image       string    `json:"image,omitempty"`
	ImageCredit string    `json:"image_credit,omitempty"`
	Source      string    `json:"source,omitempty"` // feed URL, or "publish" for the CMS hook
	Breaking    bool      `json:"breaking,omitempty"`
	Pick        bool      `json:"pick,omitempty"`
}

// Category is a section of the site (Общество, Спорт, …).
type Category struct {
	Slug    string   `json:"slug"`
	Name    string   `json:"name"`
	Emoji   string   `json:"emoji,omitempty"`
	Order   int      `json:"order,omitempty"`
	Hidden  bool     `json:"hidden,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

// AllSlug is the pseudo-category «Все новости» that follows everything.
const AllSlug = "all"

// PickSlug is the pseudo-category «Выбор редакции».
const PickSlug = "pick"

// Chat is a private chat, group or channel the bot talks to.
type Chat struct {
	ID             int64     `json:"id"`
	Type           string    `json:"type"` // private, group, supergroup, channel
	Title          string    `json:"title,omitempty"`
	Lang           string    `json:"lang"`
	Active         bool      `json:"active"`
	InactiveReason string    `json:"inactive_reason,omitempty"`
	Created        time.Time `json:"created"`
}

// IsGroup tells whether the chat is a group or supergroup (20 messages a minute).
func (c Chat) IsGroup() bool {
	return c.Type == "group" || c.Type == "supergroup" || c.Type == "channel"
}

var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya",
}

// Slugify gives a stable lower-case Latin slug: «Общество» → "obshchestvo".
// Runs of anything that is not a letter or digit become one '-'.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case translit[r] != "" || r == 'ъ' || r == 'ь':
			b.WriteString(translit[r])
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
