// Package i18n gives the bot its texts in Russian and English from locales/
// (go-i18n, TOML), with CLDR plural forms (1 статья, 2 статьи, 5 статей).
package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/gubkin-news/newsbot/locales"
)

// Supported lists the languages the bot speaks, Russian first.
var Supported = []string{"ru", "en"}

// Bundle holds every message of every language.
type Bundle struct {
	b          *goi18n.Bundle
	def        string
	localizers map[string]*goi18n.Localizer
	ids        map[string][]string
}

// Default loads the embedded locales.
func Default(defaultLang string) (*Bundle, error) { return Load(locales.FS, defaultLang) }

// Load reads every *.toml of fsys; the language is the part of the name
// before ".toml" ("ru.toml", "weather.en.toml").
func Load(fsys fs.FS, defaultLang string) (*Bundle, error) {
	if !IsSupported(defaultLang) {
		return nil, fmt.Errorf("i18n: language %q is not supported (ru, en)", defaultLang)
	}
	b := goi18n.NewBundle(language.MustParse(defaultLang))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("i18n: list locales: %w", err)
	}
	sort.Strings(names)
	ids := map[string][]string{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", n, err)
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(n))
		if err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", n, err)
		}
		for _, m := range mf.Messages {
			ids[mf.Tag.String()] = append(ids[mf.Tag.String()], m.ID)
		}
	}
	bd := &Bundle{b: b, def: defaultLang, localizers: map[string]*goi18n.Localizer{}, ids: ids}
	for _, l := range Supported {
		bd.localizers[l] = goi18n.NewLocalizer(b, l, defaultLang)
	}
	return bd, nil
}

// IsSupported tells whether the bot speaks lang.
func IsSupported(lang string) bool {
	for _, l := range Supported {
		if l == lang {
			return true
		}
	}
	return false
}

// Default is the language used when a chat has none.
func (b *Bundle) Default() string { return b.def }

// Pick maps a Telegram language_code ("ru", "en-US", "uk") to a supported language.
func (b *Bundle) Pick(code string) string {
	code = strings.ToLower(code)
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	if IsSupported(code) {
		return code
	}
	return b.def
}

// T returns message id in lang with data filled in. A missing message gives
// its id, so a gap shows up in tests instead of an empty reply.
func (b *Bundle) T(lang, id string, data map[string]any) string {
	return b.localize(lang, &goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// N returns the plural form of message id for count; data gets "Count" too.
func (b *Bundle) N(lang, id string, count int, data map[string]any) string {
	d := map[string]any{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	return b.localize(lang, &goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: d})
}

func (b *Bundle) localize(lang string, cfg *goi18n.LocalizeConfig) string {
	l, ok := b.localizers[lang]
	if !ok {
		l = b.localizers[b.def]
	}
	s, err := l.Localize(cfg)
	if err != nil {
		return cfg.MessageID
	}
	return s
}

// IDs lists every message id of lang, sorted (for completeness tests).
func (b *Bundle) IDs(lang string) []string {
	out := append([]string(nil), b.ids[lang]...)
	sort.Strings(out)
	return out
}
