// A small inline SVG line of recent values. Values are floats: drawing only.

const SVG_NS = "http://www.w3.org/2000/svg";
const W = 100;
const H = 24;

export class Sparkline {
  readonly svg: SVGSVGElement;
  private readonly line: SVGPolylineElement;

  constructor() {
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "spark");
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.svg.setAttribute("aria-hidden", "true");
    this.line = document.createElementNS(SVG_NS, "polyline");
    this.svg.append(this.line);
  }

  /** Draws values (oldest first) spread over `slots` positions, right-aligned. */
  draw(values: readonly number[], slots: number): void {
    const n = values.length;
    if (n === 0) {
      this.line.setAttribute("points", "");
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const span = max - min || 1;
    const dx = W / Math.max(1, slots - 1);
    const x0 = W - (n - 1) * dx;
    let pts = "";
    for (let i = 0; i < n; i++) {
      const x = x0 + i * dx;
      const y = max === min ? H / 2 : H - (((values[i] as number) - min) / span) * H;
      pts += `${x.toFixed(1)},${y.toFixed(1)} `;
    }
    this.line.setAttribute("points", pts);
    const first = values[0] as number;
    const last = values[n - 1] as number;
    this.svg.classList.toggle("up", last > first);
    this.svg.classList.toggle("down", last < first);
  }
}
