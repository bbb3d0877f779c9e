package client

import (
	"time"

	"github.com/tickcast/tickcast/feed/wire"
)

// handle answers one operation like the real server would.
func (fs *fakeServer) handle(fc *fakeConn, op wire.Op) {
	switch o := op.(type) {
	case *wire.Subscribe:
		fs.subscribe(fc, o)
	case *wire.Unsubscribe:
		fs.mu.Lock()
		var streams []string
		for _, ch := range o.Channels {
			for _, s := range o.Symbols {
				delete(fc.subs, wire.Stream(ch, s))
				streams = append(streams, wire.Stream(ch, s))
			}
		}
		fc.send(&wire.Unsubscribed{ID: o.ID, Streams: streams})
		fs.mu.Unlock()
	case *wire.Auth:
		fs.mu.Lock()
		if o.Token != "good" {
			fc.send(&wire.Error{ID: o.ID, Code: wire.CodeInvalidToken, Msg: "invalid token"})
		} else {
			fc.send(&wire.Authed{ID: o.ID, Account: "acc1"})
			fs.privSeq++
			fc.send(&wire.Account{Account: "acc1", Balances: []wire.Balance{{Asset: "USD", Total: "100000.00", Available: "100000.00"}}, Seq: fs.privSeq})
		}
		fs.mu.Unlock()
	case *wire.NewOrder:
		fs.mu.Lock()
		fs.privSeq++
		fs.nextOID++
		m := &wire.Order{ID: o.ID, OID: fs.nextOID, CID: o.CID, S: o.S, Side: o.Side, Type: o.Type, TIF: "gtc",
			Px: o.Px, Qty: o.Qty, Filled: "0.0000", Status: wire.StatusNew, Seq: fs.privSeq, Ts: time.Now().UnixNano()}
		if o.CID == "reject" {
			m.Status, m.Reason = wire.StatusRejected, "insufficient_funds"
		}
		fc.send(m)
		fs.mu.Unlock()
	case *wire.Cancel:
		fs.mu.Lock()
		if o.CID != "my-1" {
			fc.send(&wire.Error{ID: o.ID, Code: wire.CodeUnknownOrder, Msg: "unknown order"})
		} else {
			fs.privSeq++
			fc.send(&wire.Order{ID: o.ID, OID: 1001, CID: o.CID, Status: wire.StatusCanceled, Reason: "user", Seq: fs.privSeq})
		}
		fs.mu.Unlock()
	case *wire.Amend:
		fs.mu.Lock()
		fs.privSeq++
		fc.send(&wire.Order{ID: o.ID, OID: o.OID.Value, CID: o.CID, Qty: o.Qty, Px: o.Px, Status: wire.StatusNew, Seq: fs.privSeq})
		fs.mu.Unlock()
	case *wire.CancelAll:
		fc.send(&wire.CanceledAll{ID: o.ID, Count: 2})
	case *wire.Ping:
		if fs.pingJitter {
			go func() { jitter(); fc.send(&wire.Pong{ID: o.ID, Ts: time.Now().UnixNano()}) }()
		} else {
			fc.send(&wire.Pong{ID: o.ID, Ts: time.Now().UnixNano()})
		}
	}
}

// subscribe answers subscribed, then per stream: the replay after since
// (same epoch), a reset (other epoch), and for book a snapshot unless the
// stream was replayed. It holds fs.mu throughout so that nothing is
// published in between: no gap, no duplicate.
func (fs *fakeServer) subscribe(fc *fakeConn, o *wire.Subscribe) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var streams []string
	for _, ch := range o.Channels {
		for _, s := range o.Symbols {
			streams = append(streams, wire.Stream(ch, s))
		}
	}
	fc.send(&wire.Subscribed{ID: o.ID, Streams: streams})
	for i, stream := range streams {
		ch, sym := o.Channels[i/len(o.Symbols)], o.Symbols[i%len(o.Symbols)]
		fc.subs[stream] = true
		since, resume := o.Since[stream]
		switch {
		case resume && o.Epoch == fs.epoch:
			from := since + 1 - min(fs.replayOverlap, since)
			for _, m := range fs.history[stream] {
				if seqOf(m) >= from {
					fc.send(m)
				}
			}
			continue
		case resume:
			fc.send(&wire.Reset{Ch: ch, S: sym, Reason: wire.ResetEpochChanged})
		}
		if ch == wire.ChanBook {
			fc.send(fs.snapshotLocked(sym))
		}
	}
}

func seqOf(m wire.Message) uint64 {
	switch x := m.(type) {
	case *wire.Trade:
		return x.Seq
	case *wire.BookDelta:
		return x.Seq
	case *wire.Quote:
		return x.Seq
	}
	panic("seqOf")
}

// publish stamps m with its stream's next seq, stores it and sends it to
// the subscribers.
func (fs *fakeServer) publish(m wire.Message) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.publishLocked(m)
}

func (fs *fakeServer) publishLocked(m wire.Message) {
	var meta *wire.Meta
	switch x := m.(type) {
	case *wire.Trade:
		meta = &x.Meta
	case *wire.BookDelta:
		meta = &x.Meta
	case *wire.Quote:
		meta = &x.Meta
	}
	stream := meta.Stream()
	fs.seqs[stream]++
	fs.off++
	meta.Seq, meta.Off, meta.Ts = fs.seqs[stream], fs.off, time.Now().UnixNano()
	fs.history[stream] = append(fs.history[stream], m)
	if fs.dropLive != nil && fs.dropLive(m) {
		return
	}
	for fc := range fs.conns {
		if fc.subs[stream] {
			fc.send(m)
		}
	}
}

// trade publishes a trade on symbol.
func (fs *fakeServer) trade(sym string, px string) *wire.Trade {
	m := &wire.Trade{Meta: wire.Meta{Ch: wire.ChanTrades, S: sym}, ID: 1, Px: px, Qty: "1.0000", Side: wire.SideBuy}
	fs.publish(m)
	return m
}

// restart starts a new epoch: seqs and history begin again.
func (fs *fakeServer) restart(epoch string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.epoch = epoch
	fs.history = map[string][]wire.Message{}
	fs.seqs = map[string]uint64{}
	fs.kickLocked(1001, "restart")
}
