// Browser tests of the connection state: the feed falling silent (the WebSocket stays open,
// nothing arrives: no data, no pong) must show "Stale" within 3 s, blank the latency, disable
// order entry, leave the header's layout alone, and recover when data flows again.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoProblems, launch, waitFor, withPage } from "./harness.mjs";
import { waitReady } from "./trader-helpers.mjs";

/** Boxes of the header and of everything in it, to compare layouts. */
function headerLayout(page) {
  return page.locator("header.top").evaluate((h) => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)].join(",");
    };
    const parts = { header: box(h) };
    for (const el of h.querySelectorAll(".brand, .symbol-field, .summary, .conn-wrap, #conn, .conn-detail, #reconnect, nav")) {
      parts[el.id || el.className] = box(el);
    }
    return parts;
  });
}

describe("trader screen: connection state", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("shows Stale within 3 s of silence, with order entry disabled, and recovers", async () => {
    // The page's WebSocket is routed: messages from the page always reach the server; the
    // server's reach the page unless `silent` is set. The socket itself stays open.
    let silent = false;
    const setup = (page) =>
      page.routeWebSocket(/\/ws$/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((m) => server.send(m));
        server.onMessage((m) => {
          if (!silent) ws.send(m);
        });
      });
    await withPage(
      browser,
      "stale",
      "/",
      async ({ page, problems }) => {
        await waitReady(page);
        const conn = page.getByRole("status", { name: "Connection", exact: true });
        const latency = page.locator("#latency");
        const buy = page.getByRole("button", { name: "Buy", exact: true });
        await waitFor("Live with a latency", async () => (await conn.innerText()) === "Live" && /^latency \d/.test(await latency.innerText()), 20_000);
        // The summary's prices keep changing; only the state may differ between the layouts.
        const before = await headerLayout(page);

        silent = true;
        const t0 = Date.now();
        await waitFor("Stale", async () => (await conn.innerText()) === "Stale", 3_000, 50);
        const took = Date.now() - t0;
        assert.ok(took <= 3_000, `Stale after ${took} ms`);
        assert.equal(await conn.getAttribute("data-state"), "stale");
        await waitFor("Buy disabled", async () => !(await buy.isEnabled()), 1_000, 50);
        assert.equal(await page.getByRole("button", { name: "Sell", exact: true }).isEnabled(), false);
        await waitFor("the latency blank", async () => (await latency.innerText()) === "", 1_000, 50);
        assert.match(await page.locator("#conn-retry").innerText(), /^no data for \d/);
        assert.match(await page.locator("#form-msg").innerText(), /Stale/);
        assert.deepEqual(await headerLayout(page), before, "the header moved when the state changed");

        silent = false;
        await waitFor("Live again", async () => (await conn.innerText()) === "Live", 10_000, 50);
        await waitFor("Buy enabled again", () => buy.isEnabled(), 10_000);
        await waitFor("the latency back", async () => /^latency \d/.test(await latency.innerText()), 10_000);
        assert.deepEqual(await headerLayout(page), before, "the header moved when the state changed back");
        assertNoProblems(problems);
      },
      { viewport: { width: 1440, height: 900 }, setup },
    );
  });
});
