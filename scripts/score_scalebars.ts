/**
 * Score the scale-bar reader on the real truth table (test/fixtures/real_scalebars.json) and print, per set,
 * read / wrong / refused counts and the worst nm/px error, then every trial as JSON lines (stderr: progress).
 * Usage: ts-node --transpile-only scripts/score_scalebars.ts DATA_ROOT [SET...]
 * (FAST_MIN=x sets the template reader's confidence threshold, to study it.)
 */
import * as fs from "fs";
import * as path from "path";
import { scoreRealSet } from "../lib/data/scalebar/evaluate_real";
import type { LabelledSet } from "../lib/data/scalebar/evaluate_real";

async function main(): Promise<void> {
  const [root, ...only] = process.argv.slice(2);
  if (!root) throw new Error("usage: score_scalebars.ts DATA_ROOT [SET...]");
  const truth = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "test", "fixtures", "real_scalebars.json"), "utf8")) as { sets: Record<string, LabelledSet> };
  for (const [name, set] of Object.entries(truth.sets)) {
    if (only.length && !only.includes(name)) continue;
    const t0 = Date.now();
    const s = await scoreRealSet(root, set, process.env.FAST_MIN ? { fastMinConfidence: Number(process.env.FAST_MIN) } : {});
    const ms = s.trials.map((t) => t.ms).sort((a, b) => a - b);
    console.log(JSON.stringify({ set: name, read: s.read, withBar: s.withBar, wrong: s.wrong, refusedOk: s.refusedOk, refusable: s.refusable, maxRelError: s.maxRelError, medianMs: ms[ms.length >> 1], totalS: (Date.now() - t0) / 1000 }));
    for (const t of s.trials) console.log(JSON.stringify({ set: name, ...t }));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
