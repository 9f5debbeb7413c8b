// Command newsbot runs the Telegram bot of Gubkin's city news.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // the time zone works in a minimal image too

	"github.com/gubkin-news/newsbot/internal/app"
	"github.com/gubkin-news/newsbot/internal/config"
)

func main() { os.Exit(run()) }

func run() int {
	fs := flag.NewFlagSet("newsbot", flag.ContinueOnError)
	healthcheck := fs.Bool("healthcheck", false, "ask this host's /healthz (port of HTTP_ADDR) and exit 0 if it answers 200, else 1")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: newsbot [-help] [-healthcheck]")
		config.PrintHelp(os.Stderr)
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *healthcheck {
		return probe(os.Getenv("HTTP_ADDR"))
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

// probe is the container's HEALTHCHECK (the image has no curl): GET /healthz
// on the port of HTTP_ADDR, 2 s at most, through no proxy; 0 if it answers 200.
func probe(addr string) int {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "", "8080"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	res, err := c.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsbot: healthcheck:", err)
		return 1
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "newsbot: healthcheck: /healthz answered", res.Status)
		return 1
	}
	return 0
}
