// Shared end-to-end harness: the server under test, the browser, and pages that record
// console errors and failed requests. Playwright-core drives Debian's Chromium; nothing
// downloads a browser.
//
// The server is the one at TICKCAST_URL, or else ../bin/tickcast (or TICKCAST_BIN) started
// here on a free port (run.mjs does that once for all test files).

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const resultsDir = join(webDir, "test-results");

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Polls fn until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitFor(what, fn, timeoutMs = 10_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Starts ../bin/tickcast serve on a free port and waits for /readyz.
 * Returns { url, stop() }.
 */
export async function startServer() {
  const bin = process.env.TICKCAST_BIN || resolve(webDir, "..", "bin", "tickcast");
  if (!existsSync(bin)) {
    throw new Error(`${bin} not found: build it first (make build), or set TICKCAST_URL`);
  }
  mkdirSync(resultsDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(resultsDir, "server.log"));
  const proc = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exited = null;
  proc.on("exit", (code, sig) => {
    exited = `exited with ${code ?? sig}`;
  });
  await waitFor(
    `${url}/readyz`,
    async () => {
      if (exited) throw new Error(`tickcast ${exited} (see test-results/server.log)`);
      const r = await fetch(`${url}/readyz`).catch(() => null);
      return r?.ok;
    },
    90_000, // the default warm start takes ~3 s here, much longer on a machine busy with other builds
    200,
  );
  return {
    url,
    async stop() {
      if (exited) return;
      const done = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await done;
      clearTimeout(t);
    },
  };
}

/** The base URL of the server under test. */
export function baseURL() {
  const u = process.env.TICKCAST_URL;
  if (!u) throw new Error("TICKCAST_URL is not set (run the tests through e2e/run.mjs)");
  return u.replace(/\/+$/, "");
}

/** GET a JSON endpoint of the server under test. */
export async function getJSON(path) {
  const r = await fetch(baseURL() + path);
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
  return r.json();
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens a page in a fresh context (fresh localStorage: a new demo account) that records
 * problems: console errors, uncaught exceptions, failed requests and HTTP errors.
 * `touch` makes a phone-like context (touch events, mobile viewport); `setup(page)` runs
 * before the page is loaded (to route its WebSocket, for instance).
 */
export async function openPage(browser, path, { viewport = { width: 1400, height: 900 }, touch = false, setup } = {}) {
  const context = await browser.newContext({ viewport, baseURL: baseURL(), hasTouch: touch, isMobile: touch });
  const page = await context.newPage();
  if (setup) await setup(page);
  const problems = [];
  const sockets = [];
  let closing = false;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => {
    if (!closing) problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on("websocket", (ws) => {
    sockets.push(ws.url());
    ws.on("socketerror", (e) => {
      if (!closing) problems.push(`websocket error: ${e}`);
    });
  });
  await page.goto(path);
  return {
    page,
    context,
    problems,
    sockets,
    async close() {
      closing = true;
      await context.close();
    },
  };
}

/** Runs body with a page; on failure saves a screenshot under test-results/ and rethrows. */
export async function withPage(browser, name, path, body, opts) {
  const p = await openPage(browser, path, opts);
  try {
    await body(p);
  } catch (err) {
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name.replace(/[^A-Za-z0-9_-]+/g, "-")}.png`);
    await p.page.screenshot({ path: file, fullPage: true }).catch(() => {});
    err.message += `\n(screenshot: ${file}; page problems: ${JSON.stringify(p.problems)})`;
    throw err;
  } finally {
    await p.close();
  }
}

/** Fails when the page logged errors or saw failed requests. */
export function assertNoProblems(problems) {
  if (problems.length > 0) {
    throw new Error(`page problems:\n  ${problems.join("\n  ")}`);
  }
}

// ---- exact decimal helpers for test inputs (no floats for prices)

export function decimalsOf(step) {
  const i = step.indexOf(".");
  return i < 0 ? 0 : step.length - i - 1;
}

export function toUnits(s, d) {
  const [i, f = ""] = s.split(".");
  return BigInt(i || "0") * 10n ** BigInt(d) + BigInt((f + "0".repeat(d)).slice(0, d) || "0");
}

export function fromUnits(u, d) {
  let s = u.toString().padStart(d + 1, "0");
  return d > 0 ? `${s.slice(0, -d)}.${s.slice(-d)}` : s;
}
