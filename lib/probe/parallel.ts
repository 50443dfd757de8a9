/**
 * `runSweepParallel`: the same sweep as `runSweep`, spread over worker threads (one per core by
 * default). Every fit is seeded by its own (encoder seed, split seed, n), so the records are
 * identical to the serial sweep's and come back in the same order.
 */
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { Progress } from "../util/progress";
import { projectRoot } from "../util/paths";
import { resolveSweepConfig, type SweepData, type SweepConfig, type RunRecord, runSweep } from "./sweep";
import type { WorkerInput, WorkerMessage } from "./sweep_worker";

/** Options for `runSweepParallel`. */
export interface ParallelOptions {
  /** Worker threads. Default: `NANOMORPH_PROBE_WORKERS` or the number of CPU cores (at most 8). 1 runs serially in this thread. */
  workers?: number;
  /**
   * Run serially when the sweep has fewer fits than this (starting workers costs about a second).
   * Default 48.
   */
  minFits?: number;
}

/** Default worker count: $NANOMORPH_PROBE_WORKERS, else min(cores, 8). */
export function defaultWorkers(): number {
  const env = Number(process.env.NANOMORPH_PROBE_WORKERS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(8, os.cpus().length));
}

/**
 * Run the sweep on worker threads. Records equal `runSweep`'s, in the same order
 * (split seed, n, feature set). Rejects with the first worker error, naming the worker.
 */
export async function runSweepParallel(data: SweepData, config: SweepConfig = {}, opts: ParallelOptions = {}): Promise<RunRecord[]> {
  const cfg = resolveSweepConfig(config);
  const nWorkers = opts.workers ?? defaultWorkers();
  const fits = data.featureSets.length * cfg.splitSeeds.length * cfg.labelsPerClass.length;
  if (nWorkers <= 1 || fits < (opts.minFits ?? 48)) return runSweep(data, config);
  for (const fs of data.featureSets) {
    if (fs.X.rows !== data.labels.length) {
      throw new Error(`runSweepParallel: feature set ${fs.encoder}/seed ${fs.seed} has ${fs.X.rows} rows for ${data.labels.length} labels`);
    }
  }
  const sets = data.featureSets.map((fs) => {
    const buffer = new SharedArrayBuffer(fs.X.data.length * 8);
    new Float64Array(buffer).set(fs.X.data);
    return { encoder: fs.encoder, seed: fs.seed, buffer, rows: fs.X.rows, cols: fs.X.cols };
  });
  // Same order as runSweep; the largest fits (big n) come first in each split so the tail is short.
  const tasks: [number, number, number][] = [];
  for (const splitSeed of cfg.splitSeeds) for (const n of cfg.labelsPerClass) for (let si = 0; si < sets.length; si++) tasks.push([si, splitSeed, n]);
  const input: WorkerInput = {
    labels: Array.from(data.labels), classes: data.classes, testRows: data.testRows, groups: data.groups ? Array.from(data.groups) : undefined, sets,
    cfg, tasks, counter: new SharedArrayBuffer(4),
  };
  const out: (RunRecord | undefined)[] = new Array(tasks.length);
  const bar = new Progress({ label: `${cfg.label} (${nWorkers} workers)`, total: tasks.length, unit: "fit" });
  const root = projectRoot();
  const workerFile = path.join(root, "lib", "probe", "sweep_worker.ts");
  // The worker loads the TypeScript source through ts-node (transpile only), in CLI, tests and notebooks alike.
  const boot = `require(${JSON.stringify(require.resolve("ts-node", { paths: [root] }))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(root, "tsconfig.json"))} });\n` +
    `require(${JSON.stringify(workerFile)});`;
  const workers: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: nWorkers }, (_, w) => new Promise<void>((resolve, reject) => {
      const worker = new Worker(boot, { eval: true, workerData: input });
      workers.push(worker);
      let finished = false;
      worker.on("message", (m: WorkerMessage) => {
        if (m.kind === "record") {
          out[m.task] = m.record;
          bar.tick(1, { n: m.record.n, acc: m.record.accuracy });
        } else if (m.kind === "done") {
          finished = true; resolve();
        } else {
          finished = true; reject(new Error(`runSweepParallel: worker ${w}: ${m.message}`));
        }
      });
      worker.on("error", (e) => { finished = true; reject(new Error(`runSweepParallel: worker ${w} crashed: ${e.message}`)); });
      worker.on("exit", (code) => { if (!finished) reject(new Error(`runSweepParallel: worker ${w} exited with code ${code} before finishing`)); });
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  bar.finish();
  const missing = out.findIndex((r) => r === undefined);
  if (missing >= 0) throw new Error(`runSweepParallel: task ${missing} produced no record`);
  return out as RunRecord[];
}
