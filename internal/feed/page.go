package feed

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/gubkin-news/newsbot/internal/news"
)

// FetchPage reads an article page (for the CMS hook's {"url": …}) into an
// article from its Open Graph and article: meta tags, with the same timeout,
// size cap and charset handling as the feeds.
func (in *Ingester) FetchPage(ctx context.Context, url string) (news.Article, error) {
	f, err := in.fetch(ctx, url, "", "")
	if err != nil {
		return news.Article{}, err
	}
	body, _, err := toUTF8(f.Body, f.ContentType)
	if err != nil {
		return news.Article{}, fmt.Errorf("feed: page %s: %w", url, err)
	}
	meta := pageMeta(body)
	a := news.Article{URL: firstNonEmpty(meta["og:url"], url), Title: firstNonEmpty(meta["og:title"], meta["title"]),
		Lead: firstNonEmpty(meta["og:description"], meta["description"]), Image: meta["og:image"], Source: "publish"}
	if s := meta["article:section"]; s != "" {
		a.Categories = []string{s}
	}
	if t, err := time.Parse(time.RFC3339, meta["article:published_time"]); err == nil {
		a.Published = t
	}
	if strings.TrimSpace(a.Title) == "" {
		return news.Article{}, fmt.Errorf("feed: page %s has no title", url)
	}
	return a, nil
}

// pageMeta collects <meta property|name=… content=…> and <title> of the head.
func pageMeta(body []byte) map[string]string {
	out := map[string]string{}
	z := html.NewTokenizer(bytes.NewReader(body))
	for depth := 0; depth < 20000; depth++ {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.Data {
			case "meta":
				addMeta(out, t.Attr)
			case "title":
				if z.Next() == html.TextToken && out["title"] == "" {
					out["title"] = strings.TrimSpace(string(z.Text()))
				}
			case "body":
				return out
			}
		}
	}
	return out
}

func addMeta(out map[string]string, attrs []html.Attribute) {
	var key, content string
	for _, a := range attrs {
		switch strings.ToLower(a.Key) {
		case "property", "name":
			key = strings.ToLower(a.Val)
		case "content":
			content = strings.TrimSpace(a.Val)
		}
	}
	if key != "" && out[key] == "" {
		out[key] = content
	}
}
