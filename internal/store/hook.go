package store

import (
	"context"
	"errors"
	"net"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/metrics"
)

// errorCounter counts failed Redis commands (redis.Nil is an answer, not a failure).
type errorCounter struct{}

func (errorCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			metrics.RedisErrors.WithLabelValues("dial").Inc()
		}
		return c, err
	}
}

func (errorCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		count("command", err)
		return err
	}
}

func (errorCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		count("pipeline", err)
		return err
	}
}

func count(kind string, err error) {
	if err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, context.Canceled) {
		metrics.RedisErrors.WithLabelValues(kind).Inc()
	}
}

// CountErrors makes every failed command of c show in newsbot_redis_errors_total.
func CountErrors(c redis.UniversalClient) { c.AddHook(errorCounter{}) }
