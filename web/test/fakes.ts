// Test doubles: a fake connection recording what is sent, and a fetch stub.

import { ResumeState } from "../src/net/resume";
import type { ClientOp } from "../src/protocol/types";

export class FakeConn {
  readonly resume = new ResumeState();
  readonly sent: ClientOp[] = [];
  readonly calls: string[] = [];
  isLive = true;
  private id = 0;

  constructor(epoch = "e1") {
    this.resume.welcome(epoch);
  }

  nextId(): number {
    return ++this.id;
  }
  send(op: ClientOp): boolean {
    if (!this.isLive) return false;
    this.sent.push(op);
    return true;
  }
  ack(stream: string, seq: number, ts?: number): void {
    this.resume.ack(stream, seq, ts);
  }
  subscribe(channels: readonly string[], symbols: readonly string[]): void {
    this.calls.push(`subscribe ${channels.join(",")} ${symbols.join(",")}`);
    for (const c of channels) for (const s of symbols) this.resume.forget(`${c}:${s}`);
  }
  unsubscribe(channels: readonly string[], symbols: readonly string[]): void {
    this.calls.push(`unsubscribe ${channels.join(",")} ${symbols.join(",")}`);
  }
  resubscribe(ch: string, s: string, resume: boolean): void {
    this.calls.push(`resubscribe ${ch}:${s} ${resume ? "resume" : "fresh"}`);
  }
  last<T extends ClientOp["op"]>(op: T): Extract<ClientOp, { op: T }> | undefined {
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const o = this.sent[i] as ClientOp;
      if (o.op === op) return o as Extract<ClientOp, { op: T }>;
    }
    return undefined;
  }
}

/** Replaces global fetch with a handler of (method, url) → JSON body; returns the calls. */
export function stubFetch(handler: (method: string, url: string) => unknown): string[] {
  const calls: string[] = [];
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const url = String(input);
    calls.push(`${method} ${url}`);
    const body = handler(method, url);
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;
  return calls;
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
