package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (examples: 15s, 5m, 24h)", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", v)
	}
	return d, nil
}

func parsePositiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a positive whole number", v)
	}
	return n, nil
}

func parseFloat(v string, min, max float64) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < min || f > max {
		return 0, fmt.Errorf("%q is not a number from %g to %g", v, min, max)
	}
	return f, nil
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", v)
	}
	return b, nil
}

func parseList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseIDs(v string) ([]int64, error) {
	var out []int64
	for _, p := range parseList(v) {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a Telegram id (comma-separated numbers)", p)
		}
		out = append(out, id)
	}
	return out, nil
}

func parseHTTPURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", v)
	}
	return strings.TrimRight(v, "/"), nil
}

func parseURLs(v string) ([]string, error) {
	var out []string
	for _, p := range parseList(v) {
		u, err := parseHTTPURL(p)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func parseCron(v string) (string, error) {
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	if _, err := p.Parse(v); err != nil {
		return "", fmt.Errorf("%q is not a cron spec (examples: @every 1m, */5 * * * *): %v", v, err)
	}
	return v, nil
}

func oneOf(v string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

func parseToken(v string) (string, error) {
	i := strings.IndexByte(v, ':')
	if i <= 0 || i == len(v)-1 || strings.ContainsAny(v, " /\t") {
		// never echo the value: it is a secret
		return "", errors.New("does not look like a bot token (digits:letters, from @BotFather)")
	}
	return v, nil
}

func parseCurrencies(v string) ([]string, error) {
	var out []string
	for _, p := range parseList(v) {
		p = strings.ToUpper(p)
		if len(p) != 3 {
			return nil, fmt.Errorf("%q is not a three-letter currency code", p)
		}
		out = append(out, p)
	}
	return out, nil
}
