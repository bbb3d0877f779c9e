package feed

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/ws"
)

// metrics holds the feed's Prometheus collectors. It implements
// ws.Metrics.
type metrics struct {
	reg        *prometheus.Registry
	wsConns    prometheus.Gauge
	sseViewers prometheus.Gauge
	msgs       *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	closes     *prometheus.CounterVec
	orderRTT   prometheus.Histogram
	byFormat   map[string][2]prometheus.Counter // messages, bytes: resolved once, not per write
}

func newMetrics(hs *hub.Stats, queueDepth, expiredAccounts func() float64) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		wsConns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tickcast_ws_connections", Help: "Open WebSocket sessions."}),
		sseViewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tickcast_sse_viewers", Help: "Open Server-Sent Events streams."}),
		msgs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tickcast_messages_sent_total", Help: "Messages written to clients, by format."}, []string{"format"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tickcast_bytes_sent_total", Help: "Bytes written to clients, by format."}, []string{"format"}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tickcast_ws_closes_total", Help: "WebSocket sessions ended, by close code (1006: gone without a close frame)."}, []string{"code"}),
		orderRTT: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tickcast_order_roundtrip_seconds", Help: "From reading an order operation to queuing its first reply.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 2, 18)}),
	}
	m.reg.MustRegister(m.wsConns, m.sseViewers, m.msgs, m.bytes, m.closes, m.orderRTT,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_conflations_total", Help: "Queued messages replaced by newer ones for slow subscribers."},
			func() float64 { return float64(hs.Conflations()) }),
		slowConsumers(hs, hub.SlowBacklog), slowConsumers(hs, hub.SlowWrite),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_subscriptions", Help: "Subscribed (subscriber, stream) pairs."},
			func() float64 { return float64(hs.Subscriptions()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_venue_queue_depth", Help: "Commands waiting in the venue's input queue."}, queueDepth),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_accounts_expired_total",
			Help: "Demo accounts removed after --account-idle-ttl without an authenticated session or an open order."}, expiredAccounts),
	)
	m.byFormat = map[string][2]prometheus.Counter{}
	for _, f := range []string{"msgpack", "json", "sse"} {
		m.byFormat[f] = [2]prometheus.Counter{m.msgs.WithLabelValues(f), m.bytes.WithLabelValues(f)}
	}
	return m
}

// closeLabel buckets a close code for tickcast_ws_closes_total: the codes
// of RFC 6455 and tickcast's 4008 by number, anything else (codes a client
// chose, 3000-4999) as "other", so that clients cannot create series.
func closeLabel(code int) string {
	if code >= 1000 && code <= 1014 || code == 4008 {
		return strconv.Itoa(code)
	}
	return "other"
}

// slowConsumers is tickcast_slow_consumer_disconnects_total for one reason.
func slowConsumers(hs *hub.Stats, why hub.SlowReason) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_slow_consumer_disconnects_total",
		Help:        "Subscribers cut off as slow consumers: backlog (lossless backlog over its limit: close 4008 or end of SSE stream) or write_timeout (a write blocked for --write-timeout).",
		ConstLabels: prometheus.Labels{"reason": why.String()}},
		func() float64 { return float64(hs.SlowConsumers(why)) })
}

func (m *metrics) Connected(delta int) { m.wsConns.Add(float64(delta)) }
func (m *metrics) Sent(format string, msgs, bytes int) {
	c, ok := m.byFormat[format]
	if !ok {
		c = [2]prometheus.Counter{m.msgs.WithLabelValues(format), m.bytes.WithLabelValues(format)}
	}
	c[0].Add(float64(msgs))
	c[1].Add(float64(bytes))
}
func (m *metrics) Closed(code int)                { m.closes.WithLabelValues(closeLabel(code)).Inc() }
func (m *metrics) OrderRoundTrip(d time.Duration) { m.orderRTT.Observe(d.Seconds()) }
func (m *metrics) viewers(delta int)              { m.sseViewers.Add(float64(delta)) }

// watchInflight exports the refusals of the caps on operations waiting
// for the venue, by scope (a session's, an account's, an address's).
func (m *metrics) watchInflight(refused func() [3]uint64) {
	for i, scope := range ws.InflightScopes {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_inflight_refused_total",
			Help:        "Operations refused rate_limited because their session, account or address already had its most operations waiting for the venue (--max-inflight, --max-inflight-account, --max-inflight-ip).",
			ConstLabels: prometheus.Labels{"scope": scope}},
			func() float64 { return float64(refused()[i]) }))
	}
}

// watchListener exports the accept loop's counters.
func (m *metrics) watchListener(get func() *guardedListener) {
	read := func(f func(*guardedListener) float64) func() float64 {
		return func() float64 {
			if g := get(); g != nil {
				return f(g)
			}
			return 0
		}
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_accept_fd_exhausted_total",
			Help: "Accepts that failed for want of file descriptors (EMFILE/ENFILE); the server backs off and retries."},
			read(func(g *guardedListener) float64 { return float64(g.fdErrors.Load()) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_conns_refused_per_ip_total",
			Help: "Connections closed at accept because their address already had --max-pending-per-ip unfinished ones."},
			read(func(g *guardedListener) float64 { return float64(g.refusedIP.Load()) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_http_pending_connections",
			Help: "Accepted connections not yet handed to a transport (reading a request, or idle between REST requests)."},
			read(func(g *guardedListener) float64 { return float64(g.Pending()) })),
	)
}
