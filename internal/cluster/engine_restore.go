package cluster

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// addScript adds one batch to P:events (KEYS[1]) only where P:meta
// (KEYS[2]) exists: ARGV are MAXLEN, the ID, the previous offset and the
// batch.
var addScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return redis.error_reply('TICKCAST_FRESH') end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[2], 'p', ARGV[3], 'b', ARGV[4])
`)

// recentKept is how many of the last batches written the engine keeps to
// write again into a Redis that came back empty: seconds of a busy venue,
// what edges may not have read before Redis went.
const recentKept = 8192

// remember keeps x among the recent batches (under wmu).
func (e *Engine) remember(x entry) {
	if len(e.recent) >= 2*recentKept {
		e.recent = append(e.recent[:0], e.recent[len(e.recent)-recentKept:]...)
	}
	e.recent = append(e.recent, x)
}

// restoreLocked writes P:meta and the recent batches into a Redis that
// came back empty (under wmu): an edge that had not read them before Redis
// went reads them now and sees no hole; one that lost more resynchronises.
func (e *Engine) restoreLocked(ctx context.Context) error {
	if err := e.rdb.Set(ctx, e.k.meta(), e.metaBytes, 0).Err(); err != nil {
		return err
	}
	keep := e.recent[max(0, len(e.recent)-recentKept):]
	for start := 0; start < len(keep); start += 512 {
		p := e.rdb.Pipeline()
		for _, x := range keep[start:min(start+512, len(keep))] {
			p.XAdd(ctx, &redis.XAddArgs{Stream: e.k.events(), ID: x.id, MaxLen: e.cfg.StreamLen, Approx: true,
				Values: []any{"p", x.prev, "b", x.data}})
		}
		cmds, err := p.Exec(ctx)
		if err != nil {
			for _, c := range cmds {
				if c.Err() != nil && !strings.Contains(c.Err().Error(), "equal or smaller") {
					return c.Err()
				}
			}
		}
	}
	e.log.Warn("cluster: Redis came back empty: meta and the last batches written again", "batches", len(keep))
	return nil
}
