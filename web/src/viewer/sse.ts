// One EventSource for public market data (protocol.md 7.6). The browser reconnects by
// itself and sends Last-Event-ID; when it gives up (HTTP error, wrong content type) this
// client reconnects with backoff, passing the last id as `last_event_id` so the server can
// still replay what was missed.

import { Backoff } from "../lib/backoff";
import { decodeJSON } from "../protocol/check";
import type { ServerMessage } from "../protocol/types";

export type SseState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting" }
  | { kind: "waiting"; retryAt: number };

export interface SseHandlers {
  onMessage(m: ServerMessage, recvMs: number): void;
  onState(s: SseState): void;
}

export class SseClient {
  private es: EventSource | null = null;
  private lastId = "";
  private readonly backoff = new Backoff({ baseMs: 1000, maxMs: 30_000 });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private healthy: ReturnType<typeof setTimeout> | undefined;
  /** Events that could not be parsed. */
  malformed = 0;

  /** `query` is the /sse query string without last_event_id, e.g. "channels=ticker". */
  constructor(
    private readonly query: string,
    private readonly events: readonly string[],
    private readonly h: SseHandlers,
  ) {}

  /** The id of the last event seen, `<epoch>:<off>`. */
  get lastEventId(): string {
    return this.lastId;
  }

  start(): void {
    this.open();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearTimeout(this.healthy);
    this.es?.close();
    this.es = null;
  }

  private open(): void {
    this.h.onState({ kind: "connecting" });
    let url = `/sse?${this.query}`;
    if (this.lastId) url += `&last_event_id=${encodeURIComponent(this.lastId)}`;
    const es = new EventSource(url);
    this.es = es;
    es.onopen = () => {
      this.h.onState({ kind: "live" });
      clearTimeout(this.healthy);
      this.healthy = setTimeout(() => this.backoff.reset(), 10_000);
    };
    es.onerror = () => {
      if (this.es !== es) return;
      clearTimeout(this.healthy);
      if (es.readyState === EventSource.CONNECTING) {
        this.h.onState({ kind: "reconnecting" });
        return;
      }
      // CLOSED: the browser will not retry; do it ourselves.
      es.close();
      this.es = null;
      const delay = this.backoff.next();
      this.h.onState({ kind: "waiting", retryAt: Date.now() + delay });
      this.timer = setTimeout(() => this.open(), delay);
    };
    const onEvent = (ev: Event): void => {
      if (this.es !== es) return;
      const me = ev as MessageEvent<string>;
      if (me.lastEventId) this.lastId = me.lastEventId;
      const m = decodeJSON(me.data);
      if (!m) {
        this.malformed++;
        return;
      }
      this.h.onMessage(m, Date.now());
    };
    for (const name of this.events) es.addEventListener(name, onEvent);
  }
}
