package redistest

import (
	"context"
	"testing"
)

func TestNewGivesIsolatedPrefix(t *testing.T) {
	a, b := New(t), New(t)
	if a.Prefix == b.Prefix {
		t.Fatalf("prefixes equal: %q", a.Prefix)
	}
	ctx := context.Background()
	if err := a.R.Set(ctx, a.K("x"), "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n := b.R.Exists(ctx, b.K("x")).Val(); n != 0 {
		t.Fatalf("key leaked across prefixes")
	}
}
