package rates

import (
	"context"
	"errors"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/redistest"
)

func newService(t *testing.T, fake *fakeCBR, clk *clock) *Service {
	t.Helper()
	svc := New(Config{APIURL: fake.URL, Timeout: 2 * time.Second, Now: clk.Now}, redistest.New(t), quietLog())
	t.Cleanup(svc.Wait)
	return svc
}

func mustRefreshGet(t *testing.T, svc *Service) Snapshot {
	t.Helper()
	if err := svc.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap, err := svc.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func wantChange(t *testing.T, snap Snapshot, code, want string) {
	t.Helper()
	got, ok := snap.Change(code)
	if w := dec(t, strings.TrimPrefix(want, "-")); !ok || (strings.HasPrefix(want, "-") && got != -w) ||
		(!strings.HasPrefix(want, "-") && got != w) {
		t.Fatalf("%s change = %d (known %v), want %s", code, got, ok, want)
	}
}

func TestChangeAcrossAWeekendIsAgainstThePreviousSet(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 10), usdEur(t, day(2023, 11, 10), "91,0000", "97,0000")) // Friday
	fake.publish(day(2023, 11, 11), usdEur(t, day(2023, 11, 11), "91,2345", "97,5000")) // set Friday, in force Sat–Mon
	fake.publish(day(2023, 11, 14), usdEur(t, day(2023, 11, 14), "92,0000", "97,5000")) // set Monday for Tuesday
	snap := mustRefreshGet(t, newService(t, fake, testkit.NewClock(time.Date(2023, 11, 13, 18, 0, 0, 0, msk))))
	if !snap.Date.Equal(day(2023, 11, 14)) || !snap.PrevDate.Equal(day(2023, 11, 11)) {
		t.Fatalf("date %v prev %v, want 14.11 against 11.11", snap.Date, snap.PrevDate)
	}
	wantChange(t, snap, "USD", "0,7655")
	wantChange(t, snap, "EUR", "0")
	if got := fake.askedDates(); !reflect.DeepEqual(got, []string{"", "13/11/2023"}) {
		t.Fatalf("asked %q", got)
	}
}

func TestChangeAcrossNovemberHolidays(t *testing.T) {
	// 2023: the set of Friday 3.11 took effect on Saturday 4.11 and stayed
	// through the holiday on Monday 6.11; the next one took effect on 8.11.
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 3), usdEur(t, day(2023, 11, 3), "92,0000", "98,0000"))
	fake.publish(day(2023, 11, 4), usdEur(t, day(2023, 11, 4), "93,0000", "99,0000"))
	fake.publish(day(2023, 11, 8), usdEur(t, day(2023, 11, 8), "92,5000", "99,0100"))
	snap := mustRefreshGet(t, newService(t, fake, testkit.NewClock(time.Date(2023, 11, 7, 19, 0, 0, 0, msk))))
	if !snap.PrevDate.Equal(day(2023, 11, 4)) {
		t.Fatalf("prev = %v, want 4.11", snap.PrevDate)
	}
	wantChange(t, snap, "USD", "-0,5")
	wantChange(t, snap, "EUR", "0,01")
	text := Format(bundle(t), "ru", snap, time.Date(2023, 11, 7, 19, 0, 0, 0, msk))
	if !strings.Contains(text, "USD 92,50 ₽ ▼ 0,50\nEUR 99,01 ₽ ▲ 0,01") || !strings.Contains(text, "на 8 ноября") {
		t.Fatalf("text:\n%s", text)
	}
}

func TestChangeAcrossNewYear(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 12, 30), usdEur(t, day(2023, 12, 30), "89,6883", "99,1919"))
	fake.publish(day(2024, 1, 10), usdEur(t, day(2024, 1, 10), "90,3041", "99,2043"))
	snap := mustRefreshGet(t, newService(t, fake, testkit.NewClock(time.Date(2024, 1, 9, 20, 0, 0, 0, msk))))
	if !snap.PrevDate.Equal(day(2023, 12, 30)) {
		t.Fatalf("prev = %v", snap.PrevDate)
	}
	wantChange(t, snap, "USD", "0,6158")
}

func TestStepsBackWhileTheBankAnswersTheSameSet(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 4), usdEur(t, day(2023, 11, 4), "93,0000", "99,0000"))
	fake.publish(day(2023, 11, 8), usdEur(t, day(2023, 11, 8), "92,5000", "99,0100"))
	fake.override[day(2023, 11, 7)] = day(2023, 11, 8) // answered with the set being compared
	fake.override[day(2023, 11, 6)] = day(2023, 11, 8)
	snap := mustRefreshGet(t, newService(t, fake, testkit.NewClock(time.Date(2023, 11, 8, 9, 0, 0, 0, msk))))
	if !snap.PrevDate.Equal(day(2023, 11, 4)) {
		t.Fatalf("prev = %v, want 4.11", snap.PrevDate)
	}
	if got := fake.askedDates(); !reflect.DeepEqual(got, []string{"", "07/11/2023", "06/11/2023", "05/11/2023"}) {
		t.Fatalf("asked %q", got)
	}
}

