package market_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"testing"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/jsonl"
	"github.com/tickcast/tickcast/market"
)

// wireBytesDigest is the SHA-256 of the client-facing bytes of
// TestEventBytesStable's scenario (see TestWireBytesStable), taken on the
// venue whose events carried their decimals as formatted strings (branch
// venue-int at c6b7316): the bytes clients receive must not change when
// the venue's representation does.
const wireBytesDigest = "bd3a7083361112d212c82f136a5ef27b62fe4ead9b876c1df3135e74d5e7f14c"

// TestWireBytesStable runs TestEventBytesStable's scenario and encodes
// every event as clients receive it: through the hub's conversion to the
// wire message (public events; private events with and without the
// operation's id), then its msgpack and its JSON (WebSocket, SSE and
// REST), and, for public events, `tickcast simulate`'s JSON line. Every
// 100 steps the answers of the venue's queries (book snapshots, trades,
// candles, tickers, account histories) are encoded the same way.
func TestWireBytesStable(t *testing.T) {
	rec := &wireRecorder{h: sha256.New(), ids: map[string]string{}}
	market.EventScenario(t, rec, func(answers []*market.Event) { rec.q++; rec.Publish(answers) })
	if got := hex.EncodeToString(rec.h.Sum(nil)); got != wireBytesDigest {
		t.Fatalf("%d events (%d query rounds): client-facing digest %s, want %s", rec.n, rec.q, got, wireBytesDigest)
	}
}

type wireRecorder struct {
	h   hash.Hash
	n   int
	q   int // query rounds
	ids map[string]string
	buf []byte
}

// Publish hashes the wire bytes of copies of the events whose account ids
// are replaced by the order in which they first appeared: ids are random
// for each venue.
func (r *wireRecorder) Publish(batch []*market.Event) {
	for _, ev := range batch {
		r.n++
		c := *ev
		if c.Account != "" {
			if _, ok := r.ids[c.Account]; !ok {
				r.ids[c.Account] = fmt.Sprint("acct", len(r.ids))
			}
			c.Account = r.ids[c.Account]
		}
		if c.Kind.Public() {
			m := hub.Message(&c)
			r.write(m.AppendMsgpack(r.buf[:0]))
			r.write(m.AppendJSON(r.buf[:0]))
			r.write(jsonl.AppendEvent(r.buf[:0], &c))
			continue
		}
		for _, withID := range []bool{true, false} {
			m := hub.PrivateMessage(&c, withID)
			r.write(m.AppendMsgpack(r.buf[:0]))
			r.write(m.AppendJSON(r.buf[:0]))
		}
	}
}

func (r *wireRecorder) write(b []byte) {
	r.buf = b
	r.h.Write(b)
	r.h.Write([]byte{'\n'})
}
