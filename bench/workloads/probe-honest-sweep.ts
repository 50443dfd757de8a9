/**
 * The honest protocol's default head at sweep scale: n ∈ {8, 4, 2, 1} labelled images per class × 20
 * split seeds = 80 fits on the bench's 400×2048 synthetic features (4 classes), each with C chosen by
 * 5-fold cross-validated log-loss over one C per decade (10⁻⁴…10) and a final fit — L2 logistic
 * regression, features centred on the training pool and divided by one common scale. Peer: the same
 * 80 fits with scikit-learn (`LogisticRegression` per fold and C, lbfgs, `log_loss`, then a refit), on
 * the same rows and folds, bench/peers/probe_honest_sweep.py. Both on 2 cores (ours 2 worker threads,
 * the peer's BLAS 2 threads).
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

const PYTHON = "/usr/bin/python3";
const CONFIG: SweepConfig = { protocol: "honest", labelsPerClass: [8, 4, 2, 1], label: "bench honest sweep" };

/** Features (one seed) and the 80 fits' rows and CV folds for the peer: cacheDir("bench", "probe-honest-sweep"). */
function writePeerData(data: SweepData): void {
  const dir = cacheDir("bench", "probe-honest-sweep");
  const X = data.featureSets[0].X.data as Float32Array;
  writeFileAtomic(`${dir}/X.f32`, new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
  const cfg = resolveSweepConfig(CONFIG);
  const fits = [];
  for (const split of cfg.splitSeeds) for (const n of cfg.labelsPerClass) {
    const plan = planRun(data, split, n, cfg);
    // The same fold assignment our head draws for this fit (seeded as runOne seeds it).
    const seed = new Rng(data.featureSets[0].seed).fork(`probe/${split}/${n}`).seedInt();
    const y = plan.fit.map((i) => data.labels[i]);
    const folds = n >= 2 ? Array.from(cvFolds(y, data.classes.length, Math.min(5, n), seed)) : null;
    fits.push({ split, n, fit: plan.fit, pool: plan.pool, test: plan.test, folds });
  }
  writeJsonAtomic(`${dir}/plan.json`, { rows: X.length / 2048, cols: 2048, classes: data.classes.length, labels: Array.from(data.labels), grid: DEFAULT_C_GRID, fits });
}

export const workloads: Workload[] = [
  {
    name: "probe-honest-sweep",
    description: "80 honest logistic-head fits (n 8/4/2/1 × 20 splits, C by 5-fold CV over 6 values + refit) on 400×2048 features, 4 classes, 2 workers",
    warmup: 0,
    setup(): WorkloadRunner {
      const full = benchFeatures();
      const data = { ...full, featureSets: full.featureSets.slice(0, 1) };
      writePeerData(data);
      return {
        async run() {
          const runs = await runSweepParallel(data, CONFIG, { workers: 2, minFits: 1 });
          if (runs.length !== 80) throw new Error(`probe-honest-sweep: ${runs.length} runs, expected 80`);
        },
        dispose() { /* plain arrays only */ },
      };
    },
    peer: {
      name: "sklearn-logistic-cv-2threads",
      command: [PYTHON, "bench/peers/probe_honest_sweep.py"],
      unavailable: sklearnAvailable,
    },
  },
];
