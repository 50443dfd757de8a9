#!/usr/bin/env node
// Compile lib/ to dist/lib/ (JavaScript, no type check: `npm run typecheck` does that), so that
// `bin/nanomorph` starts in about the time of plain Node instead of transpiling the import graph on
// every call. Run by `npm ci` / `npm install` (the package's install script) and by `npm run build`.
// Writes dist/BUILD_STAMP last: bin/nanomorph runs dist/ only while no lib/ source is newer than it.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.join(__dirname, "..");
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
const t0 = Date.now();
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`[nanomorph build] tsc failed (exit ${r.status ?? r.signal}); bin/nanomorph will run the TypeScript sources through ts-node (slower start)`);
  process.exit(r.status || 1);
}
fs.writeFileSync(path.join(root, "dist", "BUILD_STAMP"), `${new Date().toISOString()}\n`);
console.log(`[nanomorph build] compiled lib/ to dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
