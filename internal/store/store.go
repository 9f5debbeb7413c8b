// Package store holds the Redis adapters of newsbot: chats, subscriptions,
// articles, offsets, leases and caches. Every key carries a configurable prefix.
package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Store is the Redis connection with the key prefix every adapter uses.
type Store struct {
	R      redis.UniversalClient
	Prefix string
}

// New wraps an existing client.
func New(r redis.UniversalClient, prefix string) *Store {
	return &Store{R: r, Prefix: prefix}
}

// K builds a prefixed key from parts joined by ':'.
func (s *Store) K(parts ...string) string {
	return s.Prefix + strings.Join(parts, ":")
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.R.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Memory reports whether rawURL asks for the in-process store.
func Memory(rawURL string) bool { return strings.HasPrefix(rawURL, "memory://") }

// Open connects to the Redis named by rawURL:
//   - redis://, rediss://         one server (go-redis ParseURL)
//   - redis-sentinel://[:pass@]host1:port,host2:port/db?master=name   Sentinel
//   - redis-cluster://[:pass@]host1:port,host2:port                     Cluster
//   - memory://                  an in-process miniredis; nothing survives a restart
//
// The returned close function releases the client (and the in-process server).
func Open(rawURL string) (redis.UniversalClient, func(), error) {
	switch {
	case Memory(rawURL):
		m, err := miniredis.Run()
		if err != nil {
			return nil, nil, fmt.Errorf("store: start in-process redis: %w", err)
		}
		c := redis.NewClient(&redis.Options{Addr: m.Addr()})
		return c, func() { _ = c.Close(); m.Close() }, nil
	case strings.HasPrefix(rawURL, "redis-sentinel://"), strings.HasPrefix(rawURL, "redis-cluster://"):
		opts, err := parseMulti(rawURL)
		if err != nil {
			return nil, nil, err
		}
		c := redis.NewUniversalClient(opts)
		return c, func() { _ = c.Close() }, nil
	default:
		opts, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, nil, fmt.Errorf("store: parse REDIS_URL: %w", err)
		}
		c := redis.NewClient(opts)
		return c, func() { _ = c.Close() }, nil
	}
}

func parseMulti(rawURL string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse REDIS_URL: %w", err)
	}
	opts := &redis.UniversalOptions{Addrs: strings.Split(u.Host, ",")}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	if u.Scheme == "redis-cluster" {
		opts.IsClusterMode = true
		return opts, nil
	}
	opts.MasterName = u.Query().Get("master")
	if opts.MasterName == "" {
		return nil, fmt.Errorf("store: REDIS_URL: redis-sentinel:// needs ?master=<name>")
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if _, err := fmt.Sscan(db, &opts.DB); err != nil {
			return nil, fmt.Errorf("store: REDIS_URL: database %q is not a number", db)
		}
	}
	return opts, nil
}
