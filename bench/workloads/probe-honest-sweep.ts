/**
 * The honest protocol's default head at sweep scale: n ∈ {8, 4, 2, 1} labelled images per class × 20
 * split seeds = 80 fits on the bench's 400×2048 synthetic features (4 classes), each with C chosen by
 * 5-fold cross-validated log-loss over one C per decade (10⁻⁴…10) and a final fit — L2 logistic
 * regression, features centred on the training pool and divided by one common scale. Peer: the same
 * 80 fits with scikit-learn (`LogisticRegression` per fold and C, lbfgs, `log_loss`, then a refit), on
 * the same rows and folds, bench/peers/probe_honest_sweep.py. Both on 2 cores (ours 2 worker threads,
 * the peer's BLAS 2 threads).
 *
 * `probe-honest-wide`: the fits that dominate a many-class sweep (the virus-like set of the laptop
 * profile): 9 classes × 100 labelled images on 2048-d features whose spectrum spreads over decades
 * as frozen CNN features' do (ReLU of a 48-d latent through decaying random directions, plus noise),
 * 2 fits on 2 workers. The peer walks the whole C grid with scikit-learn's defaults (lbfgs,
 * max_iter 100, so its weakly regularised fits stop early, as a user's would).
 */
import type { Workload, WorkloadRunner } from "../workload";
import { cacheDir } from "../../lib/util/paths";
import { writeFileAtomic, writeJsonAtomic } from "../../lib/util/fsx";
import { runSweepParallel } from "../../lib/probe/parallel";
import { planRun, resolveSweepConfig, type SweepConfig, type SweepData } from "../../lib/probe/sweep";
import { cvFolds, DEFAULT_C_GRID } from "../../lib/probe/logistic";
import { Rng } from "../../lib/util/rng";
import { benchFeatures } from "./probe-sweep";
import { sklearnAvailable } from "../../lib/probe/sklearn_baseline";
import { featureMatrix } from "../../lib/linalg/matrix";

const PYTHON = "/usr/bin/python3";
const CONFIG: SweepConfig = { protocol: "honest", labelsPerClass: [8, 4, 2, 1], label: "bench honest sweep" };
const WIDE_CONFIG: SweepConfig = { protocol: "honest", labelsPerClass: [100], splitSeeds: [42, 43], label: "bench honest wide" };

/**
 * 9 classes × 130 rows (the last 30 of each class the fixed test set) of 2048-d features:
 * ReLU(A·z + noise), z = class centre + N(0, 1) in 48 dims, column j of A scaled by (1 + j)^−0.7.
 */
export function wideFeatures(): SweepData {
  const K = 9, per = 130, D = 2048, L = 48;
  const r = new Rng(2023);
  const A = Float64Array.from({ length: D * L }, (_, i) => r.normal() * Math.pow(1 + (i % L), -0.7));
  const centres = Array.from({ length: K }, () => Float64Array.from({ length: L }, () => r.normal()));
  const data = new Float32Array(K * per * D), labels: number[] = [], testRows: number[] = [];
  const z = new Float64Array(L);
  for (let i = 0; i < K * per; i++) {
    const c = i % K;
    labels.push(c);
    if (Math.floor(i / K) >= per - 30) testRows.push(i);
    for (let l = 0; l < L; l++) z[l] = centres[c][l] + r.normal();
    for (let d = 0; d < D; d++) {
      let s = 0.3 * r.normal();
      for (let l = 0; l < L; l++) s += A[d * L + l] * z[l];
      data[i * D + d] = Math.max(0, s);
    }
  }
  return { labels, classes: Array.from({ length: K }, (_, k) => `class${k}`), testRows, featureSets: [{ encoder: "synthetic-wide", seed: 42, X: featureMatrix(data, K * per, D) }] };
}

/** Features (one seed) and the fits' rows and CV folds for the peer: cacheDir("bench", name). */
function writePeerData(data: SweepData, name: string, config: SweepConfig): void {
  const dir = cacheDir("bench", name);
  const X = data.featureSets[0].X.data as Float32Array;
  const cols = data.featureSets[0].X.cols;
  writeFileAtomic(`${dir}/X.f32`, new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
  const cfg = resolveSweepConfig(config);
  const fits = [];
  for (const split of cfg.splitSeeds) for (const n of cfg.labelsPerClass) {
    const plan = planRun(data, split, n, cfg);
    // The same fold assignment our head draws for this fit (seeded as runOne seeds it).
    const seed = new Rng(data.featureSets[0].seed).fork(`probe/${split}/${n}`).seedInt();
    const y = plan.fit.map((i) => data.labels[i]);
    const folds = n >= 2 ? Array.from(cvFolds(y, data.classes.length, Math.min(5, n), seed)) : null;
    fits.push({ split, n, fit: plan.fit, pool: plan.pool, test: plan.test, folds });
  }
  writeJsonAtomic(`${dir}/plan.json`, { rows: X.length / cols, cols, classes: data.classes.length, labels: Array.from(data.labels), grid: DEFAULT_C_GRID, fits });
}

/**
 * A workload timing `runSweepParallel` (2 workers) over `data()` with `config`, expecting `fits`
 * records; its peer reads what setup wrote to cacheDir("bench", name).
 */
function honestWorkload(name: string, description: string, data: () => SweepData, config: SweepConfig, fits: number): Workload {
  return {
    name, description, warmup: 0,
    setup(): WorkloadRunner {
      const d = data();
      writePeerData(d, name, config);
      return {
        async run() {
          const runs = await runSweepParallel(d, config, { workers: 2, minFits: 1 });
          if (runs.length !== fits) throw new Error(`${name}: ${runs.length} runs, expected ${fits}`);
        },
        dispose() { /* plain arrays only */ },
      };
    },
    peer: {
      name: "sklearn-logistic-cv-2threads",
      command: [PYTHON, "bench/peers/probe_honest_sweep.py", "--name", name],
      unavailable: sklearnAvailable,
    },
  };
}

export const workloads: Workload[] = [
  honestWorkload(
    "probe-honest-sweep",
    "80 honest logistic-head fits (n 8/4/2/1 × 20 splits, C by 5-fold CV over 6 values + refit) on 400×2048 features, 4 classes, 2 workers",
    () => { const full = benchFeatures(); return { ...full, featureSets: full.featureSets.slice(0, 1) }; },
    CONFIG, 80,
  ),
  honestWorkload(
    "probe-honest-wide",
    "2 honest logistic-head fits, 9 classes × 100 labelled on 2048-d features with a spread spectrum (C by 5-fold CV + refit), 2 workers",
    wideFeatures, WIDE_CONFIG, 2,
  ),
];
