// The connection state in the top bar. The pill (role status, named "Connection") holds one
// short word — Connecting…, Live, Stale, Offline, Stopped — and is announced when it
// changes; the detail beside it (retry countdown, how long the feed has been silent) and the
// latency readout change constantly and live outside it. Every piece has a fixed width and a
// single line, and the reconnect button keeps its place when hidden, so the header never
// reflows when the state changes.

import { setAttr, setText } from "../lib/dom";
import type { ClockOffset, LatencyStats } from "../lib/latency";
import { duration } from "../lib/timefmt";
import type { ConnState } from "../net/connection";

export class ConnStatus {
  private state: ConnState = { kind: "connecting", attempt: 1 };
  private stale = false;
  private silentMs: () => number = () => 0;
  private extra = "";
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `detail` shows the countdown and silence; `button` (optional) reconnects at once. */
  constructor(
    private readonly pill: HTMLElement,
    private readonly detail: HTMLElement,
    private readonly button?: HTMLButtonElement,
    onReconnect?: () => void,
  ) {
    if (button && onReconnect) button.addEventListener("click", onReconnect);
  }

  /** Shows a connection state. */
  set(s: ConnState): void {
    this.state = s;
    if (s.kind !== "live") this.stale = false;
    this.restartTimer();
    this.draw();
  }

  /** Marks the live connection stale (silent) or flowing; silentMs says for how long. */
  setStale(stale: boolean, silentMs: () => number): void {
    this.stale = stale;
    this.silentMs = silentMs;
    this.restartTimer();
    this.draw();
  }

  /** Whether the connection is live and data flows. */
  get flowing(): boolean {
    return this.state.kind === "live" && !this.stale;
  }

  /** A note on the account's state while live (e.g. "signing in"), shown as a tooltip. */
  note(text: string): void {
    this.extra = text;
    this.draw();
  }

  private restartTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.state.kind === "waiting" || this.stale) this.timer = setInterval(() => this.drawDetail(), 500);
  }

  private draw(): void {
    const s = this.state;
    let text: string;
    let state: string = s.kind;
    let title = "";
    switch (s.kind) {
      case "connecting":
        text = "Connecting…";
        title = s.attempt > 1 ? `Connecting (attempt ${s.attempt})` : "Connecting";
        break;
      case "live":
        text = this.stale ? "Stale" : "Live";
        if (this.stale) state = "stale";
        title = this.stale
          ? "Connected, but nothing has arrived for over 2 seconds: prices may be old and order entry is paused."
          : "Connected: data flows." + (this.extra ? ` (${this.extra})` : "");
        break;
      case "waiting":
        text = "Offline";
        title = `Disconnected: ${s.reason}`;
        break;
      case "stopped":
        text = "Stopped";
        title = "Disconnected";
        break;
    }
    setAttr(this.pill, "data-state", state);
    setText(this.pill, text);
    this.pill.title = title;
    // visibility: hidden keeps its room and takes it out of the tab order and the a11y tree.
    if (this.button) this.button.classList.toggle("invisible", s.kind !== "waiting");
    this.drawDetail();
  }

  private drawDetail(): void {
    const s = this.state;
    if (s.kind === "waiting") {
      const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
      setText(this.detail, `retrying in ${secs}s`);
      this.detail.title = s.reason;
    } else if (s.kind === "live" && this.stale) {
      setText(this.detail, `no data for ${(this.silentMs() / 1000).toFixed(1)} s`);
      this.detail.title = "";
    } else {
      setText(this.detail, "");
      this.detail.title = "";
    }
  }
}

/**
 * Refreshes the latency readout twice a second. It is blank while `flowing()` is false
 * (connecting, offline, stale): an old figure would claim a liveness that is not there.
 */
export function startLatencyReadout(
  el: HTMLElement,
  stats: LatencyStats,
  clock: ClockOffset,
  flowing: () => boolean,
): () => void {
  const draw = (): void => {
    if (!flowing() || stats.size === 0) {
      setText(el, "");
      el.title = "Feed latency: shown while the feed is live";
      return;
    }
    setText(el, `latency ${duration(stats.smoothed)} · p99 ${duration(stats.percentile(99))}`);
    const rtt = clock.rttMs;
    el.title =
      "Feed latency: engine timestamp to receipt here, smoothed, and the 99th percentile " +
      `of the last ${stats.size} live messages (snapshots and replays excluded).` +
      (Number.isFinite(rtt)
        ? ` Ping round trip ${duration(rtt)}; server clock offset ${duration(clock.offsetMs)}.`
        : "");
  };
  const t = setInterval(draw, 500);
  draw();
  return () => clearInterval(t);
}
