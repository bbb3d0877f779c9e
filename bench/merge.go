package bench

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// merged accumulates the workers' results.
type merged struct {
	ws, sse       kindMerge
	orders        *OrdersReport
	ack, fill, tr *hdr.Histogram
	wake          *hdr.Histogram // the order worker's wake-up probe
	stalled       stalledMerge
	rampNS        int64
	ended         bool // the workers measured the stop
}

type kindMerge struct {
	rep     KindReport
	hist    *hdr.Histogram
	connect *hdr.Histogram
	ends    StreamEnds
	endHist histMerge
}

// histMerge is a histogram of times from the stop and the earliest
// absolute time merged into it.
type histMerge struct {
	h     *hdr.Histogram
	first int64
}

func newKindMerge() kindMerge {
	return kindMerge{hist: newHist(), connect: newHist(), endHist: histMerge{h: newHist()}}
}

func newMerged() *merged {
	return &merged{ws: newKindMerge(), sse: newKindMerge()}
}

// add merges one worker's result.
func (m *merged) add(res *workerResult) error {
	m.rampNS = max(m.rampNS, res.RampNS)
	for _, k := range []struct {
		dst *kindMerge
		src *kindResult
	}{{&m.ws, &res.WS}, {&m.sse, &res.SSE}} {
		for _, p := range []struct {
			dst *hdr.Histogram
			src string
		}{{k.dst.hist, k.src.Hist}, {k.dst.connect, k.src.Connect}} {
			h, err := decodeHist(p.src)
			if err != nil {
				return err
			}
			mergeInto(p.dst, h)
		}
		r := &k.dst.rep
		r.Clients += k.src.Clients
		r.Delivered += k.src.Delivered
		if k.src.WindowNS > 0 {
			r.MsgsPerSec += float64(k.src.Delivered) / time.Duration(k.src.WindowNS).Seconds()
		}
		r.Gaps += k.src.Gaps
		r.Conflated += k.src.Conflated
		r.Malformed += k.src.Malformed
		if r.Disconnects == nil {
			r.Disconnects = map[string]int64{}
		}
		for code, n := range k.src.Disconnects {
			r.Disconnects[code] += n
		}
		if k.src.Ends != nil {
			m.ended = true
			if err := mergeEnds(&k.dst.ends, &k.dst.endHist, k.src.Ends); err != nil {
				return err
			}
		}
	}
	if o := res.Orders; o != nil {
		if err := m.addOrders(o); err != nil {
			return err
		}
	}
	return m.stalled.add(res.Stalled)
}

// addOrders merges one worker's active-mode result.
func (m *merged) addOrders(o *ordersResult) error {
	if m.orders == nil {
		m.orders = &OrdersReport{Rejected: map[string]int64{}}
		m.ack, m.fill, m.tr, m.wake = newHist(), newHist(), newHist(), newHist()
	}
	for _, p := range []struct {
		dst *hdr.Histogram
		src string
	}{{m.ack, o.Ack}, {m.fill, o.Fill}, {m.tr, o.Trade}, {m.wake, o.Wake}} {
		h, err := decodeHist(p.src)
		if err != nil {
			return err
		}
		mergeInto(p.dst, h)
	}
	r := m.orders
	r.Rate += o.Rate
	r.Sent += o.Sent
	r.Acked += o.Acked
	r.Filled += o.Filled
	r.Unfilled += o.Unfilled
	r.Unanswered += o.Unanswered
	r.Failed += o.Failed
	r.TradeMissed += o.Missed
	for reason, n := range o.Rejected {
		r.Rejected[reason] += n
	}
	return nil
}

// report builds the Report of the merged results; stop is the
// coordinator's part of the shutdown (nil: the server was not stopped),
// t0 its time; samples are the run's timeline.
func (m *merged) report(stop *ShutdownReport, t0 time.Time, samples []Sample) *Report {
	r := &Report{WS: m.ws.rep, SSE: m.sse.rep, Orders: m.orders, RampNS: m.rampNS, Stalled: m.stalled.report(samples)}
	for _, k := range []struct {
		rep *KindReport
		m   *kindMerge
	}{{&r.WS, &m.ws}, {&r.SSE, &m.sse}} {
		k.rep.LatencyNS = latencyOf(k.m.hist)
		k.rep.ConnectNS = latencyOf(k.m.connect)
		if k.rep.Disconnects == nil {
			k.rep.Disconnects = map[string]int64{}
		}
	}
	if stop != nil && m.ended {
		for _, k := range []struct {
			dst *StreamEnds
			m   *kindMerge
		}{{&stop.WS, &m.ws}, {&stop.SSE, &m.sse}} {
			*k.dst = k.m.ends
			k.dst.Left = k.dst.Open - k.dst.Clean - k.dst.Unclean
			k.dst.EndNS = latencyOf(k.m.endHist.h)
			if f := k.m.endHist.first; f != 0 {
				k.dst.FirstNS = max(0, f-t0.UnixNano())
			}
		}
		r.Shutdown = stop
	}
	r.hists = runHists{WS: m.ws.hist, SSE: m.sse.hist}
	if m.orders != nil {
		m.orders.AckNS, m.orders.FillNS, m.orders.TradeNS = latencyOf(m.ack), latencyOf(m.fill), latencyOf(m.tr)
		m.orders.TradeSeen = m.tr.TotalCount()
		m.orders.WakeNS, m.orders.WakeSeen = latencyOf(m.wake), m.wake.TotalCount()
		r.hists.Ack, r.hists.Fill, r.hists.Trade = m.ack, m.fill, m.tr
	}
	return r
}
