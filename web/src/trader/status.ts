// The connection pill and the latency readout in the top bar. The pill is a polite live
// region holding only the state (announced when it changes); the retry countdown and the
// latency, which change constantly, live outside it.

import { setAttr, setText } from "../lib/dom";
import type { ClockOffset, LatencyStats } from "../lib/latency";
import { duration } from "../lib/timefmt";
import type { ConnState } from "../net/connection";

export class ConnStatus {
  private state: ConnState = { kind: "connecting", attempt: 1 };
  private extra = "";
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `retry` shows the countdown; `button` (optional) reconnects at once. */
  constructor(
    private readonly pill: HTMLElement,
    private readonly retry: HTMLElement,
    private readonly button?: HTMLButtonElement,
    onReconnect?: () => void,
  ) {
    if (button && onReconnect) button.addEventListener("click", onReconnect);
  }

  /** Shows a connection state. */
  set(s: ConnState): void {
    this.state = s;
    clearInterval(this.timer);
    if (s.kind === "waiting") this.timer = setInterval(() => this.drawRetry(), 1000);
    this.draw();
  }

  /** Adds a note after the state while live (e.g. "signing in"). */
  note(text: string): void {
    this.extra = text;
    this.draw();
  }

  private draw(): void {
    const s = this.state;
    let text: string;
    switch (s.kind) {
      case "connecting":
        text = s.attempt > 1 ? `Connecting (attempt ${s.attempt})…` : "Connecting…";
        break;
      case "live":
        text = this.extra ? `Live · ${this.extra}` : "Live";
        break;
      case "waiting":
        text = `Disconnected: ${s.reason}`;
        break;
      case "stopped":
        text = "Stopped";
        break;
    }
    setAttr(this.pill, "data-state", s.kind);
    setText(this.pill, text);
    if (this.button) this.button.hidden = s.kind !== "waiting";
    this.drawRetry();
  }

  private drawRetry(): void {
    const s = this.state;
    if (s.kind !== "waiting") {
      setText(this.retry, "");
      return;
    }
    const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
    setText(this.retry, `retrying in ${secs}s`);
  }
}

/** Refreshes the latency readout twice a second. */
export function startLatencyReadout(
  el: HTMLElement,
  stats: LatencyStats,
  clock: ClockOffset,
): () => void {
  const draw = (): void => {
    if (stats.size === 0) {
      setText(el, "latency –");
      return;
    }
    setText(el, `latency ${duration(stats.smoothed)} · p99 ${duration(stats.percentile(99))}`);
    const rtt = clock.rttMs;
    el.title =
      "Feed latency: engine timestamp to receipt here, smoothed, and the 99th percentile " +
      `of the last ${stats.size} messages.` +
      (Number.isFinite(rtt)
        ? ` Ping round trip ${duration(rtt)}; server clock offset ${duration(clock.offsetMs)}.`
        : "");
  };
  const t = setInterval(draw, 500);
  draw();
  return () => clearInterval(t);
}
