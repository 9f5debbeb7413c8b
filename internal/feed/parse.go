package feed

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

// Limits on what one item may carry, so a broken feed cannot bloat Redis.
const (
	maxCategories   = 20
	maxCategoryLen  = 64 // runes
	titleFromLeadAt = 120
)

// Parse decodes a feed body (RSS 2.0 or Atom, any charset toUTF8 knows) into
// articles. contentType is the HTTP header (for its charset), source the feed
// URL, now the fetch time (for items without a date and to clamp future dates).
func Parse(body []byte, contentType, source string, now time.Time) ([]news.Article, error) {
	utf, cs, err := toUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("feed: parse %s: %w", source, err)
	}
	if err := checkDepth(utf); err != nil {
		return nil, fmt.Errorf("feed: parse %s: %w", source, err)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(utf))
	if err != nil {
		return nil, fmt.Errorf("feed: parse %s (%s): %w", source, cs, err)
	}
	arts := make([]news.Article, 0, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if a, ok := toArticle(it, f.Link, source, now); ok {
			arts = append(arts, a)
		}
	}
	return arts, nil
}

// ArticleID gives the same short id (16 hex digits: 64 bits of sha1) for the
// same item every time. Its key is the GUID (a URL GUID canonicalised), else
// the link without tracking parameters and fragment, else the title with the
// raw published date. Hashing keeps ids short and safe for Redis keys and
// Telegram callback data whatever the feed puts in its GUIDs.
func ArticleID(guid, link, title, published string) string {
	key := strings.TrimSpace(guid)
	if isHTTP(key) {
		key = store.CanonicalURL(key)
	}
	if key == "" {
		key = store.CanonicalURL(link)
	}
	if key == "" {
		key = strings.TrimSpace(title) + "\n" + strings.TrimSpace(published)
	}
	sum := sha1.Sum([]byte(key))
	return hex.EncodeToString(sum[:8])
}

func toArticle(it *gofeed.Item, feedLink, source string, now time.Time) (news.Article, bool) {
	link := resolve(feedLink, it.Link)
	if link == "" && isHTTP(it.GUID) {
		link = strings.TrimSpace(it.GUID)
	}
	a := news.Article{
		ID:         ArticleID(it.GUID, link, it.Title, it.Published),
		URL:        store.CanonicalURL(link),
		Title:      plainText(it.Title, false),
		Lead:       plainText(it.Description, false),
		FullText:   fullText(it),
		Categories: categories(it.Categories),
		Published:  published(it, now),
		Source:     source,
	}
	a.Image, a.ImageCredit = image(it, firstNonEmpty(link, feedLink))
	if a.Title == "" {
		a.Title = truncate(a.Lead, titleFromLeadAt)
	}
	return a, a.Title != ""
}

// published is the item's date, else its update date, else the fetch time;
// a date in the future (a wrong time zone on the site) becomes now.
func published(it *gofeed.Item, now time.Time) time.Time {
	t := now
	if it.PublishedParsed != nil {
		t = *it.PublishedParsed
	} else if it.UpdatedParsed != nil {
		t = *it.UpdatedParsed
	}
	if t.After(now) {
		t = now
	}
	return t
}

// fullText is yandex:full-text (whatever prefix the feed binds the Yandex
// namespace to), else content:encoded / Atom content, as plain text.
func fullText(it *gofeed.Item) string {
	prefixes := make([]string, 0, len(it.Extensions))
	for p := range it.Extensions {
		prefixes = append(prefixes, p)
	}
	sort.Slice(prefixes, func(i, j int) bool { return prefixes[i] == "yandex" && prefixes[j] != "yandex" })
	for _, p := range prefixes {
		for _, e := range it.Extensions[p]["full-text"] {
			if t := plainText(e.Value, true); t != "" {
				return t
			}
		}
	}
	return plainText(it.Content, true)
}

// categories trims the item's categories and drops empty ones and repeats
// (compared by slug, so «Спорт» and «спорт» are one).
func categories(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range in {
		c = strings.Join(strings.Fields(plainText(c, false)), " ")
		sl := news.Slugify(c)
		if sl == "" || seen[sl] || len([]rune(c)) > maxCategoryLen {
			continue
		}
		seen[sl] = true
		out = append(out, c)
		if len(out) == maxCategories {
			break
		}
	}
	return out
}

// image finds the item's picture: an image enclosure, media:content,
// media:thumbnail, gofeed's item image, else the first <img> of the
// description or content. The credit is media:credit (on the chosen
// media:content, on the item or its media:group), else media:copyright.
func image(it *gofeed.Item, base string) (img, credit string) {
	credit = mediaText(it, "credit", "copyright")
	for _, e := range it.Enclosures {
		if e != nil && isImage(e.Type, "", e.URL) {
			if u := resolve(base, e.URL); u != "" {
				return u, credit
			}
		}
	}
	for _, m := range mediaNodes(it, "content", "thumbnail") {
		if !isImage(m.Attrs["type"], m.Attrs["medium"], m.Attrs["url"]) && m.Name != "thumbnail" {
			continue
		}
		if u := resolve(base, m.Attrs["url"]); u != "" {
			if c := childText(m, "credit"); c != "" {
				credit = c
			}
			return u, credit
		}
	}
	for _, s := range []string{imageURL(it), firstImage(it.Description), firstImage(it.Content)} {
		if u := resolve(base, s); u != "" {
			return u, credit
		}
	}
	return "", ""
}

func imageURL(it *gofeed.Item) string {
	if it.Image == nil {
		return ""
	}
	return it.Image.URL
}

// mediaNodes returns the item's media:* elements of the given names, those
// inside media:group included, in document order per name.
func mediaNodes(it *gofeed.Item, names ...string) []ext.Extension {
	media := it.Extensions["media"]
	var out []ext.Extension
	for _, n := range names {
		out = append(out, media[n]...)
		for _, g := range media["group"] {
			out = append(out, g.Children[n]...)
		}
	}
	return out
}

func mediaText(it *gofeed.Item, names ...string) string {
	for _, n := range names {
		for _, e := range mediaNodes(it, n) {
			if t := plainText(e.Value, false); t != "" {
				return t
			}
		}
	}
	return ""
}

func childText(e ext.Extension, name string) string {
	for _, c := range e.Children[name] {
		if t := plainText(c.Value, false); t != "" {
			return t
		}
	}
	return ""
}

var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".avif": true}

// isImage accepts an image/* type or medium="image"; with neither given, a
// picture file extension.
func isImage(typ, medium, rawURL string) bool {
	typ, medium = strings.ToLower(strings.TrimSpace(typ)), strings.ToLower(strings.TrimSpace(medium))
	if typ != "" || medium != "" {
		return strings.HasPrefix(typ, "image/") || medium == "image"
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	return err == nil && imageExts[strings.ToLower(path.Ext(u.Path))]
}

// resolve makes ref absolute against base; only http(s) results are kept.
func resolve(base, ref string) string {
	ref = strings.TrimSpace(ref)
	r, err := url.Parse(ref)
	if ref == "" || err != nil {
		return ""
	}
	if b, err := url.Parse(strings.TrimSpace(base)); err == nil && !r.IsAbs() {
		r = b.ResolveReference(r)
	}
	if !isHTTP(r.String()) || r.Host == "" {
		return ""
	}
	return r.String()
}

func isHTTP(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
