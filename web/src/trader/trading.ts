// The private side of the trader screen: the demo account (created on first visit, token in
// localStorage, recreated when `auth` answers invalid_token), authentication on every
// (re)connect, order entry and cancels with request/reply correlation by `id`, and the
// open orders, fills and balances that the private messages maintain.

import { createAccount, ApiError } from "../net/rest";
import type { Connection } from "../net/connection";
import type {
  AccountMsg,
  ClientOp,
  ErrorMsg,
  FillMsg,
  OrderMsg,
  OrderType,
  ServerMessage,
  Side,
  TimeInForce,
} from "../protocol/types";
import { loadAccount, saveAccount, type StoredAccount } from "./account";

/** An order as the form submits it; prices and quantities already canonical strings. */
export interface OrderRequest {
  s: string;
  side: Side;
  type: OrderType;
  qty: string;
  px?: string;
  tif?: TimeInForce;
  postOnly?: boolean;
}

/** What became of a request. */
export type Outcome =
  | { kind: "order"; order: OrderMsg }
  | { kind: "error"; code: string; msg: string }
  | { kind: "canceled_all"; count: number }
  | { kind: "timeout" }
  | { kind: "offline" };

/** Fills kept. */
export const FILLS_KEEP = 100;

export type TradingState = "offline" | "account" | "authenticating" | "ready" | "error";

export interface TradingEvents {
  state(s: TradingState, detail?: string): void;
  orders(): void;
  fills(): void;
  account(msg: AccountMsg): void;
  /** An order of ours changed (fills included), for notifications. */
  orderUpdate(o: OrderMsg): void;
  fill(f: FillMsg): void;
}

interface Pending {
  resolve(o: Outcome): void;
  timer: ReturnType<typeof setTimeout>;
  cid?: string;
}

const REPLY_TIMEOUT_MS = 10_000;
const TERMINAL = new Set(["filled", "canceled", "expired", "rejected"]);

export class Trading {
  /** Open orders by order id. */
  readonly open = new Map<number, OrderMsg>();
  /** Fills, newest first, capped. */
  readonly fills: FillMsg[] = [];
  stored: StoredAccount | null = loadAccount();
  lastAccount: AccountMsg | null = null;
  state: TradingState = "offline";

  private readonly pending = new Map<number, Pending>();
  private authId = -1;
  private privSeq: number | null = null;
  private cidSeq = 0;
  private creating: Promise<StoredAccount> | null = null;
  private lastCreateAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the account was created by this page (its starting equity is still unknown). */
  freshAccount = false;

  private readonly minCreateGapMs: number;

  /** `minCreateGapMs`: least time between two account creations (default 5 s). */
  constructor(
    private readonly conn: Connection,
    private readonly ev: TradingEvents,
    opts: { minCreateGapMs?: number } = {},
  ) {
    this.minCreateGapMs = opts.minCreateGapMs ?? 5_000;
  }