func TestWalkBackIsBoundedAndChangesAreLeftOut(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 8), usdEur(t, day(2023, 11, 8), "92,5000", "99,0100"))
	for d := day(2023, 10, 20); d.Before(day(2023, 11, 8)); d = d.AddDate(0, 0, 1) {
		fake.override[d] = day(2023, 11, 8)
	}
	snap := mustRefreshGet(t, newService(t, fake, testkit.NewClock(time.Date(2023, 11, 8, 9, 0, 0, 0, msk))))
	if n := fake.dated.Load(); n != maxStepsBack {
		t.Fatalf("dated requests = %d, want %d", n, maxStepsBack)
	}
	if _, ok := snap.Change("USD"); ok || snap.Rates["USD"].PerUnit != dec(t, "92,5") {
		t.Fatalf("rates must be kept without a change: %+v", snap.Payload)
	}
	if text := Format(bundle(t), "ru", snap, time.Time{}); !strings.Contains(text, "USD 92,50 ₽\n") || strings.Contains(text, "0,00") {
		t.Fatalf("a missing change must not print as zero:\n%s", text)
	}
}

func TestPreviousSetIsReusedUntilTheBankPublishes(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 1), usdEur(t, day(2023, 11, 1), "93,1601", "98,4865"))
	fake.publish(day(2023, 11, 2), sample(t))
	clk := testkit.NewClock(time.Date(2023, 11, 2, 10, 0, 0, 0, msk))
	svc := newService(t, fake, clk)
	mustRefreshGet(t, svc)
	clk.Add(time.Hour)
	snap := mustRefreshGet(t, svc)
	if fake.latest.Load() != 2 || fake.dated.Load() != 1 {
		t.Fatalf("latest %d dated %d, want the hourly refresh to ask only for the latest", fake.latest.Load(), fake.dated.Load())
	}
	wantChange(t, snap, "USD", "0,12")

	fake.publish(day(2023, 11, 3), usdEur(t, day(2023, 11, 3), "93,0001", "98,4365"))
	snap = mustRefreshGet(t, svc)
	if !snap.PrevDate.Equal(day(2023, 11, 2)) || fake.dated.Load() != 2 {
		t.Fatalf("after a new set: prev %v, dated %d", snap.PrevDate, fake.dated.Load())
	}
	wantChange(t, snap, "USD", "-0,28")
}

func TestHundredConcurrentGetsAskTheBankOnce(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 1), usdEur(t, day(2023, 11, 1), "93,1601", "98,4865"))
	fake.publish(day(2023, 11, 2), sample(t))
	svc := newService(t, fake, testkit.NewClock(time.Date(2023, 11, 2, 10, 0, 0, 0, msk)))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, err := svc.Get(context.Background())
			if err == nil && snap.Rates["USD"].PerUnit != dec(t, "93,2801") {
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
	if fake.latest.Load() != 1 || fake.dated.Load() != 1 {
		t.Fatalf("latest %d dated %d, want one refresh: 1 and 1", fake.latest.Load(), fake.dated.Load())
	}
}

func TestBankDownServesCacheMarkedStale(t *testing.T) {
	fake := newFakeCBR(t)
	fake.publish(day(2023, 11, 1), usdEur(t, day(2023, 11, 1), "93,1601", "98,4865"))
	fake.publish(day(2023, 11, 2), sample(t))
	clk := testkit.NewClock(time.Date(2023, 11, 2, 14, 30, 0, 0, msk))
	svc := newService(t, fake, clk)
	mustRefreshGet(t, svc)

	fake.fail(http.StatusServiceUnavailable)
	clk.Add(50 * time.Minute)
	if snap, _ := svc.Get(context.Background()); snap.Stale {
		t.Fatal("a 50-minute-old set is fresh")
	}
	clk.Add(20 * time.Minute)
	snap, err := svc.Get(context.Background())
	svc.Wait()
	if err != nil || !snap.Stale || snap.Rates["USD"].PerUnit != dec(t, "93,2801") {
		t.Fatalf("got stale=%v err=%v", snap.Stale, err)
	}
	if fake.latest.Load() != 2 {
		t.Fatalf("latest requests = %d, want 2 (one background try)", fake.latest.Load())
	}
	text := Format(bundle(t), "ru", snap, clk.Now())
	if !strings.Contains(text, "<i>Данные на 14:30</i>") || !strings.Contains(text, "USD 93,28 ₽ ▲ 0,12") {
		t.Fatalf("text:\n%s", text)
	}
}

func TestNothingCachedAndBankDownIsErrUnavailable(t *testing.T) {
	fake := newFakeCBR(t)
	fake.fail(http.StatusInternalServerError)
	svc := newService(t, fake, testkit.NewClock(time.Now()))
	if _, err := svc.Get(context.Background()); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err = %v, want ErrUnavailable naming HTTP 500", err)
	}
	if got := bundle(t).T("en", "rates_unavailable", nil); !strings.Contains(got, "rates") {
		t.Fatalf("apology = %q", got)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, loc := Config{Currencies: []string{" usd", "Eur,cny", "USD"}}.withDefaults(quietLog())
	if !reflect.DeepEqual(cfg.Currencies, []string{"USD", "EUR", "CNY"}) || cfg.APIURL != DefaultAPIURL ||
		cfg.Timeout != 10*time.Second || cfg.Fresh != time.Hour {
		t.Fatalf("cfg = %+v", cfg)
	}
	if _, off := time.Date(2023, 11, 2, 12, 0, 0, 0, loc).Zone(); off != 3*3600 {
		t.Fatalf("Moscow offset = %d", off)
	}
	if cfg, _ = (Config{}).withDefaults(quietLog()); !reflect.DeepEqual(cfg.Currencies, []string{"USD", "EUR", "CNY"}) {
		t.Fatalf("default currencies = %v", cfg.Currencies)
	}
	if _, loc = (Config{Timezone: "Nowhere/Atlantis"}).withDefaults(quietLog()); loc.String() != "MSK" {
		t.Fatalf("bad timezone falls back to %v", loc)
	}
}
