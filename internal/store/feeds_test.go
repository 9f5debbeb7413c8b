package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

const feedURL = "https://gubkin.example/rss"

func TestFeedKeyIsShortAndStable(t *testing.T) {
	s := redistest.New(t)
	id := store.FeedKeyID(feedURL)
	if len(id) != 12 || id != store.FeedKeyID(feedURL) || id == store.FeedKeyID(feedURL+"2") {
		t.Fatalf("FeedKeyID = %q", id)
	}
	f := store.Feeds{S: s}
	if _, err := f.MarkOK(context.Background(), feedURL, store.FeedSync{At: t0}); err != nil {
		t.Fatal(err)
	}
	if n := s.R.Exists(context.Background(), s.K("feed", id)).Val(); n != 1 {
		t.Fatalf("state not in feed:%s", id)
	}
}

func TestFeedFailuresGoDownOnceAndRecoverOnce(t *testing.T) {
	ctx, f := context.Background(), store.Feeds{S: redistest.New(t)}
	var downs []int
	for i := 1; i <= 7; i++ {
		n, down, err := f.MarkFailed(ctx, feedURL, "HTTP status 500", t0, 5)
		if err != nil || n != i {
			t.Fatalf("MarkFailed #%d = %d, %v", i, n, err)
		}
		if down {
			downs = append(downs, n)
		}
	}
	if len(downs) != 1 || downs[0] != 5 {
		t.Fatalf("went down at %v, want once at 5", downs)
	}
	st, _ := f.Get(ctx, feedURL)
	if !st.Down || st.ConsecutiveErrors != 7 || st.LastError != "HTTP status 500" || !st.LastErrorAt.Equal(t0) {
		t.Fatalf("state = %+v", st)
	}
	var ups int
	for range 3 {
		up, err := f.MarkOK(ctx, feedURL, store.FeedSync{At: t0.Add(time.Minute), Items: -1})
		if err != nil {
			t.Fatal(err)
		}
		if up {
			ups++
		}
	}
	st, _ = f.Get(ctx, feedURL)
	if ups != 1 || st.Down || st.ConsecutiveErrors != 0 || !st.FirstSyncDone {
		t.Fatalf("ups = %d, state = %+v", ups, st)
	}
}

func TestFeedValidatorsSurviveA304(t *testing.T) {
	ctx, f := context.Background(), store.Feeds{S: redistest.New(t)}
	if _, err := f.MarkOK(ctx, feedURL, store.FeedSync{ETag: `"v1"`, LastModified: "Wed, 01 May 2024 09:00:00 GMT", Items: 12, At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.MarkOK(ctx, feedURL, store.FeedSync{Items: -1, At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	st, err := f.Get(ctx, feedURL)
	if err != nil || st.ETag != `"v1"` || st.LastModified == "" || st.Items != 12 || !st.LastOK.Equal(t0.Add(time.Minute)) {
		t.Fatalf("state = %+v, %v", st, err)
	}
}

func TestFeedClearDownLetsFeedDownFireAgain(t *testing.T) {
	ctx, f := context.Background(), store.Feeds{S: redistest.New(t)}
	for range 5 {
		_, _, _ = f.MarkFailed(ctx, feedURL, "x", t0, 5)
	}
	if err := f.ClearDown(ctx, feedURL); err != nil {
		t.Fatal(err)
	}
	if _, down, _ := f.MarkFailed(ctx, feedURL, "x", t0, 5); !down {
		t.Fatal("after ClearDown the next failure must go down again")
	}
}
