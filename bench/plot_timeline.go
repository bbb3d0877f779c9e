package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// PlotTimelines writes an SVG chart of runs' timelines: the server's RSS
// and the kernel's TCP memory against the time since each run started,
// one line per run, named by names (one per run).
func PlotTimelines(w io.Writer, names []string, runs []*Report) error {
	if len(runs) == 0 || len(names) != len(runs) {
		return fmt.Errorf("%w: %d names for %d runs", ErrConfig, len(names), len(runs))
	}
	rss := panel{title: "server RSS", xlabel: "seconds since the run started", ylabel: "MiB"}
	tcp := panel{title: "kernel TCP memory (the whole machine)", xlabel: "seconds since the run started", ylabel: "MiB"}
	var maxT, maxRSS, maxTCP float64
	for i, r := range runs {
		if len(r.Timeline) == 0 {
			return fmt.Errorf("bench: nothing to plot: run %q has no timeline", names[i])
		}
		a, b := series{name: names[i]}, series{name: names[i]}
		for _, s := range r.Timeline {
			t := float64(s.AtNS) / 1e9
			maxT = math.Max(maxT, t)
			a.pts = append(a.pts, [2]float64{t, float64(s.RSSBytes) / (1 << 20)})
			maxRSS = math.Max(maxRSS, float64(s.RSSBytes)/(1<<20))
			if s.TCP != nil {
				b.pts = append(b.pts, [2]float64{t, float64(s.TCP.MemBytes) / (1 << 20)})
				maxTCP = math.Max(maxTCP, float64(s.TCP.MemBytes)/(1<<20))
			}
		}
		rss.series, tcp.series = append(rss.series, a), append(tcp.series, b)
	}
	mib := func(v float64) string { return fmtCount(v) }
	rss.x, rss.xticks = linearTicks(maxT, 6, fmtCount)
	tcp.x, tcp.xticks = rss.x, rss.xticks
	rss.y, rss.yticks = linearTicks(maxRSS, 5, mib)
	tcp.y, tcp.yticks = linearTicks(maxTCP, 5, mib)
	var kinds []string
	for i, r := range runs {
		c := &r.Config
		k := fmt.Sprintf("%s: %d ws", names[i], c.WS)
		if c.SSE > 0 {
			k += fmt.Sprintf(" + %d sse", c.SSE)
		}
		if c.Stalled > 0 {
			k += fmt.Sprintf(" + %d stalled", c.Stalled)
		}
		kinds = append(kinds, k)
	}
	c := &runs[0].Config
	sub := fmt.Sprintf("%s; %.0fs window after %.0fs of warm-up, then the clients close (stalled: read); a sample a second",
		strings.Join(kinds, "; "), c.DurationS, c.WarmupS)
	return writeSVG(w, "tickcast server RSS and kernel TCP memory over a run", sub, []panel{rss, tcp})
}
