package store_test

import (
	"context"
	"testing"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

func TestTopicsHaveStableRecipientIDs(t *testing.T) {
	ctx := context.Background()
	tp := store.Topics{S: redistest.New(t)}
	a, err := tp.ID(ctx, -1001234567890, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tp.ID(ctx, -1001234567890, 7)
	c, _ := tp.ID(ctx, -1001234567890, 8)
	if a != b || a == c || !store.IsTopic(a) || store.IsTopic(-1001234567890) {
		t.Fatalf("ids %d %d %d", a, b, c)
	}
	chat, thread, err := tp.Resolve(ctx, c)
	if err != nil || chat != -1001234567890 || thread != 8 {
		t.Fatalf("resolve = %d %d %v", chat, thread, err)
	}
	if _, _, err := tp.Resolve(ctx, a-100); err == nil {
		t.Fatal("an unknown topic resolved")
	}
}
