// The private side of the trader screen: the demo account (created on first visit, token in
// localStorage, recreated when `auth` answers invalid_token), authentication on every
// (re)connect, order entry and cancels with request/reply correlation by `id`, and the
// open orders, fills and balances that the private messages maintain. After every `authed`
// it loads the account's order history and fills over REST (protocol.md 8.11), so a reloaded
// page or a reconnect shows what happened meanwhile.

import { ApiError, createAccount, fetchAccountFills, fetchAccountOrders } from "../net/rest";
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
import { FillList, OrderHistory, isTerminal } from "./history";

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
  | { kind: "error"; code: string; msg: string; reason?: string }
  | { kind: "canceled_all"; count: number }
  | { kind: "timeout" }
  | { kind: "offline" };

export { FILLS_KEEP } from "./history";

export type TradingState = "offline" | "account" | "authenticating" | "ready" | "error";

export interface TradingEvents {
  state(s: TradingState, detail?: string): void;
  orders(): void;
  fills(): void;
  /** The order history changed. */
  history(): void;
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

export class Trading {
  /** Open orders by order id. */
  readonly open = new Map<number, OrderMsg>();
  /** Fills, newest first, capped. */
  readonly fills = new FillList();
  /** Orders that ended, newest first, capped. */
  readonly history = new OrderHistory();
  /** When each order was placed (ns), by order id, as far as known. */
  readonly created = new Map<number, number>();
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
  private historyToken = 0;
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
    this.forgetAccount();
    this.lastAccount = null;
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

  /** Amends an open order: new price and/or new total quantity (canonical strings). */
  amend(oid: number, change: { px?: string; qty?: string }): Promise<Outcome> {
    const op: ClientOp = { op: "amend", oid };
    if (change.px !== undefined) op.px = change.px;
    if (change.qty !== undefined) op.qty = change.qty;
    return this.request(op);
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
        this.loadHistory();
        return true;
      case "order":
        this.onOrder(m, this.checkSeq(m.seq));
        return true;
      case "fill":
        this.checkSeq(m.seq);
        if (this.fills.add(m)) this.ev.fills();
        this.ev.fill(m);
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

  /** `fresh`: a new private message (not the auth snapshot's restatement of the state). */
  private onOrder(o: OrderMsg, fresh: boolean): void {
    if (isTerminal(o.status)) {
      this.open.delete(o.oid);
      this.created.delete(o.oid);
      if (this.history.add(o)) this.ev.history();
    } else {
      // A fresh "new" is the venue accepting the order: its time is the order's.
      if (fresh && o.status === "new" && !this.created.has(o.oid)) this.created.set(o.oid, o.ts);
      this.open.set(o.oid, o);
    }
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
        this.forgetAccount();
        void this.onReady();
      } else {
        this.setState("error", e.msg || e.code);
      }
      return true;
    }
    if (e.id !== undefined && this.pending.has(e.id)) {
      const reason = (e as ErrorMsg & { reason?: unknown }).reason;
      const out: Outcome = { kind: "error", code: e.code, msg: e.msg };
      if (typeof reason === "string" && reason !== "") out.reason = reason;
      this.settle(e.id, out);
      return true;
    }
    if (e.code === "not_authenticated" && this.conn.isLive && this.state !== "authenticating") {
      this.auth();
    }
    return false; // let the caller show other errors
  }

  /**
   * Follows the account's private seq; true when seq is new (the auth snapshot restates the
   * current seq). A gap means lost messages: authenticating again resends the balances and
   * open orders, and the history reload that follows brings back ended orders and fills.
   */
  private checkSeq(seq: number | undefined): boolean {
    if (typeof seq !== "number") return true;
    if (this.privSeq !== null && seq > this.privSeq + 1) {
      this.privSeq = null;
      this.auth();
      return true;
    }
    const fresh = this.privSeq !== null && seq > this.privSeq;
    if (this.privSeq === null || seq > this.privSeq) this.privSeq = seq;
    return fresh;
  }

  /** Drops everything of the current account (it is being replaced). */
  private forgetAccount(): void {
    this.historyToken++;
    this.open.clear();
    this.fills.clear();
    this.history.clear();
    this.created.clear();
    this.ev.orders();
    this.ev.fills();
    this.ev.history();
  }

  /** Loads the account's ended orders and fills over REST and merges them. */
  private loadHistory(): void {
    const stored = this.stored;
    if (!stored) return;
    const token = ++this.historyToken;
    const current = (): boolean => token === this.historyToken && this.stored?.token === stored.token;
    fetchAccountOrders(stored.token).then(
      (records) => {
        if (!current()) return;
        const ended: OrderMsg[] = [];
        for (const r of records) {
          const o = r.order;
          if (isTerminal(o.status)) {
            ended.push(o);
            // An order that ended after what this page last heard of it.
            const open = this.open.get(o.oid);
            if (open && open.seq < o.seq) this.open.delete(o.oid);
            if (!this.open.has(o.oid)) this.created.delete(o.oid);
          } else if (r.created > 0 && o.oid > 0) {
            this.created.set(o.oid, r.created);
          }
        }
        this.history.add(...ended);
        this.ev.history();
        this.ev.orders();
      },
      (err: unknown) => console.warn(`order history: ${String(err)}`),
    );
    fetchAccountFills(stored.token).then(
      (fills) => {
        if (current() && this.fills.add(...fills)) this.ev.fills();
      },
      (err: unknown) => console.warn(`fills: ${String(err)}`),
    );
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
