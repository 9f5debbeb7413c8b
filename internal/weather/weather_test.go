package weather

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

type serviceFixture struct {
	st   *store.Store
	clk  *clock
	fake *fakeMeteo
	svc  *Service
}

func newService(t *testing.T) *serviceFixture {
	t.Helper()
	f := &serviceFixture{st: redistest.New(t), clk: testkit.NewClock(time.Date(2023, 11, 8, 14, 31, 0, 0, msk)),
		fake: newFakeMeteo(t, readFile(t, "gubkin_forecast.json"))}
	f.svc = New(Config{APIURL: f.fake.URL, Timeout: 2 * time.Second, Now: f.clk.Now}, f.st, quietLog())
	t.Cleanup(f.svc.Wait)
	return f
}

func TestHundredConcurrentRequestsOnEmptyCacheMakeOneUpstreamCall(t *testing.T) {
	f := newService(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, err := f.svc.Get(context.Background())
			if err == nil && snap.Current.Code != 71 {
				err = errors.New("wrong snapshot")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.fake.requests.Load(); n != 1 {
		t.Fatalf("Open-Meteo got %d requests, want 1", n)
	}
}

func TestCacheIsSharedJSONUnderCacheWeather(t *testing.T) {
	f := newService(t)
	if err := f.svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := f.st.R.Get(context.Background(), f.st.K("cache", "weather")).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Value     Forecast  `json:"value"`
		FetchedAt time.Time `json:"fetched_at"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Value.Current.Temp != -2.6 || !e.FetchedAt.Equal(f.clk.Now()) {
		t.Fatalf("cache:weather = %s (err %v)", raw, err)
	}
	// Another copy of the bot reads it without asking Open-Meteo.
	other := New(Config{APIURL: f.fake.URL, Now: f.clk.Now}, f.st, quietLog())
	snap, err := other.Get(context.Background())
	if err != nil || snap.Current.Temp != -2.6 || snap.Stale || f.fake.requests.Load() != 1 {
		t.Fatalf("other copy: %+v err %v requests %d", snap.Current, err, f.fake.requests.Load())
	}
}

func TestUpstreamDownServesLastGoodValueMarkedStale(t *testing.T) {
	f := newService(t)
	ctx := context.Background()
	if _, err := f.svc.Get(ctx); err != nil {
		t.Fatal(err)
	}
	f.clk.Add(10 * time.Minute)
	if snap, _ := f.svc.Get(ctx); snap.Stale || f.fake.requests.Load() != 1 {
		t.Fatalf("a 10-minute-old value: stale=%v requests=%d, want fresh from cache", snap.Stale, f.fake.requests.Load())
	}

	f.fake.answer(http.StatusInternalServerError, []byte("<html>oops</html>"))
	f.clk.Add(10 * time.Minute)
	snap, err := f.svc.Get(ctx)
	if err != nil || !snap.Stale || snap.Current.Temp != -2.6 {
		t.Fatalf("got %+v stale=%v err=%v, want the cached value marked stale", snap.Current, snap.Stale, err)
	}
	f.svc.Wait() // the background refresh hit the failing upstream
	if n := f.fake.requests.Load(); n != 2 {
		t.Fatalf("requests = %d, want 2 (one background refresh)", n)
	}
	text := Format(bundle(t), "ru", snap, f.clk.Now())
	if !strings.Contains(text, "<i>Данные на 14:30</i>") {
		t.Fatalf("stale text lacks the time of the data:\n%s", text)
	}
}

func TestNothingCachedAndUpstreamDownIsErrUnavailable(t *testing.T) {
	f := newService(t)
	f.fake.answer(http.StatusTooManyRequests, []byte(`{"error":true,"reason":"Hourly API request limit exceeded"}`))
	_, err := f.svc.Get(context.Background())
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "429") {
		t.Fatalf("err = %v, want ErrUnavailable naming the 429", err)
	}
	if got := bundle(t).T("ru", "weather_unavailable", nil); !strings.Contains(got, "погод") {
		t.Fatalf("apology text = %q", got)
	}
}

func TestStaleValueRefreshesInBackground(t *testing.T) {
	f := newService(t)
	ctx := context.Background()
	if _, err := f.svc.Get(ctx); err != nil {
		t.Fatal(err)
	}
	f.fake.answer(http.StatusOK, []byte(strings.Replace(string(readFile(t, "gubkin_forecast.json")),
		`"temperature_2m":-2.6`, `"temperature_2m":1.4`, 1)))
	f.clk.Add(16 * time.Minute)
	if snap, _ := f.svc.Get(ctx); snap.Current.Temp != -2.6 || !snap.Stale {
		t.Fatalf("first answer after expiry must be the cached one, got %v stale=%v", snap.Current.Temp, snap.Stale)
	}
	f.svc.Wait()
	if snap, _ := f.svc.Get(ctx); snap.Current.Temp != 1.4 || snap.Stale {
		t.Fatalf("after the background refresh got %v stale=%v", snap.Current.Temp, snap.Stale)
	}
}
