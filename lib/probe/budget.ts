/**
 * Label budgets (beyond the paper): instead of n labelled images *per class* — which presumes someone
 * already knows every image's class — a person labels a *total* of B images picked without looking at
 * labels, either at random or by a selector such as `nanomorph suggest`. Both strategies see the same
 * split seeds, the same training pools and the same test rows, so their accuracies compare one to one.
 * The head is the honest protocol's logistic regression; a class missing from the picks is simply
 * never predicted (that is what random picks cost at small budgets).
 */
import { Rng } from "../util/rng";
import { Progress } from "../util/progress";
import type { FeatureMatrix } from "../linalg/matrix";
import { stratifiedSplit } from "../stats/splits";
import { fitLogistic, predictLogistic, type LogisticConfig } from "./logistic";
import { classificationMetrics } from "./metrics";
import { HONEST_LOGISTIC, type RunRecord, type SweepData } from "./sweep";

/** How the B images to label are chosen. */
export type Selection = "random" | "suggest";

/**
 * A label-blind selector: `budget` distinct rows of `pool`, chosen from the features alone.
 * `seed` makes it deterministic.
 */
export type SelectRows = (X: FeatureMatrix, pool: number[], budget: number, seed: number) => number[];

/** Budget-sweep settings. */
export interface BudgetConfig {
  /** Total labelled images per run, e.g. [2, 4, 8]. */
  budgets: number[];
  /** Split seeds (each: a stratified train/test split, as the per-class sweep). */
  splitSeeds: number[];
  /** Test fraction. Default 0.2. */
  testFraction?: number;
  /** Logistic head settings (default: C by CV when possible). */
  logistic?: LogisticConfig;
  /** Progress label. */
  label?: string;
}

/** Uniformly random picks (seeded): the baseline. */
export const randomRows: SelectRows = (_X, pool, budget, seed) => new Rng(seed).fork("budget-random").sample(pool, budget);

/** A budget run's record: a RunRecord with `n` = the budget, and the selection. */
export interface BudgetRecord extends RunRecord {
  budget: number;
  select: Selection;
  /** Classes present among the picked images. */
  classesPicked: number;
}

/**
 * Fit the head on `picked` rows (any class mix) and score it on `test`. With a single class picked
 * every test image gets that class; classes not picked are never predicted.
 */
function fitPicked(X: FeatureMatrix, labels: ArrayLike<number>, K: number, picked: number[], pool: number[], test: number[], logistic: LogisticConfig, seed: number): { pred: number[]; C: number | null; iterations: number; present: number } {
  const present = [...new Set(picked.map((i) => labels[i]))].sort((a, b) => a - b);
  if (present.length < 2) return { pred: test.map(() => present[0]), C: null, iterations: 0, present: present.length };
  const local = new Map(present.map((c, k) => [c, k] as const));
  const localLabels = new Int32Array(labels.length);
  for (const i of picked) localLabels[i] = local.get(labels[i])!;
  const m = fitLogistic(X, localLabels, present.length, picked, { ...HONEST_LOGISTIC, statsRows: pool, ...logistic, seed });
  return { pred: predictLogistic(m, X, test).map((k) => present[k]), C: m.C, iterations: m.iterations, present: present.length };
}

/**
 * Every (feature set, split seed, budget) run for one selection strategy. Encoder names in the records
 * carry the strategy (`imagenet [suggest]`) so summaries keep the two apart. Throws when a budget
 * exceeds a split's training pool or is below 1.
 */
export function runBudgetSweep(data: SweepData, cfg: BudgetConfig, select: Selection, selector: SelectRows): BudgetRecord[] {
  if (data.testRows) throw new Error("runBudgetSweep: fixed test sets are not supported with --budget; use a folder-per-class dataset");
  const K = data.classes.length;
  const out: BudgetRecord[] = [];
  const bar = new Progress({ label: cfg.label ?? `budget sweep (${select})`, total: data.featureSets.length * cfg.splitSeeds.length * cfg.budgets.length, unit: "fit" });
  for (const splitSeed of cfg.splitSeeds) {
    const split = stratifiedSplit(data.labels, splitSeed, cfg.testFraction ?? 0.2);
    for (const budget of cfg.budgets) {
      if (!(Number.isInteger(budget) && budget >= 1)) throw new Error(`runBudgetSweep: budget must be a positive integer, got ${budget}`);
      if (budget > split.train.length) throw new Error(`runBudgetSweep: budget ${budget} exceeds the ${split.train.length} training images of split ${splitSeed}`);
      for (const fs of data.featureSets) {
        const seed = new Rng(fs.seed).fork(`budget/${splitSeed}/${budget}`).seedInt();
        const picked = selector(fs.X, split.train, budget, seed);
        if (new Set(picked).size !== budget || picked.some((i) => !split.train.includes(i))) {
          throw new Error(`runBudgetSweep: the ${select} selector returned ${picked.length} rows, not ${budget} distinct rows of the pool`);
        }
        const r = fitPicked(fs.X, data.labels, K, picked, split.train, split.test, cfg.logistic ?? {}, seed);
        const m = classificationMetrics(split.test.map((i) => data.labels[i]), r.pred, K);
        out.push({
          encoder: `${fs.encoder} [${select}]`, encoderSeed: fs.seed, splitSeed, n: budget, budget, select, protocol: "honest",
          accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, epochs: r.iterations, bestEpoch: r.iterations, C: r.C,
          nFit: budget, nVal: 0, nTest: split.test.length, confusion: m.confusion, classesPicked: r.present,
        });
        bar.tick(1, { budget, acc: m.accuracy });
      }
    }
  }
  bar.finish();
  return out;
}
