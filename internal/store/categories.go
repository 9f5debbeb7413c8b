package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
)

// Categories are the sections of the site. Two sources:
//   - defined: the editors' list (CATEGORIES_FILE) with names, order, emoji,
//     hidden flags and aliases; it wins wherever it says something;
//   - learned: every other name seen in an article, kept in the hash `cats`
//     (slug → JSON of news.Category) with its first-seen order from `cats:seq`.
//
// A name maps to its slug with news.Slugify, then through the aliases, so
// «ЧП», «чп» and "chp" all count as "proisshestviya" when the file says so.
type Categories struct {
	s       *Store
	defined []news.Category
	index   map[string]int    // defined slug → position in defined
	alias   map[string]string // slug of a name or alias → canonical slug

	mu    sync.Mutex
	known map[string]bool // learned slugs already stored, to skip Redis
}

// NewCategories builds the categories over the editors' list (may be empty).
// A slug or alias claimed by two entries is an error.
func NewCategories(s *Store, defined []news.Category) (*Categories, error) {
	c := &Categories{s: s, index: map[string]int{}, alias: map[string]string{}, known: map[string]bool{}}
	for i, d := range defined {
		if d.Slug == "" {
			d.Slug = news.Slugify(d.Name)
		}
		if d.Slug == "" || strings.TrimSpace(d.Name) == "" {
			return nil, fmt.Errorf("store: category %d: needs a name with letters or digits", i+1)
		}
		if _, dup := c.index[d.Slug]; dup {
			return nil, fmt.Errorf("store: category %q: slug %q is used twice", d.Name, d.Slug)
		}
		d.Order = i
		c.index[d.Slug] = i
		c.defined = append(c.defined, d)
	}
	for _, d := range c.defined {
		for _, name := range append([]string{d.Slug, d.Name}, d.Aliases...) {
			sl := news.Slugify(name)
			if prev, ok := c.alias[sl]; ok && prev != d.Slug || c.isOtherDefined(sl, d.Slug) {
				return nil, fmt.Errorf("store: category %q: alias %q already names another category", d.Name, name)
			}
			if sl != "" {
				c.alias[sl] = d.Slug
			}
		}
	}
	return c, nil
}

func (c *Categories) isOtherDefined(slug, self string) bool {
	_, ok := c.index[slug]
	return ok && slug != self
}

// Canonical is the slug a category name, slug or alias counts as ("" when
// the name has no letters or digits).
func (c *Categories) Canonical(name string) string {
	sl := news.Slugify(name)
	if to, ok := c.alias[sl]; ok {
		return to
	}
	return sl
}

// Slugs maps the article's category names to canonical slugs, deduplicated,
// in the article's order. It needs no I/O; ctx is for symmetry with the rest.
func (c *Categories) Slugs(_ context.Context, a news.Article) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range a.Categories {
		if sl := c.Canonical(name); sl != "" && !seen[sl] {
			seen[sl] = true
			out = append(out, sl)
		}
	}
	return out
}

// Learn stores the article's categories that are neither defined nor known
// yet, in first-seen order, and returns the article's canonical slugs.
func (c *Categories) Learn(ctx context.Context, a news.Article) ([]string, error) {
	slugs := c.Slugs(ctx, a)
	for _, name := range a.Categories {
		sl := c.Canonical(name)
		if sl == "" || c.isKnown(sl) {
			continue
		}
		if err := c.learn(ctx, sl, strings.TrimSpace(name)); err != nil {
			return slugs, err
		}
	}
	return slugs, nil
}

func (c *Categories) isKnown(slug string) bool {
	if _, ok := c.index[slug]; ok {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known[slug]
}

func (c *Categories) learn(ctx context.Context, slug, name string) error {
	exists, err := c.s.R.HExists(ctx, c.s.K("cats"), slug).Result()
	if err == nil && !exists {
		var seq int64
		if seq, err = c.s.R.Incr(ctx, c.s.K("cats", "seq")).Result(); err == nil {
			data, _ := json.Marshal(news.Category{Slug: slug, Name: name, Order: int(seq)})
			// HSETNX: when two copies learn the same name, the first one's order stays.
			err = c.s.R.HSetNX(ctx, c.s.K("cats"), slug, data).Err()
		}
	}
	if err != nil {
		return fmt.Errorf("store: learn category %q: %w", name, err)
	}
	c.mu.Lock()
	c.known[slug] = true
	c.mu.Unlock()
	return nil
}

// Resolve finds a category by name, slug or alias, case-insensitively.
// Hidden categories are found too (their Hidden flag is set).
func (c *Categories) Resolve(ctx context.Context, nameOrSlug string) (news.Category, bool, error) {
	sl := c.Canonical(nameOrSlug)
	if sl == "" {
		return news.Category{}, false, nil
	}
	if i, ok := c.index[sl]; ok {
		return c.defined[i], true, nil
	}
	data, err := c.s.R.HGet(ctx, c.s.K("cats"), sl).Bytes()
	if errors.Is(err, redis.Nil) {
		return news.Category{}, false, nil
	}
	if err != nil {
		return news.Category{}, false, fmt.Errorf("store: resolve category %q: %w", nameOrSlug, err)
	}
	var cat news.Category
	if err := json.Unmarshal(data, &cat); err != nil {
		return news.Category{}, false, fmt.Errorf("store: decode category %q: %w", sl, err)
	}
	return cat, true, nil
}

// List returns the visible categories: the defined ones in file order (even
// before any article names them, so chats can follow them in advance), then
// the learned ones in first-seen order.
func (c *Categories) List(ctx context.Context) ([]news.Category, error) {
	var out []news.Category
	for _, d := range c.defined {
		if !d.Hidden {
			out = append(out, d)
		}
	}
	m, err := c.s.R.HGetAll(ctx, c.s.K("cats")).Result()
	if err != nil {
		return out, fmt.Errorf("store: list categories: %w", err)
	}
	var learned []news.Category
	for slug, data := range m {
		var cat news.Category
		if json.Unmarshal([]byte(data), &cat) != nil || c.Canonical(slug) != slug || cat.Hidden {
			continue // undecodable, or merged into a defined category since it was learned
		}
		if _, defined := c.index[slug]; !defined {
			learned = append(learned, cat)
		}
	}
	sort.Slice(learned, func(i, j int) bool {
		if learned[i].Order != learned[j].Order {
			return learned[i].Order < learned[j].Order
		}
		return learned[i].Slug < learned[j].Slug
	})
	for i := range learned {
		learned[i].Order += len(c.defined)
	}
	return append(out, learned...), nil
}
