// The WebSocket connection to /ws on the msgpack subprotocol: connects, keeps the wanted
// subscriptions, reconnects with exponential backoff and jitter, and resumes every stream
// from the last processed seq (protocol.md 2 and 7). It also measures feed latency
// (message `ts` to receipt, live messages only: see LiveFilter) and the clock offset to the
// server (ping/pong).
//
// Liveness: a WebSocket ping frame never reaches the page, so the connection pings the
// server itself (the `ping` op) whenever nothing arrived for a second; a connection from
// which no message at all (data or pong) arrived for 2 s is *stale*: it is still open, but
// what the page shows may be old and orders must not be sent on it.
//
// Stream consumers call ack(stream, seq) for each message they applied; only acknowledged
// positions are resumed, so a consumer that threw state away (a book resync) is never
// resumed past what it holds.

import { Backoff } from "../lib/backoff";
import { ClockOffset, LatencyStats } from "../lib/latency";
import { nowMs } from "../lib/timefmt";
import { SUBPROTOCOL_MSGPACK, decodeFrame, encodeOp } from "../protocol/codec";
import type { ClientOp, ServerMessage, Welcome } from "../protocol/types";
import { streamName } from "../protocol/types";
import { LiveFilter } from "./livefilter";
import { ResumeState } from "./resume";

/** The connection's state, for display. */
export type ConnState =
  | { kind: "connecting"; attempt: number }
  | { kind: "live"; epoch: string }
  | { kind: "waiting"; retryAt: number; attempt: number; reason: string }
  | { kind: "stopped" };

export interface ConnectionHandlers {
  /**
   * Called once per connection after `welcome`, once the subscriptions were sent.
   * `fresh` lists the wanted streams that could not be resumed and start over.
   */
  onReady(welcome: Welcome, fresh: readonly string[]): void;
  /** Every decoded message except welcome and this connection's own pongs. */
  onMessage(msg: ServerMessage): void;
  onState(state: ConnState): void;
  /** The open connection went silent (stale) or data flows again. */
  onStale?(stale: boolean): void;
}

export interface ConnectionOptions {
  /** Interval of application pings (clock offset and liveness), ms. */
  pingEveryMs?: number;
  /** Silence after which the socket is considered dead, ms. */
  deadAfterMs?: number;
  /** Silence after which the connection is stale, ms (default 2000). */
  staleAfterMs?: number;
  /** Silence after which a ping asks the server for a sign of life, ms (default 1000). */
  quietPingMs?: number;
  /** How long a connection must last before the backoff is forgotten, ms. */
  healthyAfterMs?: number;
}

/** The /ws URL on the page's own origin: ws: for http pages, wss: for https. */
export function sameOriginWsUrl(loc: Location = window.location): string {
  return (loc.protocol === "https:" ? "wss://" : "ws://") + loc.host + "/ws";
}

interface Wanted {
  ch: string;
  s: string;
}

const CLOSE_FLOOR_MS: Record<number, number> = {
  1008: 10_000, // policy: we were too chatty
  1013: 5_000, // server full
};

export class Connection {
  readonly resume = new ResumeState();
  readonly latency = new LatencyStats(1000);
  readonly clock = new ClockOffset();
  /** Which messages count for latency. */
  readonly liveFilter = new LiveFilter();
  /** Messages that could not be decoded. */
  malformed = 0;
  /** Reconnects so far. */
  reconnects = 0;

  private ws: WebSocket | null = null;
  private live = false;
  private stopped = true;
  private readonly wanted = new Map<string, Wanted>();
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private healthyTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRecv = 0;
  private lastPingAt = 0;
  private idSeq = 0;
  private readonly pings = new Map<number, number>();
  private readonly pingEveryMs: number;
  private readonly deadAfterMs: number;
  private readonly healthyAfterMs: number;
  private readonly staleAfterMs: number;
  private readonly quietPingMs: number;
  private staleNow = false;

  constructor(
    private readonly url: string,
    private readonly h: ConnectionHandlers,
    o: ConnectionOptions = {},
  ) {
    this.pingEveryMs = o.pingEveryMs ?? 5_000;
    this.deadAfterMs = o.deadAfterMs ?? 20_000;
    this.healthyAfterMs = o.healthyAfterMs ?? 10_000;
    this.staleAfterMs = o.staleAfterMs ?? 2_000;
    this.quietPingMs = o.quietPingMs ?? 1_000;
  }

  /** Whether a welcome was received on the current socket. */
  get isLive(): boolean {
    return this.live;
  }

  /** Whether the open connection has been silent for longer than the stale threshold. */
  get isStale(): boolean {
    return this.live && this.staleNow;
  }

