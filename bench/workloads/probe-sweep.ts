/**
 * Issue 5 performance target: the full paper-protocol label sweep — 7 label counts
 * {80, 32, 16, 8, 4, 2, 1} × 20 split seeds × 5 encoder seeds = 700 linear-probe fits (softmax,
 * Adam 1e-3, batch 4, ≤300 epochs, early stopping on the test split, patience 10) — on cached
 * 2048-d features of 400 images, 4 classes (synthetic ReLU features; target < 60 s on 2 cores).
 * Peer: the same 700 fits (same features, same fit/test rows) with sklearn's MLPClassifier without
 * hidden layers (= softmax regression, Adam, batch 4, partial_fit per epoch, test accuracy watched
 * per epoch, best coefficients kept), bench/peers/probe_sweep.py.
 */
import * as fs from "fs";
import { spawnSync } from "child_process";
import type { Workload, WorkloadRunner } from "../workload";
import { Rng } from "../../lib/util/rng";
import { cacheDir } from "../../lib/util/paths";
import { writeFileAtomic, writeJsonAtomic } from "../../lib/util/fsx";
import { featureMatrix } from "../../lib/linalg/matrix";
import { runSweepParallel } from "../../lib/probe/parallel";
import { planRun, resolveSweepConfig, type SweepData, type SweepConfig } from "../../lib/probe/sweep";

const PYTHON = "/usr/bin/python3";
const N = 400, D = 2048, C = 4;
const SEEDS = [42, 43, 44, 45, 46];
const CONFIG: SweepConfig = { protocol: "paper", label: "bench probe sweep" }; // paper n list and 20 split seeds by default

/** Deterministic synthetic features: ReLU(class mean + noise), class means N(0, 0.06²) per dim, noise N(0, 0.5²). */
export function benchFeatures(): SweepData {
  const r = new Rng(2022);
  const means = Array.from({ length: C }, () => Float64Array.from({ length: D }, () => r.normal() * 0.06));
  const data = new Float32Array(N * D);
  const labels: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % C;
    labels.push(c);
    for (let d = 0; d < D; d++) data[i * D + d] = Math.max(0, means[c][d] + r.normal() * 0.5);
  }
  const X = featureMatrix(data, N, D);
  return { labels, classes: ["bundle", "dispersed", "network", "singular"], featureSets: SEEDS.map((seed) => ({ encoder: "synthetic", seed, X })) };
}

/** Write the features and the 700 fits' row sets for the peer: cacheDir("bench", "probe-sweep"). */
function writePeerData(data: SweepData): void {
  const dir = cacheDir("bench", "probe-sweep");
  const X = data.featureSets[0].X.data as Float32Array;
  writeFileAtomic(`${dir}/X.f32`, new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
  const cfg = resolveSweepConfig(CONFIG);
  const fits: { split: number; n: number; seed: number; fit: number[]; test: number[] }[] = [];
  for (const split of cfg.splitSeeds) for (const n of cfg.labelsPerClass) {
    const plan = planRun(data, split, n, cfg);
    for (const seed of SEEDS) fits.push({ split, n, seed, fit: plan.fit, test: plan.test });
  }
  writeJsonAtomic(`${dir}/plan.json`, { rows: N, cols: D, classes: C, labels: Array.from(data.labels), fits });
}

function sklearnUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import sklearn.neural_network, numpy"], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import sklearn (install Debian python3-sklearn)`;
}

/** The sweep workload (2 worker threads). */
export const workloads: Workload[] = [
  {
    name: "probe-paper-sweep",
    description: "700 linear-probe fits (7 n × 20 splits × 5 seeds, paper protocol) on 400×2048 features, 4 classes, 2 worker threads",
    warmup: 0,
    setup(): WorkloadRunner {
      const data = benchFeatures();
      writePeerData(data);
      return {
        async run() {
          const runs = await runSweepParallel(data, CONFIG, { workers: 2 });
          if (runs.length !== 700) throw new Error(`probe-paper-sweep: ${runs.length} runs, expected 700`);
        },
        dispose() { /* plain arrays only */ },
      };
    },
    peer: {
      name: "sklearn-mlp-adam-1thread",
      command: [PYTHON, "bench/peers/probe_sweep.py"],
      unavailable: sklearnUnavailable,
    },
  },
];
