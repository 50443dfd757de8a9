/**
 * Worker side of `runSweepParallel`: receives the sweep data (features in SharedArrayBuffers),
 * pulls task indices from a shared atomic counter until none are left, and posts one RunRecord
 * per task. Started by lib/probe/parallel.ts; not meant to be imported elsewhere.
 */
import { parentPort, workerData } from "worker_threads";
import { runOne, planRun, type SweepData, type ResolvedSweepConfig, type RunRecord } from "./sweep";

/** Message from a sweep worker: one finished task, or an error. */
export type WorkerMessage =
  | { kind: "record"; task: number; record: RunRecord }
  | { kind: "error"; message: string }
  | { kind: "done" };

/** What the parent hands each worker. */
export interface WorkerInput {
  labels: number[];
  classes: string[];
  testRows?: number[];
  /** Duplicate-group id per row (SweepData.groups). */
  groups?: number[];
  sets: { encoder: string; seed: number; buffer: SharedArrayBuffer; rows: number; cols: number }[];
  cfg: ResolvedSweepConfig;
  /** Tasks as [setIndex, splitSeed, n]. */
  tasks: [number, number, number][];
  counter: SharedArrayBuffer;
}

function main(): void {
  const inp = workerData as WorkerInput;
  const data: SweepData = {
    labels: inp.labels, classes: inp.classes, testRows: inp.testRows, groups: inp.groups,
    featureSets: inp.sets.map((s) => ({ encoder: s.encoder, seed: s.seed, X: { data: new Float64Array(s.buffer), rows: s.rows, cols: s.cols } })),
  };
  const counter = new Int32Array(inp.counter);
  try {
    for (;;) {
      const t = Atomics.add(counter, 0, 1);
      if (t >= inp.tasks.length) break;
      const [si, splitSeed, n] = inp.tasks[t];
      const plan = planRun(data, splitSeed, n, inp.cfg);
      const record = runOne(data.featureSets[si], data, splitSeed, n, plan, inp.cfg);
      parentPort!.postMessage({ kind: "record", task: t, record } satisfies WorkerMessage);
    }
    parentPort!.postMessage({ kind: "done" } satisfies WorkerMessage);
  } catch (e) {
    parentPort!.postMessage({ kind: "error", message: (e as Error).message } satisfies WorkerMessage);
  }
}

if (parentPort && workerData && (workerData as WorkerInput).tasks) main();
