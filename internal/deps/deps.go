//go:build tools

// Package deps pins modules that later packages import, so go mod tidy keeps them.
package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/bsm/redislock"
	_ "github.com/go-redis/redis_rate/v10"
	_ "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	_ "github.com/kljensen/snowball/russian"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/nicksnyder/go-i18n/v2/i18n"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/robfig/cron/v3"
	_ "golang.org/x/net/html/charset"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/text/encoding/charmap"
	_ "golang.org/x/time/rate"
)
