// Package testkit holds the small helpers several packages' tests share: a
// clock tests move by hand, and a bundle of one feature's texts.
package testkit

import (
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/locales"
)

// Clock is a time source a test sets and moves; safe across goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time (use it as an injected Now func).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Bundle loads only the named features' locale files (<feature>.ru.toml and
// <feature>.en.toml), so another feature's texts cannot break a test.
func Bundle(tb testing.TB, features ...string) *i18n.Bundle {
	tb.Helper()
	fsys := fstest.MapFS{}
	for _, f := range features {
		for _, lang := range i18n.Supported {
			name := f + "." + lang + ".toml"
			data, err := fs.ReadFile(locales.FS, name)
			if err != nil {
				tb.Fatal(err)
			}
			fsys[name] = &fstest.MapFile{Data: data}
		}
	}
	b, err := i18n.Load(fsys, "ru")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
