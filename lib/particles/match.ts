import { quantile } from "../stats/quantiles";
import type { ExtractedParticles } from "./extract";
import { instanceAreas, type InstanceLabels } from "./instances";
import { ksStatistic } from "../stats/ks";

/** Options of {@link matchParticles}. */
export interface MatchOptions {
  /** Intersection over union a predicted and a true particle need to count as the same particle. Default 0.5 (one-to-one above 0.5). */
  iou?: number;
}

/** One matched pair. */
export interface MatchedPair {
  predicted: number;
  truth: number;
  iou: number;
  /** Equivalent-circle diameters (the measurements' unit). */
  predictedDiameter: number;
  trueDiameter: number;
}

/** Detection and size agreement of predicted particles against ground truth on one image (or pooled). */
export interface MatchResult {
  /** Kept predicted particles that count (those matching a dropped true particle are left out). */
  predicted: number;
  /** Kept true particles that count (those matching a dropped predicted particle are left out). */
  truth: number;
  truePositives: number;
  /** truePositives / predicted (NaN when nothing was predicted). */
  precision: number;
  /** truePositives / truth (NaN when there is no true particle). */
  recall: number;
  f1: number;
  pairs: MatchedPair[];
  /** Median of |d̂ − d| / d over matched pairs (equivalent diameters). */
  medianDiameterRelError: number;
  /** Median of (d̂ − d) / d: the bias. */
  medianDiameterBias: number;
  /** Two-sample KS statistic between the counted predicted and true equivalent diameters. */
  ksDiameter: number;
  /** The diameters that entered the KS statistic (for pooling over images). */
  predictedDiameters: number[];
  trueDiameters: number[];
}

/**
 * Match predicted to true particles one-to-one by IoU ≥ `iou` (greedy from the highest IoU; above 0.5
 * a match is unique anyway). Both sides must have been filtered with the same rules (border, minimum
 * area; see `measureInstances`): a pair whose one side was dropped is left out of both counts, so a
 * particle cut by the border is neither a false positive nor a miss. Throws on labellings of
 * different sizes.
 */
export function matchParticles(pred: ExtractedParticles, truth: ExtractedParticles, opts: MatchOptions = {}): MatchResult {
  const ignoreP = new Set<number>(), ignoreT = new Set<number>();
  const dP = new Map(pred.particles.map((m) => [m.id, m.equivalentDiameter]));
  const dT = new Map(truth.particles.map((m) => [m.id, m.equivalentDiameter]));
  const pairs: MatchedPair[] = [];
  for (const c of overlapMatches(pred.instances, truth.instances, opts.iou ?? 0.5)) {
    const keptP = pred.status[c.p] === "kept", keptT = truth.status[c.t] === "kept";
    if (keptP && keptT) pairs.push({ predicted: c.p, truth: c.t, iou: c.iou, predictedDiameter: dP.get(c.p)!, trueDiameter: dT.get(c.t)! });
    else { if (keptP) ignoreP.add(c.p); if (keptT) ignoreT.add(c.t); }
  }
  const predictedDiameters = pred.particles.filter((m) => !ignoreP.has(m.id)).map((m) => m.equivalentDiameter);
  const trueDiameters = truth.particles.filter((m) => !ignoreT.has(m.id)).map((m) => m.equivalentDiameter);
  return summariseMatch(pairs, predictedDiameters, trueDiameters);
}

/**
 * One-to-one matches of all instances of two labellings (kept or not) with IoU ≥ `thr`, greedy from
 * the highest IoU (ties by ids). Throws on labellings of different sizes.
 */
export function overlapMatches(P: InstanceLabels, T: InstanceLabels, thr: number): Array<{ p: number; t: number; iou: number }> {
  if (P.width !== T.width || P.height !== T.height) throw new Error(`matchParticles: prediction is ${P.width}x${P.height}, truth ${T.width}x${T.height}`);
  const aP = instanceAreas(P), aT = instanceAreas(T);
  const cands: Array<{ p: number; t: number; iou: number }> = [];
  forEachIntersection(P, T, (p, t, c) => {
    const iou = c / (aP[p] + aT[t] - c);
    if (iou >= thr) cands.push({ p, t, iou });
  });
  cands.sort((a, b) => b.iou - a.iou || a.p - b.p || a.t - b.t);
  const usedP = new Set<number>(), usedT = new Set<number>();
  const out: Array<{ p: number; t: number; iou: number }> = [];
  for (const c of cands) {
    if (usedP.has(c.p) || usedT.has(c.t)) continue;
    usedP.add(c.p); usedT.add(c.t);
    out.push(c);
  }
  return out;
}

