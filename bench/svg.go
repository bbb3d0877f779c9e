package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// A minimal SVG line chart: panels with linear or log axes, series drawn
// as polylines with markers, a legend and dashed reference lines. Enough
// for the fan-out charts; no dependency.

// scale maps data values to [0,1] along an axis.
type scale struct {
	lo, hi float64
	log    bool
}

func (s scale) frac(v float64) float64 {
	if s.log {
		v = math.Max(v, s.lo)
		return (math.Log10(v) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
	}
	if s.hi == s.lo {
		return 0
	}
	return (v - s.lo) / (s.hi - s.lo)
}

type tick struct {
	v     float64
	label string
}

type series struct {
	name    string
	color   string
	pts     [][2]float64
	markers bool
}

// refLine is a dashed horizontal line at y, e.g. a goal.
type refLine struct {
	y     float64
	label string
}

type panel struct {
	title, xlabel, ylabel string
	x, y                  scale
	xticks, yticks        []tick
	series                []series
	refs                  []refLine
}

// palette of the series, in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

const (
	panelW  = 460.0
	panelH  = 300.0
	marginL = 70.0
	marginT = 60.0
	marginB = 60.0
	gapX    = 170.0 // room for the legend of the panel on the left
)

// writeSVG draws panels side by side under a title.
func writeSVG(w io.Writer, title, subtitle string, panels []panel) error {
	width := marginL + float64(len(panels))*panelW + float64(len(panels)-1)*gapX + 170
	width = math.Max(width, marginL+20+6.5*float64(utf8.RuneCountInString(subtitle))) // ~6.5 px a character at 12 px
	height := marginT + panelH + marginB + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="16" font-weight="bold">%s</text>`+"\n", marginL, esc(title))
	fmt.Fprintf(&b, `<text x="%.0f" y="40" fill="#555">%s</text>`+"\n", marginL, esc(subtitle))
	for i, p := range panels {
		x0 := marginL + float64(i)*(panelW+gapX)
		p.draw(&b, x0, marginT+10)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (p *panel) draw(b *strings.Builder, x0, y0 float64) {
	px := func(v float64) float64 { return x0 + p.x.frac(v)*panelW }
	py := func(v float64) float64 { return y0 + panelH - p.y.frac(v)*panelH }
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-weight="bold">%s</text>`+"\n", x0, y0-8, esc(p.title))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", x0, y0, panelW, panelH)
	for _, t := range p.yticks {
		y := py(t.v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0, y, x0+panelW, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-6, y+4, esc(t.label))
	}
	for _, t := range p.xticks {
		x := px(t.v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, y0, x, y0+panelH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, y0+panelH+16, esc(t.label))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x0+panelW/2, y0+panelH+38, esc(p.xlabel))
	fmt.Fprintf(b, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", x0-52, y0+panelH/2, esc(p.ylabel))
	for _, r := range p.refs {
		if r.y < p.y.lo || r.y > p.y.hi {
			continue
		}
		y := py(r.y)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888" stroke-dasharray="6 4"/>`+"\n", x0, y, x0+panelW, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#666">%s</text>`+"\n", x0+panelW-4, y-4, esc(r.label))
	}
	for i, s := range p.series {
		color := s.color
		if color == "" {
			color = palette[i%len(palette)]
		}
		var pts []string
		for _, pt := range s.pts {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(pt[0]), py(pt[1])))
		}
		if len(pts) > 1 {
			fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		}
		if s.markers || len(pts) == 1 {
			for _, pt := range s.pts {
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", px(pt[0]), py(pt[1]), color)
			}
		}
		ly := y0 + 12 + float64(i)*18
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", x0+panelW+12, ly-4, x0+panelW+32, ly-4, color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", x0+panelW+38, ly, esc(s.name))
	}
}

func esc(s string) string { return html.EscapeString(s) }

// latencyScale returns a log axis in ns covering lo..hi by whole decades,
// with a tick per decade.
func latencyScale(lo, hi float64) (scale, []tick) {
	lo = math.Max(lo, 1e3)
	hi = math.Max(hi, lo*10)
	s := scale{lo: math.Pow(10, math.Floor(math.Log10(lo))), hi: math.Pow(10, math.Ceil(math.Log10(hi))), log: true}
	var ticks []tick
	for v := s.lo; v <= s.hi*1.001; v *= 10 {
		ticks = append(ticks, tick{v: v, label: decadeLabel(v)})
	}
	return s, ticks
}

// decadeLabel names a power of ten of nanoseconds: 1µs, 10ms, 1s.
func decadeLabel(ns float64) string {
	units := []struct {
		div  float64
		name string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}}
	for _, u := range units {
		if ns >= u.div {
			return fmt.Sprintf("%.0f%s", ns/u.div, u.name)
		}
	}
	return "0"
}

// linearTicks returns about n round ticks from 0 to past hi, and the
// scale they span.
func linearTicks(hi float64, n int, label func(float64) string) (scale, []tick) {
	if hi <= 0 {
		hi = 1
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	top := math.Ceil(hi/step) * step
	var ticks []tick
	for v := 0.0; v <= top*1.0001; v += step {
		ticks = append(ticks, tick{v: v, label: label(v)})
	}
	return scale{lo: 0, hi: top}, ticks
}

// fmtCount formats an axis count: 500, 20k, 1.5M.
func fmtCount(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case v >= 1e3:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	}
	return fmt.Sprintf("%.0f", v)
}
