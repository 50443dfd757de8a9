#!/usr/bin/env node
// The nanomorph tslab kernel: tslab 1.0.22 with TypeScript's directory watching turned off.
//
// Why: tslab's TypeScript watch program watches directories under the kernel's cwd (the project
// root) and throws "Unexpected pending rebuildTimer", killing the kernel, when a running cell
// creates directories there (dataset and stage caches, results). Notebooks never rely on new files
// appearing mid-session being picked up by directory watches; edited lib/*.ts files are still seen
// through tslab's file watches. Plain JS so the kernel starts without a compile step.
"use strict";
const path = require("path");
const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
ts.sys.watchDirectory = () => ({ close() {} });
// Progress bars (lib/util/progress.ts) update one line in place in a notebook instead of printing a line each.
process.env.NANOMORPH_NOTEBOOK = "1";
const i = process.argv.indexOf("--config-path");
if (i < 0 || !process.argv[i + 1]) {
  console.error("usage: kernel.js --config-path CONNECTION_FILE");
  process.exit(2);
}
require(path.join(tslabDir, "dist", "main.js")).startKernel({ configPath: process.argv[i + 1], enableFindLocal: false });
