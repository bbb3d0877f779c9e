// Builds the UI into dist/: one ES module bundle per page (esbuild), the HTML pages and
// style sheets copied from static/. dist/.keep stays (it lets go:embed work on a clean
// clone); everything else in dist/ is replaced. TICKCAST_SOURCEMAP=1 adds source maps.

import { copyFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const statics = join(root, "static");

for (const name of readdirSync(dist)) {
  if (name !== ".keep") rmSync(join(dist, name), { recursive: true, force: true });
}

await build({
  entryPoints: {
    trader: join(root, "src/trader/main.ts"),
    viewer: join(root, "src/viewer/main.ts"),
  },
  outdir: dist,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome109", "firefox115", "safari16"],
  minify: process.env.TICKCAST_NOMINIFY !== "1",
  // Source maps only on request: they would triple the size embedded in the binary.
  sourcemap: process.env.TICKCAST_SOURCEMAP === "1" ? "linked" : false,
  legalComments: "eof",
  logLevel: "warning",
  metafile: false,
});

for (const name of readdirSync(statics)) {
  if (!/\.(html|css)$/.test(name)) continue;
  copyFileSync(join(statics, name), join(dist, name));
}

const files = readdirSync(dist).filter((n) => n !== ".keep");
const total = files.reduce((n, f) => n + statSync(join(dist, f)).size, 0);
console.log(`web: built ${files.length} files into dist/ (${(total / 1024).toFixed(0)} KiB)`);