/** Precision, recall, F1 and size agreement from matched pairs and the counted diameters (also used to pool images). */
export function summariseMatch(pairs: MatchedPair[], predictedDiameters: number[], trueDiameters: number[]): MatchResult {
  const tp = pairs.length, np = predictedDiameters.length, nt = trueDiameters.length;
  const precision = np ? tp / np : NaN, recall = nt ? tp / nt : NaN;
  const rel = pairs.map((p) => (p.predictedDiameter - p.trueDiameter) / p.trueDiameter);
  return {
    predicted: np, truth: nt, truePositives: tp, precision, recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : tp === 0 && np + nt > 0 ? 0 : NaN,
    pairs,
    medianDiameterRelError: rel.length ? quantile(rel.map(Math.abs), 0.5) : NaN,
    medianDiameterBias: rel.length ? quantile(rel, 0.5) : NaN,
    ksDiameter: np && nt ? ksStatistic(predictedDiameters, trueDiameters) : NaN,
    predictedDiameters, trueDiameters,
  };
}

/** Pool per-image match results: counts and pairs summed, diameters concatenated, then re-summarised. */
export function poolMatches(results: readonly MatchResult[]): MatchResult {
  return summariseMatch(results.flatMap((r) => r.pairs), results.flatMap((r) => r.predictedDiameters), results.flatMap((r) => r.trueDiameters));
}

/**
 * For every instance of `A` its largest IoU with any instance of `B`, and for every instance of `B` its
 * largest with any of `A` (0 when it overlaps none), from one tally of the overlaps; the instances'
 * pixel counts (`instanceAreas`) may be passed when known. Throws on labellings of different sizes.
 */
export function bestOverlaps(A: InstanceLabels, B: InstanceLabels, areasA: Int32Array = instanceAreas(A), areasB: Int32Array = instanceAreas(B)): { a: Float64Array; b: Float64Array } {
  if (A.width !== B.width || A.height !== B.height) throw new Error(`bestOverlaps: labellings are ${A.width}x${A.height} and ${B.width}x${B.height}`);
  const a = new Float64Array(A.count), b = new Float64Array(B.count);
  forEachIntersection(A, B, (i, j, c) => {
    const iou = c / (areasA[i] + areasB[j] - c);
    if (iou > a[i]) a[i] = iou;
    if (iou > b[j]) b[j] = iou;
  });
  return { a, b };
}

/** Pair counts up to this many are tallied in a dense array (fast), above it in a map (small memory). */
const DENSE_PAIRS = 1 << 22;

/** Calls `fn(a, b, shared pixels)` once for each overlapping pair of instances of two same-sized labellings. */
function forEachIntersection(A: InstanceLabels, B: InstanceLabels, fn: (a: number, b: number, count: number) => void): void {
  const nb = B.count;
  if (A.count * nb <= DENSE_PAIRS) {
    const counts = new Int32Array(A.count * nb);
    for (let i = 0; i < A.labels.length; i++) { const a = A.labels[i], b = B.labels[i]; if (a >= 0 && b >= 0) counts[a * nb + b]++; }
    for (let k = 0; k < counts.length; k++) if (counts[k]) fn(Math.floor(k / nb), k % nb, counts[k]);
    return;
  }
  const inter = new Map<number, number>();
  for (let i = 0; i < A.labels.length; i++) {
    const a = A.labels[i], b = B.labels[i];
    if (a >= 0 && b >= 0) { const k = a * nb + b; inter.set(k, (inter.get(k) ?? 0) + 1); }
  }
  for (const [k, c] of inter) fn(Math.floor(k / nb), k % nb, c);
}