  /** How long nothing has arrived on the current connection, ms (0 when not connected). */
  get silentMs(): number {
    return this.live ? Math.max(0, nowMs() - this.lastRecv) : 0;
  }

  /** The server's clock now, as well as it is known (ms). */
  serverNowMs(): number {
    const off = this.clock.offsetMs;
    const rtt = this.clock.rttMs;
    return nowMs() + (Number.isFinite(rtt) && Math.abs(off) > rtt ? off : 0);
  }

  /** Starts connecting (and keeps doing so until stop). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.tickTimer = setInterval(this.tick, 250);
    this.connect();
  }

  /** Closes the connection for good. */
  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    clearInterval(this.tickTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.healthyTimer);
    this.abandon(1000, "bye");
    this.h.onState({ kind: "stopped" });
  }

  /** A new request id. */
  nextId(): number {
    return ++this.idSeq;
  }

  /** Sends an operation; false when not connected (the caller decides what that means). */
  send(op: ClientOp): boolean {
    if (!this.ws || !this.live || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encodeOp(op));
    return true;
  }

  /** Records that a stream message was applied, for resume. */
  ack(stream: string, seq: number, ts?: number): void {
    this.resume.ack(stream, seq, ts);
  }

  /**
   * Adds streams (channels × symbols) to the wanted set and subscribes to them now if
   * connected. They start fresh (no since).
   */
  subscribe(channels: readonly string[], symbols: readonly string[]): void {
    for (const ch of channels) {
      for (const s of symbols) {
        const name = streamName(ch, s);
        this.wanted.set(name, { ch, s });
        this.resume.forget(name);
        if (this.live) this.liveFilter.subscribed([name], this.serverNowMs());
      }
    }
    this.send({ op: "subscribe", id: this.nextId(), channels: [...channels], symbols: [...symbols] });
  }

  /** Removes streams from the wanted set and unsubscribes from them if connected. */
  unsubscribe(channels: readonly string[], symbols: readonly string[]): void {
    for (const ch of channels) {
      for (const s of symbols) {
        const name = streamName(ch, s);
        this.wanted.delete(name);
        this.resume.forget(name);
        this.liveFilter.forget(name);
      }
    }
    this.send({ op: "unsubscribe", id: this.nextId(), channels: [...channels], symbols: [...symbols] });
  }

  /**
   * Resubscribes one stream: fresh (a book resync: the server sends a new snapshot) or,
   * with resume, from the last acknowledged seq (the server replays what was missed or
   * answers `reset`).
   */
  resubscribe(ch: string, s: string, resume: boolean): void {
    const name = streamName(ch, s);
    if (!this.wanted.has(name)) return;
    this.send({ op: "unsubscribe", id: this.nextId(), channels: [ch], symbols: [s] });
    const op: ClientOp & { op: "subscribe" } = {
      op: "subscribe",
      id: this.nextId(),
      channels: [ch],
      symbols: [s],
    };
    const pos = resume ? this.resume.position(name) : undefined;
    if (pos) {
      op.epoch = pos.epoch;
      op.since = { [name]: pos.seq };
    } else {
      this.resume.forget(name);
    }
    this.liveFilter.subscribed([name], this.serverNowMs());
    this.send(op);
  }

  /** Forces a reconnect now (e.g. the user asked to). */
  reconnectNow(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.abandon(4000, "reconnect");
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (this.ws) this.abandon(4000, "reconnect"); // never two sockets at once
    this.h.onState({ kind: "connecting", attempt: this.backoff.attempts + 1 });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, [SUBPROTOCOL_MSGPACK]);
    } catch (err) {
      this.scheduleRetry(`cannot connect: ${String(err)}`, 0);
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.live = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.lastRecv = nowMs();
      if (ws.protocol !== "" && ws.protocol !== SUBPROTOCOL_MSGPACK) {
        this.drop(ws, 4000, `unexpected subprotocol ${ws.protocol}`, 0);
      }
    };
    ws.onmessage = (ev: MessageEvent) => this.onFrame(ws, ev);
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      const why = !opened
        ? "server unreachable"
        : ev.code === 1006
          ? "connection lost"
          : `closed ${ev.code}${ev.reason ? ` (${ev.reason})` : ""}`;
      this.drop(ws, 0, why, CLOSE_FLOOR_MS[ev.code] ?? 0, ev.code === 4008 || ev.code === 1001);
    };
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => {};
  }

  private onFrame(ws: WebSocket, ev: MessageEvent): void {
    if (this.ws !== ws) return;
    const recv = nowMs();
    this.lastRecv = recv;
    if (this.staleNow) this.setStale(false);
    if (!(ev.data instanceof ArrayBuffer)) {
      this.malformed++;
      return;
    }
    const msg = decodeFrame(ev.data);
    if (!msg) {
      this.malformed++;
      return;
    }
    if (msg.t === "welcome") {
      this.onWelcome(msg);
      return;
    }
    if (msg.t === "pong" && msg.id !== undefined && this.pings.has(msg.id)) {
      const sent = this.pings.get(msg.id) as number;
      this.pings.delete(msg.id);
      if (typeof msg.ts === "number") this.clock.add(sent, recv, msg.ts / 1e6);
      return;
    }
    if ("ch" in msg && "ts" in msg && "s" in msg && typeof msg.ts === "number") {
      const tsMs = msg.ts / 1e6;
      if (this.liveFilter.live(streamName(msg.ch, msg.s), msg.t, tsMs)) this.sampleLatency(tsMs, recv);
    }
    this.h.onMessage(msg);
  }

  private sampleLatency(tsMs: number, recvMs: number): void {
    const off = this.clock.offsetMs;
    const rtt = this.clock.rttMs;
    // Correct for clock skew only when it is clearly larger than the measurement error.
    const corr = Number.isFinite(rtt) && Math.abs(off) > rtt ? off : 0;
    this.latency.add(recvMs + corr - tsMs);
  }

  private onWelcome(w: Welcome): void {
    this.live = true;
    this.liveFilter.welcome(w.server_time / 1e6);
    this.resume.welcome(w.epoch);
    const plan = this.resume.plan([...this.wanted.keys()]);
    // One subscribe per channel, each with the since entries of its own streams.
    const byCh = new Map<string, string[]>();
    for (const { ch, s } of this.wanted.values()) {
      const l = byCh.get(ch);
      if (l) l.push(s);
      else byCh.set(ch, [s]);
    }
    for (const [ch, symbols] of byCh) {
      const op: ClientOp & { op: "subscribe" } = {
        op: "subscribe",
        id: this.nextId(),
        channels: [ch],
        symbols,
      };
      const since: Record<string, number> = {};
      let any = false;
      for (const s of symbols) {
        const name = streamName(ch, s);
        const v = plan.since[name];
        if (v !== undefined) {
          since[name] = v;
          any = true;
        }
      }
      if (any && plan.epoch !== undefined) {
        op.epoch = plan.epoch;
        op.since = since;
      }
      this.liveFilter.subscribed(symbols.map((s) => streamName(ch, s)), w.server_time / 1e6);
      this.send(op);
    }
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => this.backoff.reset(), this.healthyAfterMs);
    this.h.onState({ kind: "live", epoch: w.epoch });
    this.h.onReady(w, plan.fresh);
    this.ping();
  }

  private ping(): void {
    const id = this.nextId();
    if (this.send({ op: "ping", id })) {
      this.lastPingAt = nowMs();
      this.pings.set(id, this.lastPingAt);
      if (this.pings.size > 16) {
        const first = this.pings.keys().next().value;
        if (first !== undefined) this.pings.delete(first);
      }
    }
  }

  private readonly tick = (): void => {
    if (!this.ws || !this.live) return;
    const now = nowMs();
    const silent = now - this.lastRecv;
    if (silent > this.deadAfterMs) {
      this.drop(this.ws, 4000, "no data from server", 0);
      return;
    }
    if (silent > this.staleAfterMs && !this.staleNow) this.setStale(true);
    const sincePing = now - this.lastPingAt;
    if (sincePing >= this.pingEveryMs || (silent >= this.quietPingMs && sincePing >= this.quietPingMs)) {
      this.ping();
    }
  };

  private setStale(stale: boolean): void {
    this.staleNow = stale;
    this.h.onStale?.(stale);
  }

  private readonly onOnline = (): void => {
    if (!this.live && !this.stopped) this.connect();
  };

  /** Detaches the current socket and closes it without waiting for the close handshake. */
  private abandon(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    this.live = false;
    this.staleNow = false;
    this.pings.clear();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
        ws.close(code, reason);
      }
    } catch {
      // already closing
    }
  }

  private drop(ws: WebSocket, code: number, reason: string, floorMs: number, quick = false): void {
    if (this.ws !== ws) return;
    clearTimeout(this.healthyTimer);
    this.abandon(code || 1000, reason.slice(0, 100));
    if (this.stopped) return;
    this.reconnects++;
    // A server going away (1001) or shedding a slow consumer (4008) asks for a prompt resume.
    this.scheduleRetry(reason, floorMs, quick);
  }

  private scheduleRetry(reason: string, floorMs: number, quick = false): void {
    const attempt = this.backoff.attempts + 1;
    const delay = quick && attempt === 1 ? 100 + Math.random() * 400 : this.backoff.next(floorMs);
    if (quick && attempt === 1) this.backoff.next(); // count it
    const retryAt = Date.now() + delay;
    this.h.onState({ kind: "waiting", retryAt, attempt, reason });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
