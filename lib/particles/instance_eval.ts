import { quantile } from "../stats/quantiles";
import type { InstanceLabels } from "./instances";
import { measureInstances, type ExtractOptions } from "./extract";
import { matchParticles, poolMatches, type MatchOptions, type MatchResult } from "./match";

/** Agreement of a predicted instance labelling with the true one on one image. */
export interface InstanceEval {
  id: string;
  match: MatchResult;
  /** Kept particles (after the border / minimum-area rules): predicted and true. */
  predictedCount: number;
  trueCount: number;
  /** |predicted − true| / true kept count (NaN when the truth has none). */
  countError: number;
  /** |median predicted − median true equivalent diameter| / median true, kept particles (NaN when either side has none). */
  medianDiameterError: number;
  /** Foreground Dice of the two labellings (2|P∩T| / (|P|+|T|); 1 when both are empty). */
  dice: number;
}

/**
 * Compare a predicted instance labelling with the truth on one image: both filtered with the same
 * rules (`measureInstances`: border, minimum area), matched one-to-one at IoU ≥ 0.5 (`matchParticles`),
 * plus the per-image count and median-diameter errors and the foreground Dice. Lengths in px.
 * Throws when the sizes differ.
 */
export function evaluateInstances(id: string, pred: InstanceLabels, truth: InstanceLabels, opts: ExtractOptions & MatchOptions = {}): InstanceEval {
  if (pred.width !== truth.width || pred.height !== truth.height) throw new Error(`evaluateInstances(${id}): prediction is ${pred.width}x${pred.height}, truth ${truth.width}x${truth.height}`);
  const p = measureInstances(pred, null, opts), t = measureInstances(truth, null, opts);
  const match = matchParticles(p, t, opts);
  let inter = 0, np = 0, nt = 0;
  for (let i = 0; i < pred.labels.length; i++) {
    const a = pred.labels[i] >= 0, b = truth.labels[i] >= 0;
    if (a) np++;
    if (b) nt++;
    if (a && b) inter++;
  }
  const dp = p.particles.map((m) => m.equivalentDiameter), dt = t.particles.map((m) => m.equivalentDiameter);
  const medT = dt.length ? quantile(dt, 0.5) : NaN, medP = dp.length ? quantile(dp, 0.5) : NaN;
  return {
    id, match, predictedCount: dp.length, trueCount: dt.length,
    countError: dt.length ? Math.abs(dp.length - dt.length) / dt.length : NaN,
    medianDiameterError: dt.length && dp.length ? Math.abs(medP - medT) / medT : NaN,
    dice: np + nt ? (2 * inter) / (np + nt) : 1,
  };
}

/** Summary over images: pooled matching (precision, recall, F1, KS of diameters) and per-image medians. */
export interface InstanceEvalSummary {
  images: number;
  precision: number;
  recall: number;
  f1: number;
  /** KS statistic of the pooled kept diameters, predicted vs true. */
  ksDiameter: number;
  /** Median over images of the count error, the median-diameter error (images where both sides have particles) and the Dice. */
  medianCountError: number;
  medianDiameterError: number;
  medianDice: number;
  /** Median over images of the per-image F1 (images with true or predicted particles). */
  medianF1: number;
}

/** Summarise per-image evaluations (NaN entries are left out of each median). */
export function summariseInstanceEvals(evals: readonly InstanceEval[]): InstanceEvalSummary {
  const med = (xs: number[]): number => { const f = xs.filter((x) => Number.isFinite(x)); return f.length ? quantile(f, 0.5) : NaN; };
  const pooled = poolMatches(evals.map((e) => e.match));
  return {
    images: evals.length, precision: pooled.precision, recall: pooled.recall, f1: pooled.f1, ksDiameter: pooled.ksDiameter,
    medianCountError: med(evals.map((e) => e.countError)),
    medianDiameterError: med(evals.map((e) => e.medianDiameterError)),
    medianDice: med(evals.map((e) => e.dice)),
    medianF1: med(evals.map((e) => e.match.f1)),
  };
}
