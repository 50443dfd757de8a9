/**
 * Issue 12 device check: one SimCLR training step of ResNet50 + head at 224×224, batch 64 (default;
 * `--batch`), on the backend the picker chooses (bench/device/run.sh forces `native-cuda`), timed
 * as median of `--repeats` after `--warmup` steps. Prints ONE JSON line; progress to stderr.
 * `--dry` runs resnet8 64² batch 2 once (used by prepare.sh to record which files the run loads).
 */
import { parseArgs } from "util";
import { initBackend } from "../../lib/backend/index";
import { simclrStep } from "../workloads/ssl-training";

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2), strict: true,
    options: { batch: { type: "string" }, repeats: { type: "string" }, warmup: { type: "string" }, dry: { type: "boolean" } },
  });
  const dry = Boolean(values.dry);
  const batch = Number(values.batch ?? (dry ? 2 : 64)), repeats = Number(values.repeats ?? (dry ? 1 : 3)), warmup = Number(values.warmup ?? (dry ? 0 : 1));
  const info = await initBackend();
  const t0 = performance.now();
  const step = await simclrStep(dry ? "resnet8" : "resnet50", dry ? 64 : 224, batch);
  const setupMs = performance.now() - t0;
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + repeats; i++) {
      const s = performance.now();
      await step.run();
      const dt = performance.now() - s;
      process.stderr.write(`[device] step ${i + 1}/${warmup + repeats}: ${dt.toFixed(0)} ms\n`);
      if (i >= warmup) times.push(dt);
    }
  } finally {
    step.dispose();
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  process.stdout.write(JSON.stringify({
    ms, images_per_s: (batch * 1000) / ms, batch, size: dry ? 64 : 224, backend: info.name, choice: info.choice, native: info.native,
    setup_ms: Math.round(setupMs), all_ms: times.map((t) => Math.round(t)), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }) + "\n");
}

main().catch((e) => { process.stderr.write(`simclr_gpu failed: ${(e as Error).stack ?? e}\n`); process.exitCode = 1; });
