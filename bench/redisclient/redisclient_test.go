// Package redisclient measures the two Redis clients considered for
// tickcast's engine → edge transport (internal/cluster) on its workload:
// XADD of ~2 KB batches trimmed with MAXLEN ~, one at a time and
// pipelined, and the delivery of one entry to a reader blocked in XREAD
// BLOCK. It is a module of its own so that the client not chosen is no
// dependency of tickcast. Run it against a Redis (default 127.0.0.1:6379,
// or REDIS_ADDR):
//
//	cd bench/redisclient && go test -bench . -count 5 -benchtime 2s
package redisclient

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

func addr() string {
	if a := os.Getenv("REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// payload is a batch's size in tickcast (a command's trade, book delta,
// quote, ticker and candles, msgpack): ~2 KB.
var payload = func() string {
	b := make([]byte, 2048)
	_, _ = rand.Read(b)
	return string(b)
}()

const maxLen = 10000

// streamKey is a key of the benchmark's own, deleted at its end.
func streamKey(b *testing.B, del func(string)) string {
	k := fmt.Sprintf("bench:redisclient:%s:%d", b.Name(), time.Now().UnixNano())
	b.Cleanup(func() { del(k) })
	return k
}

// client is what the benchmarks need of either client.
type client interface {
	xadd(ctx context.Context, key string) error
	xaddN(ctx context.Context, key string, n int) error
	xread(ctx context.Context, key, last string) (string, error) // the ID of the next entry after last
	del(key string)
	close()
}

type goredisClient struct{ c, block *redis.Client }

func newGoRedis(b *testing.B) client {
	c := redis.NewClient(&redis.Options{Addr: addr()})
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Fatalf("no Redis at %s: %v", addr(), err)
	}
	return &goredisClient{c: c, block: redis.NewClient(&redis.Options{Addr: addr(), PoolSize: 1})}
}

func (g *goredisClient) args(key string) *redis.XAddArgs {
	return &redis.XAddArgs{Stream: key, MaxLen: maxLen, Approx: true, Values: []any{"b", payload}}
}

func (g *goredisClient) xadd(ctx context.Context, key string) error {
	return g.c.XAdd(ctx, g.args(key)).Err()
}

func (g *goredisClient) xaddN(ctx context.Context, key string, n int) error {
	p := g.c.Pipeline()
	for i := 0; i < n; i++ {
		p.XAdd(ctx, g.args(key))
	}
	_, err := p.Exec(ctx)
	return err
}

func (g *goredisClient) xread(ctx context.Context, key, last string) (string, error) {
	res, err := g.block.XRead(ctx, &redis.XReadArgs{Streams: []string{key, last}, Count: 1, Block: 5 * time.Second}).Result()
	if err != nil {
		return "", err
	}
	return res[0].Messages[0].ID, nil
}

func (g *goredisClient) del(key string) { g.c.Del(context.Background(), key) }
func (g *goredisClient) close()         { _ = g.c.Close(); _ = g.block.Close() }

type rueidisClient struct{ c rueidis.Client }

func newRueidis(b *testing.B) client {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr()}, DisableCache: true})
	if err != nil {
		b.Fatalf("no Redis at %s: %v", addr(), err)
	}
	return &rueidisClient{c: c}
}

func (r *rueidisClient) cmd(key string) rueidis.Completed {
	return r.c.B().Xadd().Key(key).Maxlen().Almost().Threshold(strconv.Itoa(maxLen)).Id("*").FieldValue().FieldValue("b", payload).Build()
}

func (r *rueidisClient) xadd(ctx context.Context, key string) error {
	return r.c.Do(ctx, r.cmd(key)).Error()
}

func (r *rueidisClient) xaddN(ctx context.Context, key string, n int) error {
	cmds := make(rueidis.Commands, n)
	for i := range cmds {
		cmds[i] = r.cmd(key)
	}
	for _, res := range r.c.DoMulti(ctx, cmds...) {
		if err := res.Error(); err != nil {
			return err
		}
	}
	return nil
}

func (r *rueidisClient) xread(ctx context.Context, key, last string) (string, error) {
	res, err := r.c.Do(ctx, r.c.B().Xread().Count(1).Block(5000).Streams().Key(key).Id(last).Build()).AsXRead()
	if err != nil {
		return "", err
	}
	return res[key][0].ID, nil
}

func (r *rueidisClient) del(key string) { r.c.Do(context.Background(), r.c.B().Del().Key(key).Build()) }
func (r *rueidisClient) close()         { r.c.Close() }

var clients = []struct {
	name string
	dial func(*testing.B) client
}{{"go-redis", newGoRedis}, {"rueidis", newRueidis}}

// BenchmarkXAdd: one batch per round trip (the engine's publisher when
// the venue is idle).
func BenchmarkXAdd(b *testing.B) {
	for _, cl := range clients {
		b.Run(cl.name, func(b *testing.B) {
			c := cl.dial(b)
			defer c.close()
			key := streamKey(b, c.del)
			ctx := context.Background()
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.xadd(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkXAddPipelined64: 64 batches per round trip (the publisher
// behind a busy venue); per batch.
func BenchmarkXAddPipelined64(b *testing.B) {
	for _, cl := range clients {
		b.Run(cl.name, func(b *testing.B) {
			c := cl.dial(b)
			defer c.close()
			key := streamKey(b, c.del)
			ctx := context.Background()
			b.SetBytes(64 * int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.xaddN(ctx, key, 64); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(64*b.N), "ns/batch")
		})
	}
}

// BenchmarkDeliver: the time from XADD to its arrival at a reader
// blocked in XREAD BLOCK (the engine → edge hop), one entry at a time.
func BenchmarkDeliver(b *testing.B) {
	for _, cl := range clients {
		b.Run(cl.name, func(b *testing.B) {
			w, r := cl.dial(b), cl.dial(b)
			defer w.close()
			defer r.close()
			key := streamKey(b, w.del)
			ctx := context.Background()
			if err := w.xadd(ctx, key); err != nil {
				b.Fatal(err)
			}
			last := "0-0"
			var err error
			if last, err = r.xread(ctx, key, last); err != nil {
				b.Fatal(err)
			}
			got := make(chan string)
			var total time.Duration
			b.ReportAllocs()
			for b.Loop() {
				go func(from string) {
					id, err := r.xread(ctx, key, from)
					if err != nil {
						id = ""
					}
					got <- id
				}(last)
				time.Sleep(50 * time.Microsecond) // let the reader block first
				t0 := time.Now()
				if err := w.xadd(ctx, key); err != nil {
					b.Fatal(err)
				}
				if last = <-got; last == "" {
					b.Fatal("xread failed")
				}
				total += time.Since(t0)
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/deliver")
		})
	}
}
