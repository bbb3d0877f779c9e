// The demo account kept in localStorage: its id, its token, and the equity it started with
// (for "PnL since start"). A storage that throws (private mode, disabled) falls back to
// memory for the life of the page.

const KEY = "tickcast.account.v1";

export interface StoredAccount {
  account: string;
  token: string;
  /** Equity in USD when the account was created, as a decimal string; set once known. */
  startEquity?: string;
  /** Creation time, ms since the epoch. */
  created: number;
}

let memory: StoredAccount | null = null;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The stored account, if any. */
export function loadAccount(): StoredAccount | null {
  const s = storage();
  if (!s) return memory;
  try {
    const raw = s.getItem(KEY);
    if (!raw) return memory;
    const v = JSON.parse(raw) as Partial<StoredAccount>;
    if (typeof v.token !== "string" || typeof v.account !== "string") return null;
    const acc: StoredAccount = {
      account: v.account,
      token: v.token,
      created: typeof v.created === "number" ? v.created : Date.now(),
    };
    if (typeof v.startEquity === "string") acc.startEquity = v.startEquity;
    return acc;
  } catch {
    return memory;
  }
}

/** Stores the account (replacing any previous one). */
export function saveAccount(acc: StoredAccount): void {
  memory = acc;
  const s = storage();
  if (!s) return;
  try {
    s.setItem(KEY, JSON.stringify(acc));
  } catch {
    // quota or disabled storage: memory keeps it for this page
  }
}

/** Forgets the stored account. */
export function clearAccount(): void {
  memory = null;
  try {
    storage()?.removeItem(KEY);
  } catch {
    // ignore
  }
}
