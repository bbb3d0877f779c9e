package bench

import "time"

// ordersGrace is how long orders in flight at the end of the window may
// take to end.
const ordersGrace = 2 * time.Second

// closeWindow closes the measurement window, once, and lets the orders in
// flight end.
func (w *worker) closeWindow() {
	if !w.win.on.Swap(false) {
		return
	}
	w.window = time.Since(w.opened)
	if w.desk != nil {
		w.unanswered = w.desk.finish(ordersGrace)
	}
}

// arm prepares for the server's stop: the window closes, and from now on
// the clients record how their streams end instead of reconnecting.
func (w *worker) arm() {
	w.closeWindow()
	w.wsCn.armed.Store(true)
	w.sseCn.armed.Store(true)
	w.mu.Lock()
	ws, sse := w.ws, w.sse
	w.mu.Unlock()
	for _, c := range ws {
		c.markOpen()
	}
	for _, c := range sse {
		c.markOpen()
	}
}

// finish closes the window, closes every client and collects the
// measurements. at is when the server was told to stop (ns since the
// epoch; 0: it was not): the ends are measured from it.
func (w *worker) finish(at int64) (*workerResult, error) {
	w.closeWindow()
	armed := w.sseCn.armed.Load()
	w.wsCn.stopping.Store(true)
	w.sseCn.stopping.Store(true)
	w.mu.Lock()
	ws, sse := w.ws, w.sse
	w.mu.Unlock()
	parallel(len(ws), 64, func(i int) { ws[i].close() })
	parallel(len(sse), 64, func(i int) { sse[i].close() })
	if w.desk != nil {
		w.desk.close()
	}
	res := &workerResult{RampNS: w.rampNS}
	fan, missed := newHist(), int64(0)
	collect := func(kr *kindResult, recs []*recorder, atOpen int64, disc *disconnects, connect *lockedHist) error {
		h := newHist()
		for _, r := range recs {
			r.hist.MergeInto(h)
			kr.Delivered += r.delivered
			kr.Conflated += int64(r.conflated)
			if r.fan != nil {
				r.fan.finish()
				r.fan.hist.MergeInto(fan)
				missed += r.fan.missed
			}
		}
		kr.Clients, kr.WindowNS, kr.Disconnects = atOpen, int64(w.window), disc.snapshot()
		var err error
		if kr.Hist, err = encodeHist(h); err != nil {
			return err
		}
		kr.Connect, err = connect.encode()
		return err
	}
	wsRecs, wsEnds := make([]*recorder, len(ws)), make([]streamEnd, len(ws))
	for i, c := range ws {
		wsRecs[i], wsEnds[i] = c.rec, c.ended()
		res.WS.Gaps += c.gaps()
		res.WS.Malformed += int64(c.c.Stats().Malformed)
	}
	sseRecs, sseEnds := make([]*recorder, len(sse)), make([]streamEnd, len(sse))
	for i, c := range sse {
		sseRecs[i], sseEnds[i] = c.rec, c.ended()
		res.SSE.Gaps += c.rec.gaps.Load()
		res.SSE.Malformed += c.malformed
	}
	if err := collect(&res.WS, wsRecs, w.wsAtOpen, &w.wsDisc, &w.connectWS); err != nil {
		return nil, err
	}
	if err := collect(&res.SSE, sseRecs, w.sseAtOpen, &w.sseDisc, &w.connectSSE); err != nil {
		return nil, err
	}
	var err error
	if armed && at > 0 {
		if res.WS.Ends, err = collectEnds(wsEnds, at); err != nil {
			return nil, err
		}
		if res.SSE.Ends, err = collectEnds(sseEnds, at); err != nil {
			return nil, err
		}
	}
	if res.Stalled, err = w.finishStalled(!w.noDrain); err != nil {
		return nil, err
	}
	if d := w.desk; d != nil {
		d.mu.Lock()
		or := &ordersResult{Rate: d.rate, Sent: d.sent.Load(), Acked: d.acked.Load(), Rejected: d.rejected,
			Filled: d.filled.Load(), Unfilled: d.unfilled.Load(), Unanswered: w.unanswered, Failed: d.failed.Load(), Missed: missed}
		or.Ack, _ = encodeHist(d.ack)
		or.Fill, _ = encodeHist(d.fill)
		or.Wake, _ = encodeHist(d.wake)
		d.mu.Unlock()
		or.Trade, _ = encodeHist(fan)
		res.Orders = or
	} else if w.reg != nil { // the order worker's trades, seen by these subscribers
		or := &ordersResult{Rejected: map[string]int64{}, Missed: missed}
		or.Ack, _ = encodeHist(newHist())
		or.Fill, _ = encodeHist(newHist())
		or.Wake, _ = encodeHist(newHist())
		or.Trade, _ = encodeHist(fan)
		res.Orders = or
	}
	return res, nil
}
