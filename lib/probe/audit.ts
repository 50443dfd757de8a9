/**
 * Which labels look wrong: confident-learning style audit of a labelled set (Northcutt et al.,
 * "Confident Learning", JAIR 2021). Every image gets out-of-fold class probabilities from the honest
 * head (lib/probe/logistic, C by CV inside each training fold), so no image is judged by a model
 * that saw its own label. Per-class thresholds t_c = mean out-of-fold p(c) over the images labelled c
 * (the class's average self-confidence). An image is flagged when another class j clears its own
 * threshold (p_j ≥ t_j) and is the likeliest of the classes that do (the "confident joint" says it
 * belongs to j), or when the out-of-fold arg-max is not its label. The score is the self-confidence p(given label); flagged images come first, each
 * group ordered by ascending score, so the most suspicious image is first.
 */
import type { FeatureMatrix } from "../linalg/matrix";
import { fitLogistic, logisticProba, cvFolds } from "./logistic";
import { byClass } from "../stats/splits";

/** Settings of {@link auditLabels}. */
export interface AuditConfig {
  /** Folds of the out-of-fold predictions: min(this, smallest class count). Default 5. */
  folds?: number;
  /** Seed of the fold assignment and the inner CV. Default 0. */
  seed?: number;
  /** Inverse L2 strength of the head: a number or "cv" (default; chosen inside every training fold). */
  C?: number | "cv";
}

/** One image's verdict. */
export interface AuditRow {
  row: number;
  label: number;
  /** The class the out-of-fold model gives it (confident-joint class when flagged, else the arg-max). */
  suggested: number;
  /** Out-of-fold probability of the given label, in [0, 1] (low = suspicious). */
  score: number;
  /** True when another class clears its per-class threshold and beats the given label, or the out-of-fold arg-max is another class (likely mislabelled). */
  flagged: boolean;
}

/** The audit of a labelled set. */
export interface AuditResult {
  /** Every labelled row, most suspicious first. */
  rows: AuditRow[];
  /** Per-class thresholds t_c (mean self-confidence of class c). */
  thresholds: number[];
  /** Out-of-fold probabilities [n × K] row-major, in the order of the input rows. */
  proba: Float64Array;
}

/**
 * Audit the labels `labels[i]` ∈ [0, K) of rows `rows` of X (all rows when omitted; `labels` is indexed
 * like `rows`). Throws when a class has fewer than 2 images (no out-of-fold prediction is possible)
 * or fewer than 2 classes are present.
 */
export function auditLabels(X: FeatureMatrix, labels: ArrayLike<number>, K: number, rows?: number[], cfg: AuditConfig = {}): AuditResult {
  const idx = rows ?? Array.from({ length: X.rows }, (_, i) => i);
  const n = idx.length;
  if (labels.length !== n) throw new Error(`auditLabels: ${labels.length} labels for ${n} rows`);
  const counts = byClass(labels, K).map((r) => r.length);
  const present = counts.filter((c) => c > 0);
  if (present.length < 2) throw new Error(`auditLabels: the labels hold ${present.length} class(es); an audit needs at least 2`);
  const smallest = counts.findIndex((c) => c === 1);
  if (smallest >= 0) throw new Error(`auditLabels: class ${smallest} has a single image; every class needs at least 2 for out-of-fold predictions`);
  const folds = Math.min(cfg.folds ?? 5, Math.min(...present));
  const seed = cfg.seed ?? 0;
  const fold = cvFolds(labels, K, folds, seed);
  // Labels indexed by X's rows for fitLogistic.
  const yRow = new Array<number>(X.rows).fill(0);
  idx.forEach((r, i) => { yRow[r] = labels[i]; });
  const proba = new Float64Array(n * K);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [], held: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : train).push(i);
    const model = fitLogistic(X, yRow, K, train.map((i) => idx[i]), { C: cfg.C ?? "cv", seed: seed + f });
    const p = logisticProba(model, X, held.map((i) => idx[i]));
    held.forEach((i, q) => { for (let c = 0; c < K; c++) proba[i * K + c] = p[q * K + c]; });
  }
  const thresholds = new Array(K).fill(0);
  for (let i = 0; i < n; i++) thresholds[labels[i]] += proba[i * K + labels[i]];
  for (let c = 0; c < K; c++) thresholds[c] = counts[c] > 0 ? thresholds[c] / counts[c] : 1;
  const out: AuditRow[] = [];
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    let arg = 0, conf = -1;
    for (let c = 0; c < K; c++) {
      if (counts[c] > 0 && proba[i * K + c] > proba[i * K + arg]) arg = c;
      if (counts[c] > 0 && proba[i * K + c] >= thresholds[c] && (conf < 0 || proba[i * K + c] > proba[i * K + conf])) conf = c;
    }
    // Flagged: the confident joint puts it in another class, or the out-of-fold arg-max disagrees (with a
    // nearly perfect head the thresholds approach 1, and a 0.96 vote for another class should still count).
    const flagged = (conf >= 0 && conf !== y) || arg !== y;
    out.push({ row: idx[i], label: y, suggested: conf >= 0 && conf !== y ? conf : arg, score: proba[i * K + y], flagged });
  }
  out.sort((a, b) => Number(b.flagged) - Number(a.flagged) || a.score - b.score || a.row - b.row);
  return { rows: out, thresholds, proba };
}