  /** Call on every (re)connect: authenticates, creating an account first if needed. */
  async onReady(): Promise<void> {
    this.privSeq = null;
    try {
      if (!this.stored) {
        this.setState("account", "Creating demo account…");
        this.stored = await this.create();
      }
      this.auth();
    } catch (err) {
      this.setState("error", describe(err));
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        if (this.conn.isLive && this.state === "error") void this.onReady();
      }, 10_000);
    }
  }

  /** Call when the connection dropped. */
  onDisconnected(): void {
    this.setState("offline");
    this.authId = -1;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ kind: "offline" });
      this.pending.delete(id);
    }
  }

  /** Replaces the account with a new demo account. */
  async newAccount(): Promise<void> {
    this.stored = null;
    this.open.clear();
    this.fills.length = 0;
    this.lastAccount = null;
    this.ev.orders();
    this.ev.fills();
    if (this.conn.isLive) await this.onReady();
  }

  /** Remembers the starting equity of a freshly created account. */
  setStartEquity(value: string): void {
    if (!this.stored || this.stored.startEquity !== undefined) return;
    this.stored = { ...this.stored, startEquity: value };
    saveAccount(this.stored);
    this.freshAccount = false;
  }

  /** Places an order; resolves with the server's first answer. */
  place(r: OrderRequest): Promise<Outcome> {
    const cid = this.newCid();
    const op: ClientOp = { op: "order", cid, s: r.s, side: r.side, type: r.type, qty: r.qty };
    if (r.type === "limit") {
      if (r.px !== undefined) op.px = r.px;
      op.tif = r.tif ?? "gtc";
      op.post_only = r.postOnly ?? false;
    }
    return this.request(op, cid);
  }

  /** Cancels one order by its order id. */
  cancel(oid: number): Promise<Outcome> {
    return this.request({ op: "cancel", oid });
  }

  /** Cancels every open order of the account (all instruments). */
  cancelAll(): Promise<Outcome> {
    return this.request({ op: "cancel_all" });
  }

  /** Handles a private message; false when it is not one. */
  handle(m: ServerMessage): boolean {
    switch (m.t) {
      case "authed":
        if (m.id !== undefined && m.id !== this.authId) return true;
        this.open.clear();
        this.privSeq = null;
        if (this.stored && m.account && m.account !== this.stored.account) {
          this.stored = { ...this.stored, account: m.account };
          saveAccount(this.stored);
        }
        this.setState("ready");
        this.ev.orders();
        return true;
      case "order":
        this.checkSeq(m.seq);
        this.onOrder(m);
        return true;
      case "fill":
        this.checkSeq(m.seq);
        this.fills.unshift(m);
        if (this.fills.length > FILLS_KEEP) this.fills.length = FILLS_KEEP;
        this.ev.fill(m);
        this.ev.fills();
        return true;
      case "account":
        this.checkSeq(m.seq);
        this.lastAccount = m;
        this.ev.account(m);
        return true;
      case "canceled_all":
        this.settle(m.id, { kind: "canceled_all", count: m.count });
        return true;
      case "error":
        return this.onError(m);
      default:
        return false;
    }
  }

  private onOrder(o: OrderMsg): void {
    if (TERMINAL.has(o.status)) this.open.delete(o.oid);
    else this.open.set(o.oid, o);
    this.ev.orders();
    this.ev.orderUpdate(o);
    // The reply to our request carries its id; match by cid as a fallback.
    if (o.id !== undefined && this.pending.has(o.id)) {
      this.settle(o.id, { kind: "order", order: o });
      return;
    }
    for (const [id, p] of this.pending) {
      if (p.cid !== undefined && p.cid === o.cid) {
        this.settle(id, { kind: "order", order: o });
        return;
      }
    }
  }

  private onError(e: ErrorMsg): boolean {
    const toAuth =
      (e.id !== undefined && e.id === this.authId) ||
      (e.id === undefined && e.code === "invalid_token" && this.state === "authenticating");
    if (toAuth) {
      this.authId = -1;
      if (e.code === "invalid_token") {
        // The server no longer knows the token (e.g. restarted with a new key): start over.
        this.stored = null;
        this.open.clear();
        this.fills.length = 0;
        this.ev.orders();
        this.ev.fills();
        void this.onReady();
      } else {
        this.setState("error", e.msg || e.code);
      }
      return true;
    }
    if (e.id !== undefined && this.pending.has(e.id)) {
      this.settle(e.id, { kind: "error", code: e.code, msg: e.msg });
      return true;
    }
    if (e.code === "not_authenticated" && this.conn.isLive && this.state !== "authenticating") {
      this.auth();
    }
    return false; // let the caller show other errors
  }

  private checkSeq(seq: number | undefined): void {
    if (typeof seq !== "number") return;
    if (this.privSeq !== null && seq > this.privSeq + 1) {
      // Private messages were lost: authenticating again resends the account and the
      // open orders (fills in the gap cannot be recovered).
      this.privSeq = null;
      this.auth();
      return;
    }
    if (this.privSeq === null || seq > this.privSeq) this.privSeq = seq;
  }

  private auth(): void {
    if (!this.stored) return;
    this.authId = this.conn.nextId();
    this.setState("authenticating", "Signing in…");
    if (!this.conn.send({ op: "auth", id: this.authId, token: this.stored.token })) {
      this.authId = -1;
      this.setState("offline");
    }
  }

  private async create(): Promise<StoredAccount> {
    if (this.creating) return this.creating;
    // Never hammer the endpoint, even if the server keeps rejecting new tokens.
    const wait = this.lastCreateAt + this.minCreateGapMs - Date.now();
    this.creating = (async () => {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastCreateAt = Date.now();
      const a = await createAccount();
      const acc: StoredAccount = { account: a.account, token: a.token, created: Date.now() };
      saveAccount(acc);
      this.freshAccount = true;
      return acc;
    })();
    try {
      return await this.creating;
    } finally {
      this.creating = null;
    }
  }

  private request(op: ClientOp, cid?: string): Promise<Outcome> {
    if (this.state !== "ready") return Promise.resolve({ kind: "offline" });
    const id = this.conn.nextId();
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => this.settle(id, { kind: "timeout" }), REPLY_TIMEOUT_MS);
      const p: Pending = { resolve, timer };
      if (cid !== undefined) p.cid = cid;
      this.pending.set(id, p);
      if (!this.conn.send({ ...op, id })) this.settle(id, { kind: "offline" });
    });
  }

  private settle(id: number | undefined, o: Outcome): void {
    if (id === undefined) return;
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(o);
  }

  private newCid(): string {
    // 1–36 chars of [A-Za-z0-9_-]; unique per page load and across reloads.
    this.cidSeq++;
    return `w${Date.now().toString(36)}-${this.cidSeq.toString(36)}`;
  }

  private setState(s: TradingState, detail?: string): void {
    this.state = s;
    this.ev.state(s, detail);
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429) return "Too many new accounts from here: try again in a minute.";
    if (err.status === 0) return "Cannot reach the server to create a demo account.";
    return `Could not create a demo account: ${err.message}`;
  }
  return `Could not create a demo account: ${String(err)}`;
}
