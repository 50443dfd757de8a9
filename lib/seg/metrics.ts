import * as tf from "@tensorflow/tfjs";

/**
 * Segmentation scores per image, as the paper computed them: on the *soft* sigmoid output p and the
 * 0/1 truth y, with smoothing s (default 1e-6):
 *   Dice = (2·Σyp + s) / (Σy + Σp + s),   IoU = (Σyp + s) / (Σy + Σp − Σyp + s).
 * The thresholded variants binarise p at `threshold` (default 0.5) first. For an image with no
 * foreground in either truth or prediction both scores are 1 (the smoothing term decides, as in Keras).
 */
export interface SegScores {
  /** Soft Dice (paper). */
  dice: number;
  /** Soft IoU (paper). */
  iou: number;
  /** Dice of the prediction thresholded at `threshold`. */
  diceT: number;
  /** IoU of the prediction thresholded at `threshold`. */
  iouT: number;
}

/** Options of the score functions. */
export interface ScoreOptions {
  /** Smoothing added to numerator and denominator. Default 1e-6 (paper). */
  smooth?: number;
  /** Threshold for the hard scores. Default 0.5. */
  threshold?: number;
}

function ratio(inter: number, sumY: number, sumP: number, s: number): { dice: number; iou: number } {
  return { dice: (2 * inter + s) / (sumY + sumP + s), iou: (inter + s) / (sumY + sumP - inter + s) };
}

/** Scores of one image from flat arrays of truth (0/1) and probabilities. Throws on a length mismatch. */
export function segScores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, opts: ScoreOptions = {}): SegScores {
  if (yTrue.length !== yPred.length) throw new Error(`segScores: truth has ${yTrue.length} values, prediction ${yPred.length}`);
  const s = opts.smooth ?? 1e-6, thr = opts.threshold ?? 0.5;
  let inter = 0, sy = 0, sp = 0, interT = 0, spT = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i], p = yPred[i], b = p >= thr ? 1 : 0;
    inter += y * p; sy += y; sp += p;
    interT += y * b; spT += b;
  }
  const soft = ratio(inter, sy, sp, s), hard = ratio(interT, sy, spT, s);
  return { dice: soft.dice, iou: soft.iou, diceT: hard.dice, iouT: hard.iou };
}

/** Scores for every image of a batch: truth and probabilities [N,H,W,1] (not disposed). */
export function batchScores(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, opts: ScoreOptions = {}): SegScores[] {
  if (yTrue.shape.join() !== yPred.shape.join()) throw new Error(`batchScores: shapes differ, [${yTrue.shape}] vs [${yPred.shape}]`);
  const n = yTrue.shape[0], per = yTrue.size / Math.max(1, n);
  const t = yTrue.dataSync(), p = yPred.dataSync();
  const out: SegScores[] = [];
  for (let i = 0; i < n; i++) out.push(segScores(t.subarray(i * per, (i + 1) * per), p.subarray(i * per, (i + 1) * per), opts));
  return out;
}

/**
 * The Dice a model scores by predicting every pixel as foreground, per image of `masks`
 * ([N,H,W,1] in {0,1}): 2f / (1 + f) for a foreground fraction f. The baseline a segmentation's Dice
 * must beat; it is high (≈ 0.88 at f = 0.78, e.g. membrane masks) whenever the foreground dominates.
 */
export function allForegroundDice(masks: tf.Tensor4D): number[] {
  const f = tf.tidy(() => tf.mean(masks, [1, 2, 3]).arraySync() as number[]);
  return f.map((x) => (2 * x) / (1 + x));
}

/** Median of `allForegroundDice` over the images named in `testImages` (names as in `files`); NaN for none. */
export function allForegroundBaseline(masks: tf.Tensor4D, files: readonly string[], testImages: Iterable<string>): number {
  const want = new Set(testImages);
  const all = allForegroundDice(masks);
  const xs = files.map((f, i) => (want.has(f) ? all[i] : NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return NaN;
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}
