package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// SweepSpec is a series of runs that differ only in one client count.
type SweepSpec struct {
	// Param is the count varied: "ws" or "sse".
	Param string
	// Values are the counts, run in this order.
	Values []int
	// Pause is the wait between runs, once the server has dropped the last
	// run's connections; default 3 s.
	Pause time.Duration
}

// ParseSweep parses "ws=1000,5000,10000" (or sse=…).
func ParseSweep(s string) (SweepSpec, error) {
	param, list, ok := strings.Cut(s, "=")
	param = strings.TrimSpace(param)
	if !ok || (param != "ws" && param != "sse") {
		return SweepSpec{}, fmt.Errorf("%w: sweep %q: want ws=N,N,… or sse=N,N,…", ErrConfig, s)
	}
	sp := SweepSpec{Param: param}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return SweepSpec{}, fmt.Errorf("%w: sweep %q: %q is not a positive count", ErrConfig, s, f)
		}
		sp.Values = append(sp.Values, n)
	}
	return sp, nil
}

// SweepReport is the result of a sweep, written by --out as JSON.
type SweepReport struct {
	// Param is the count varied: "ws" or "sse".
	Param string `json:"param"`
	// Command is the command line that made the sweep, if known.
	Command string `json:"command,omitempty"`
	// Label describes the server under test (its command line, version),
	// as given to tickbench; the tool cannot see it.
	Label string `json:"label,omitempty"`
	// BaselineRSSBytes is the server's RSS before the first run.
	BaselineRSSBytes int64 `json:"baseline_rss_bytes"`
	// Points are the runs, in the order made.
	Points []SweepPoint `json:"points"`
}

// SweepPoint is one run of a sweep.
type SweepPoint struct {
	// Clients is the value of the varied count.
	Clients int `json:"clients"`
	// ServerMsgsPerSec is tickcast_messages_sent_total over the window.
	ServerMsgsPerSec float64 `json:"server_msgs_per_sec"`
	// RSSPerConnBytes is the server's RSS at the end of the window less
	// the sweep's baseline, per connection then open.
	RSSPerConnBytes float64 `json:"rss_per_conn_bytes"`
	// Report is the run's full report.
	Report *Report `json:"report"`
}

// Sweep makes one run per value of s, waiting between runs until the
// server holds no connection. onPoint, if set, sees each run's report as
// it completes.
func Sweep(ctx context.Context, cfg Config, s SweepSpec, onPoint func(*Report)) (*SweepReport, error) {
	if len(s.Values) == 0 {
		return nil, fmt.Errorf("%w: empty sweep", ErrConfig)
	}
	if s.Pause <= 0 {
		s.Pause = 3 * time.Second
	}
	sr := &SweepReport{Param: s.Param}
	for i, n := range s.Values {
		c := cfg
		if s.Param == "sse" {
			c.SSE = n
		} else {
			c.WS = n
		}
		if i > 0 {
			if err := settle(ctx, c.Target, s.Pause); err != nil {
				return sr, err
			}
		}
		rep, err := Run(ctx, c)
		if err != nil {
			return sr, fmt.Errorf("sweep %s=%d: %w", s.Param, n, err)
		}
		if i == 0 {
			sr.BaselineRSSBytes = rep.Server.BaselineRSSBytes
		}
		pt := SweepPoint{Clients: n, ServerMsgsPerSec: rep.Server.MsgsPerSec, Report: rep}
		if rep.Server.Conns > 0 {
			pt.RSSPerConnBytes = float64(rep.Server.RSSBytes-sr.BaselineRSSBytes) / float64(rep.Server.Conns)
		}
		sr.Points = append(sr.Points, pt)
		if onPoint != nil {
			onPoint(rep)
		}
	}
	return sr, nil
}

// settle waits until the server holds no WebSocket session or SSE stream
// (at most 30 s), then pause.
func settle(ctx context.Context, target string, pause time.Duration) error {
	ep, err := parseTarget(target)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s, err := scrape(ctx, hc, ep.HTTP+"/metrics")
		if err == nil && s.WSConns+s.SSEViewers == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(pause):
		return nil
	}
}

// WriteJSON writes the sweep as indented JSON.
func (s *SweepReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteTable writes the sweep as a table, one row per run.
func (s *SweepReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, s.Param+"\tmsgs/s\tp50\tp90\tp99\tp99.9\tmax\tgaps\tconflated\tdisconnects\tserver cpu\tserver rss\trss growth/conn\t")
	for _, p := range s.Points {
		k := p.kind(s.Param)
		l := k.LatencyNS
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%.0f%%\t%s\t%s\t\n", p.Clients,
			groupDigits(int64(k.MsgsPerSec)), fmtNS(l.P50), fmtNS(l.P90), fmtNS(l.P99), fmtNS(l.P999), fmtNS(l.Max),
			k.Gaps, k.Conflated, fmtCounts(k.Disconnects), p.Report.Server.CPUPct,
			fmtBytes(float64(p.Report.Server.RSSBytes)), fmtBytes(p.RSSPerConnBytes))
	}
	return tw.Flush()
}

// kind returns the measurement of the swept kind of client.
func (p *SweepPoint) kind(param string) *KindReport {
	if param == "sse" {
		return &p.Report.SSE
	}
	return &p.Report.WS
}
