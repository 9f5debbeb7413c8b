package feed

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/gubkin-news/newsbot/internal/news"
)

// categoriesFile is the format of CATEGORIES_FILE (example:
// testdata/categories.toml). Every key but name is optional:
//
//	[[category]]                 # one table per section, in menu order
//	name    = "Происшествия"     # name shown to readers
//	slug    = "proisshestviya"   # default: news.Slugify(name); set it to rename a
//	                             # section the feed calls otherwise ("Общество" is
//	                             # "obshchestvo": slug = "obshchestvo", name = "Жизнь города")
//	emoji   = "🚨"
//	hidden  = false              # true: stored and counted, never offered in menus
//	aliases = ["ЧП", "Криминал"] # feed names that count as this section
//
// Sections the file does not name are still learned from the feed and listed
// after the file's ones, in the order they were first seen. Names, slugs and
// aliases match case-insensitively. Unknown keys are an error (typos show).
type categoriesFile struct {
	Category []struct {
		Name    string   `toml:"name"`
		Slug    string   `toml:"slug"`
		Emoji   string   `toml:"emoji"`
		Hidden  bool     `toml:"hidden"`
		Aliases []string `toml:"aliases"`
	} `toml:"category"`
}

// LoadCategories reads CATEGORIES_FILE; an empty path means no file.
func LoadCategories(path string) ([]news.Category, error) {
	if path == "" {
		return nil, nil
	}
	var f categoriesFile
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("feed: read categories file %s: %w", path, err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("feed: categories file %s: unknown keys %v", path, extra)
	}
	out := make([]news.Category, 0, len(f.Category))
	for i, c := range f.Category {
		if strings.TrimSpace(c.Name) == "" {
			return nil, fmt.Errorf("feed: categories file %s: category %d has no name", path, i+1)
		}
		slug := strings.TrimSpace(c.Slug)
		if slug != "" && news.Slugify(slug) != slug {
			return nil, fmt.Errorf("feed: categories file %s: slug %q must be lower-case Latin, digits and '-'", path, slug)
		}
		out = append(out, news.Category{Slug: slug, Name: strings.TrimSpace(c.Name),
			Emoji: strings.TrimSpace(c.Emoji), Hidden: c.Hidden, Aliases: c.Aliases})
	}
	return out, nil
}
