// Command deliverybench runs the real delivery engine (internal/delivery) on
// Redis against a local fake Bot API that enforces a rate, sends a command
// reply every 200 ms during the fan-out, and prints one line of figures:
// achieved rate against the limit, 429s, lost and duplicate messages, reply
// latency and Redis bytes per recipient. It uses its own key prefix and
// deletes its keys when done.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

type options struct {
	redisURL   string
	recipients int64
	rate       float64
	serverRate float64
	share      float64
	paid       bool
	workers    int
	timeout    time.Duration
	cpuProfile string
}

func main() { os.Exit(run()) }

func run() int {
	var o options
	flag.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/15", "Redis URL (the benchmark uses its own key prefix and deletes it)")
	flag.Int64Var(&o.recipients, "recipients", 10000, "chats following the section")
	flag.Float64Var(&o.rate, "rate", 30, "SEND_RATE of the engine, messages/s")
	flag.Float64Var(&o.serverRate, "server-rate", 30, "the fake Bot API's limit, messages/s with a one-second burst (0: none)")
	flag.Float64Var(&o.share, "reply-share", delivery.DefaultReplyShare, "REPLY_SHARE")
	flag.BoolVar(&o.paid, "paid", false, "SEND_PAID_BROADCAST")
	flag.IntVar(&o.workers, "workers", delivery.DefaultWorkers, "SEND_WORKERS")
	flag.DurationVar(&o.timeout, "timeout", 0, "give up after this long (0: twice the expected time + 1 min)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	line, err := bench(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deliverybench:", err)
		return 1
	}
	fmt.Println(line)
	return 0
}

func bench(ctx context.Context, o options) (string, error) {
	rdb, closeRedis, err := store.Open(o.redisURL)
	if err != nil {
		return "", err
	}
	defer closeRedis()
	st := store.New(rdb, fmt.Sprintf("deliverybench:%d-%d:", os.Getpid(), time.Now().UnixNano()))
	defer cleanup(st)
	fake, err := startFake(o.recipients, o.serverRate)
	if err != nil {
		return "", err
	}
	defer fake.close()
	// telegram.NewClient clones the default transport, which keeps only 2 idle
	// connections per host: with several senders that means a new TCP
	// connection for most sends. See the report to the lead.
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 256
	client, err := telegram.NewClient(ctx, fakeToken, fake.url, 30*time.Second)
	if err != nil {
		return "", err
	}
	if err := seed(ctx, st, o.recipients); err != nil {
		return "", err
	}
	eng, err := newEngine(st, client, o)
	if err != nil {
		return "", err
	}
	return measure(ctx, o, st, fake, eng, client)
}

func newEngine(st *store.Store, client *telegram.Client, o options) (*delivery.Engine, error) {
	texts, err := i18n.Default("ru")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	cfg := delivery.Config{Rate: o.rate, ReplyShare: o.share, Workers: o.workers, PaidBroadcast: o.paid,
		Consumer: fmt.Sprintf("%s-%d", host, os.Getpid()), Location: time.UTC}
	render := func(_ context.Context, d delivery.Delivery, _ news.Chat) (telegram.Message, error) {
		return telegram.Message{Text: "<b>Губкин:</b> новость " + d.Item, NoPreview: true}, nil
	}
	return delivery.New(cfg, delivery.Deps{Store: st, Sender: &telegram.Sender{C: client, PaidBulk: o.paid},
		Renderer: delivery.RendererFunc(render), Texts: texts, Log: warnLog()})
}
