// Command newsbot runs the Telegram bot of Gubkin's city news.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the time zone works in a minimal image too

	"github.com/gubkin-news/newsbot/internal/app"
	"github.com/gubkin-news/newsbot/internal/config"
)

func main() { os.Exit(run()) }

func run() int {
	fs := flag.NewFlagSet("newsbot", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: newsbot [-help]")
		config.PrintHelp(os.Stderr)
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "newsbot: configuration is wrong:\n%v\n(newsbot -help lists every variable)\n", err)
		return 2
	}
	log := app.NewLogger(cfg, os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("newsbot cannot start: " + err.Error())
		return 1
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		log.Error("newsbot stopped with an error", "err", err)
		return 1
	}
	return 0
}
