package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the report as the final table of a run.
func (r *Report) WriteTable(w io.Writer) error {
	cfg := &r.Config
	stalled := ""
	if cfg.Stalled > 0 {
		stalled = fmt.Sprintf(" + %d stalled", cfg.Stalled)
	}
	where := ""
	if p := placement(cfg); p != "" {
		where = "; " + p
	}
	fmt.Fprintf(w, "\ntickbench: %d ws + %d sse%s clients (%d worker(s)), %.0fs window; ws %s on %s; sse %s on %s%s\n",
		cfg.WS, cfg.SSE, stalled, cfg.Workers, cfg.DurationS, strings.Join(orNone(cfg.Channels), ","),
		strings.Join(cfg.Symbols, ","), strings.Join(cfg.SSEChannels, ","), strings.Join(allIfNone(cfg.SSESymbols), ","), where)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tclients\tconnect p50\tp99\tdelivered\tmsgs/s\tp50\tp90\tp99\tp99.9\tmax\tgaps\tconflated\tmalformed\tdisconnects\t")
	for _, k := range []struct {
		name string
		r    *KindReport
	}{{"ws", &r.WS}, {"sse", &r.SSE}} {
		l, c := k.r.LatencyNS, k.r.ConnectNS
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t\n", k.name, k.r.Clients,
			fmtNS(c.P50), fmtNS(c.P99), groupDigits(k.r.Delivered), groupDigits(int64(k.r.MsgsPerSec)), fmtNS(l.P50), fmtNS(l.P90),
			fmtNS(l.P99), fmtNS(l.P999), fmtNS(l.Max), k.r.Gaps, k.r.Conflated, k.r.Malformed, fmtCounts(k.r.Disconnects))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o := r.Orders; o != nil {
		fmt.Fprintf(w, "orders: %.0f/s scheduled, sent %d, acked %d, filled %d, unfilled %d, unanswered %d, failed %d, rejected %s\n",
			o.Rate, o.Sent, o.Acked, o.Filled, o.Unfilled, o.Unanswered, o.Failed, fmtCounts(o.Rejected))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "from the scheduled time to\tp50\tp90\tp99\tp99.9\tmax\t")
		for _, row := range []struct {
			name string
			l    Latency
		}{{"ack", o.AckNS}, {"own fill", o.FillNS}, {fmt.Sprintf("public trade (%s obs, %d missed)", groupDigits(o.TradeSeen), o.TradeMissed), o.TradeNS}} {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row.name, fmtNS(row.l.P50), fmtNS(row.l.P90), fmtNS(row.l.P99), fmtNS(row.l.P999), fmtNS(row.l.Max))
		}
		if o.WakeSeen > 0 {
			l := o.WakeNS
			fmt.Fprintf(tw, "the floor: a sleeping thread of the traders' process wakes late by (%s looks)\t%s\t%s\t%s\t%s\t%s\t\n",
				groupDigits(o.WakeSeen), fmtNS(l.P50), fmtNS(l.P90), fmtNS(l.P99), fmtNS(l.P999), fmtNS(l.Max))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if rt := r.Server.OrderRTT; rt.Count > 0 {
			fmt.Fprintf(w, "the server, from reading an order to queuing its reply (%d in the window, its histogram's buckets): p50 %s, p90 %s, p99 %s\n",
				rt.Count, fmtBound(rt.P50LeNS), fmtBound(rt.P90LeNS), fmtBound(rt.P99LeNS))
		}
	}
	if st := r.Stalled; st != nil {
		fmt.Fprintf(w, "stalled: %d connected (%d failed, connect p50 %s); read at the end (%s): %s, cut %d (%d after data), %s msgs (%s); gone from the server's count: %d, after connecting min %s, p50 %s, max %s\n",
			st.Clients, st.ConnectFailed, fmtNS(st.ConnectNS.P50), fmtNS(st.DrainNS), fmtCounts(st.Ends), st.Cut, st.AfterData,
			groupDigits(st.DrainedMsgs), fmtBytes(float64(st.DrainedBytes)), st.Gone, fmtNS(st.GoneMinNS), fmtNS(st.GoneP50NS), fmtNS(st.GoneMaxNS))
	}
	sv := &r.Server
	fmt.Fprintf(w, "ramp: %s; server: cpu %.0f%% (%s per delivery), sent %s msgs/s, rss %s (baseline %s, peak %s, %s per connection over %d), goroutines %s, conflations %d, slow-consumer cutoffs %d\n",
		fmtNS(r.RampNS), sv.CPUPct, fmtMicros(sv.CPUPerMsgNS), groupDigits(int64(sv.MsgsPerSec)), fmtBytes(float64(sv.RSSBytes)),
		fmtBytes(float64(sv.BaselineRSSBytes)), fmtBytes(float64(sv.RSSPeakBytes)), fmtBytes(sv.RSSPerConnBytes), sv.Conns,
		groupDigits(sv.Goroutines), sv.Conflations, sv.SlowCutoffs)
	if k := r.KernelTCP; k != nil {
		fmt.Fprintf(w, "kernel TCP memory (the whole machine): before %s, peak %s, end of the window %s; orphaned sockets peak %d, end %d\n",
			fmtBytes(float64(k.BeforeBytes)), fmtBytes(float64(k.PeakBytes)), fmtBytes(float64(k.EndBytes)), k.PeakOrphans, k.EndOrphans)
	}
	_, err := fmt.Fprintf(w, "load in the window: server %.0f%%, %s\n", sv.CPUPct, r.Load)
	if sd := r.Shutdown; sd != nil && err == nil {
		err = sd.writeTable(w)
	}
	return err
}

// writeTable writes how the streams ended once the server was told to
// stop.
func (sd *ShutdownReport) writeTable(w io.Writer) error {
	stop := fmtNS(sd.StopNS)
	if sd.StopErr != "" {
		stop += " (" + sd.StopErr + ")"
	}
	fmt.Fprintf(w, "shutdown: %s; it returned after %s\n", sd.How, stop)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\topen\tclean\tunclean\tleft open\tfirst end\tp50\tp99\tlast end\t")
	for _, k := range []struct {
		name string
		e    *StreamEnds
	}{{"ws", &sd.WS}, {"sse", &sd.SSE}} {
		if k.e.Open == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", k.name, k.e.Open, k.e.Clean, k.e.Unclean, k.e.Left,
			fmtNS(k.e.FirstNS), fmtNS(k.e.EndNS.P50), fmtNS(k.e.EndNS.P99), fmtNS(k.e.EndNS.Max))
	}
	return tw.Flush()
}

func allIfNone(s []string) []string {
	if len(s) == 0 {
		return []string{"every symbol"}
	}
	return s
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"(none: idle)"}
	}
	return s
}

// fmtCounts formats counts by key: "4008:2 1006:1", "0" when empty.
func fmtCounts(m map[string]int64) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// fmtBytes formats a byte count: 812 B, 9.7 KiB, 612.3 MiB.
func fmtBytes(b float64) string {
	switch {
	case b < 0:
		return "-" + fmtBytes(-b)
	case b < 1<<10:
		return fmt.Sprintf("%.0f B", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", b/(1<<30))
}

// fmtBound writes a bucket's upper bound (ServerRTT): "≤ 160µs", or
// "over the last bucket".
func fmtBound(ns int64) string {
	if ns < 0 {
		return "over the last bucket"
	}
	return "≤ " + fmtNS(ns)
}
