package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// redisLog sends go-redis's own log lines (one per failed dial while Redis
// is down: the transport reports those itself, once) to slog at debug.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(_ context.Context, format string, v ...any) {
	r.l.Debug("go-redis", "msg", fmt.Sprintf(format, v...))
}

var logOnce sync.Once

// quietRedis routes go-redis's logger (a process-wide setting) to l.
func quietRedis(l *slog.Logger) { logOnce.Do(func() { redis.SetLogger(redisLog{l}) }) }
