#!/usr/bin/env node
// Peer of the cli-* workloads: how long plain Node takes to start and exit (`node -e 0`), timed the
// same way (spawnSync from a running Node). Prints {"ms": median, "all_ms": [...]} (bench/workload.ts).
"use strict";
const { spawnSync } = require("child_process");
const { parseArgs } = require("util");

const { values } = parseArgs({ options: { repeats: { type: "string" }, warmup: { type: "string" } } });
const repeats = Number(values.repeats ?? 5), warmup = Number(values.warmup ?? 2);
const all = [];
for (let i = 0; i < warmup + repeats; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", "0"]);
  const dt = performance.now() - t0;
  if (r.status !== 0) { console.error(`node -e 0 exited ${r.status}`); process.exit(1); }
  if (i >= warmup) all.push(Math.round(dt * 100) / 100);
}
const sorted = [...all].sort((a, b) => a - b);
const mid = sorted.length >> 1;
console.log(JSON.stringify({ ms: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, all_ms: all }));
