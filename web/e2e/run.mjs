// Runs the end-to-end tests: against TICKCAST_URL if set, else against ../bin/tickcast
// started here on a free port. Usage: node e2e/run.mjs [test-file-filter…]

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM, resultsDir, startServer, webDir } from "./harness.mjs";

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  process.exit(2);
}

// Screenshots of an earlier run would mislead: start clean.
mkdirSync(resultsDir, { recursive: true });
for (const f of readdirSync(resultsDir)) if (f.endsWith(".png")) rmSync(join(resultsDir, f));

const filters = process.argv.slice(2);
const files = readdirSync(join(webDir, "e2e"))
  .filter((f) => f.endsWith(".test.mjs"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .map((f) => join(webDir, "e2e", f));

let server = null;
if (!process.env.TICKCAST_URL) {
  server = await startServer();
  process.env.TICKCAST_URL = server.url;
  console.log(`e2e: started tickcast at ${server.url}`);
} else {
  console.log(`e2e: testing ${process.env.TICKCAST_URL}`);
}

// A test speaks the protocol from Node (trader-helpers.mjs, protocolTrader): Node 20 has
// WebSocket only behind a flag (later versions by default).
const nodeFlags = typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [];

let status = 1;
try {
  const r = spawnSync(
    process.execPath,
    [...nodeFlags, "--test", "--test-concurrency=1", "--test-reporter=spec", ...files],
    { stdio: "inherit", env: process.env },
  );
  status = r.status ?? 1;
} finally {
  await server?.stop();
}
process.exit(status);
