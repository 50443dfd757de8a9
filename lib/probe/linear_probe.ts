/**
 * The paper's linear probe: one Dense softmax layer on frozen features, trained with Adam
 * (lr 1e-3, batch 4, at most 300 epochs) and early stopping on validation accuracy (patience 10,
 * best weights restored) — the authors' Keras head, written on plain typed arrays because a paper
 * sweep is thousands of fits on small dense matrices.
 *
 * Porting notes (deliberate, documented differences from Keras):
 * - Initialisation is Keras' default for Dense (Glorot-uniform weights, zero bias) but drawn from
 *   our seeded Rng, so weights are not bit-identical to a Keras run with the same seed.
 * - Adam follows tf.keras (epsilon 1e-7 added to sqrt(v̂) with the bias correction folded into
 *   the step size). Arithmetic is float64 (Keras: float32).
 * - The best weights are restored whenever early stopping is on, also when the epoch budget runs
 *   out before the patience does (Keras 2 restores only when it actually stops early).
 */
import { Rng } from "../util/rng";
import type { FeatureMatrix } from "../linalg/matrix";

/** Training settings. Every default is the paper's. */
export interface ProbeConfig {
  /** Adam learning rate. Default 1e-3 (paper). */
  lr?: number;
  /** Mini-batch size. Default 4 (paper). */
  batchSize?: number;
  /** Maximum epochs. Default 300 (paper). */
  maxEpochs?: number;
  /** Early-stopping patience in epochs without a strict improvement of validation accuracy. Default 10 (paper). */
  patience?: number;
  /** Adam β1, β2, ε. Defaults 0.9, 0.999, 1e-7 (tf.keras). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Seed for the initial weights and the per-epoch batch order. Default 0. */
  seed?: number;
  /**
   * Among epochs that tie the best validation accuracy, keep the weights with the lowest validation
   * cross-entropy (Keras keeps the first). Stopping is unchanged: patience still counts epochs since
   * the last strict accuracy improvement. Default false (Keras). Useful on tiny validation sets,
   * where accuracy moves in coarse steps and the first best epoch is often a near-initial one.
   */
  tieBreakOnLoss?: boolean;
}

/** A fitted softmax-regression head. Weights are class-major: `W[c·D + d]`. */
export interface ProbeModel {
  readonly numClasses: number;
  readonly dim: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
  /** Epochs actually run. */
  readonly epochsRun: number;
  /** 1-based epoch whose weights were kept (the best one under early stopping, else the last). */
  readonly bestEpoch: number;
  /** Validation accuracy of the kept weights (NaN without validation data). */
  readonly bestValAccuracy: number;
}

/** Training data for `fitLinearProbe`: rows of X picked by index, with integer labels per row of X. */
export interface ProbeData {
  X: FeatureMatrix;
  /** Label of every row of X, in [0, numClasses). */
  labels: ArrayLike<number>;
  numClasses: number;
  /** Rows of X to train on. */
  train: ArrayLike<number>;
  /** Rows of X whose accuracy drives early stopping; omit or empty for a fixed epoch budget. */
  val?: ArrayLike<number> | null;
}

function resolve(cfg: ProbeConfig): Required<ProbeConfig> {
  return {
    lr: cfg.lr ?? 1e-3,
    batchSize: cfg.batchSize ?? 4,
    maxEpochs: cfg.maxEpochs ?? 300,
    patience: cfg.patience ?? 10,
    beta1: cfg.beta1 ?? 0.9,
    beta2: cfg.beta2 ?? 0.999,
    epsilon: cfg.epsilon ?? 1e-7,
    seed: cfg.seed ?? 0,
    tieBreakOnLoss: cfg.tieBreakOnLoss ?? false,
  };
}

/** Accuracy (and, into loss[0], the mean cross-entropy) of weights (W, b) on the given rows of X. */
function accuracyOn(X: Float32Array | Float64Array, D: number, C: number, W: Float64Array, b: Float64Array,
  labels: ArrayLike<number>, rows: ArrayLike<number>, z: Float64Array, loss: Float64Array): number {
  let correct = 0, ce = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const off = i * D;
    let best = -Infinity, arg = 0;
    if (C === 4) {
      logits4(X, off, W, b, D, z, 0);
      for (let c = 0; c < 4; c++) if (z[c] > best) { best = z[c]; arg = c; }
    } else for (let c = 0; c < C; c++) {
      const wo = c * D;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let d = 0;
      for (; d + 3 < D; d += 4) {
        s0 += W[wo + d] * X[off + d];
        s1 += W[wo + d + 1] * X[off + d + 1];
        s2 += W[wo + d + 2] * X[off + d + 2];
        s3 += W[wo + d + 3] * X[off + d + 3];
      }
      for (; d < D; d++) s0 += W[wo + d] * X[off + d];
      const zc = s0 + s1 + s2 + s3 + b[c];
      z[c] = zc;
      if (zc > best) { best = zc; arg = c; }
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[c] - best);
    ce += Math.log(sum) + best - z[labels[i]];
    if (arg === labels[i]) correct++;
  }
  loss[0] = rows.length > 0 ? ce / rows.length : NaN;
  return rows.length > 0 ? correct / rows.length : NaN;
}

/** Logits of one row for exactly 4 classes in a single pass over the features (the common case). */
function logits4(X: Float32Array | Float64Array, off: number, W: Float64Array, b: Float64Array, D: number, out: Float64Array, at: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const o1 = D, o2 = 2 * D, o3 = 3 * D;
  for (let d = 0; d < D; d++) {
    const x = X[off + d];
    s0 += W[d] * x; s1 += W[o1 + d] * x; s2 += W[o2 + d] * x; s3 += W[o3 + d] * x;
  }
  out[at] = s0 + b[0]; out[at + 1] = s1 + b[1]; out[at + 2] = s2 + b[2]; out[at + 3] = s3 + b[3];
}

function checkData(data: ProbeData): void {
  const { X, labels, numClasses, train } = data;
  const where = "fitLinearProbe";
  if (labels.length !== X.rows) throw new Error(`${where}: ${labels.length} labels for ${X.rows} feature rows`);
  if (!(numClasses >= 2)) throw new Error(`${where}: numClasses must be >= 2, got ${numClasses}`);
  if (train.length === 0) throw new Error(`${where}: empty training set`);
  for (const set of [train, data.val ?? []]) {
    for (let k = 0; k < set.length; k++) {
      const i = set[k];
      if (!(i >= 0 && i < X.rows)) throw new Error(`${where}: row index ${i} out of range [0, ${X.rows})`);
      const y = labels[i];
      if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new Error(`${where}: label ${y} of row ${i} not in [0, ${numClasses})`);
    }
  }
}

/**
 * Fit softmax regression (cross-entropy, mean over the batch) with Adam on the `train` rows of X,
 * shuffling the batch order every epoch; when `val` rows are given, stop after `patience` epochs
 * without a strict improvement of validation accuracy and keep the best epoch's weights (ties:
 * see `tieBreakOnLoss`). Deterministic for a given seed. Throws on bad indices/labels.
 */
export function fitLinearProbe(data: ProbeData, cfg: ProbeConfig = {}): ProbeModel {
  checkData(data);
  const o = resolve(cfg);
  const { X: Xm, labels, numClasses: C, train } = data;
  const val = data.val && data.val.length > 0 ? data.val : null;
  const X = Xm.data;
  const D = Xm.cols;
  const rng = new Rng(o.seed);
  const initRng = rng.fork("init");
  const orderRng = rng.fork("order");

  // Glorot-uniform init (Keras Dense default), zero bias.
  const limit = Math.sqrt(6 / (D + C));
  const W = new Float64Array(C * D);
  for (let j = 0; j < W.length; j++) W[j] = initRng.uniform(-limit, limit);
  const b = new Float64Array(C);
  const mW = new Float64Array(C * D), vW = new Float64Array(C * D);
  const mb = new Float64Array(C), vb = new Float64Array(C);
  const bestW = new Float64Array(C * D), bestB = new Float64Array(C);

  const N = train.length;
  const order = Int32Array.from(train as ArrayLike<number>);
  const B = o.batchSize;
  const delta = new Float64Array(B * C); // dL/dz per batch row and class
  const rowOff = new Int32Array(B);
  const { beta1, beta2, epsilon, lr } = o;
  let b1t = 1, b2t = 1;
  let best = -Infinity, bestLoss = Infinity, bestEpoch = 0, wait = 0, epoch = 0;
  const zBuf = new Float64Array(C), lossBuf = new Float64Array(1);

  for (epoch = 1; epoch <= o.maxEpochs; epoch++) {
    // Fisher–Yates on the training rows (Keras fit shuffles every epoch).
    for (let i = N - 1; i > 0; i--) {
      const j = orderRng.int(i + 1);
      const t = order[i]; order[i] = order[j]; order[j] = t;
    }
    for (let start = 0; start < N; start += B) {
      const nb = Math.min(B, N - start);
      // Forward: logits, softmax, delta = (p − onehot) / nb.
      for (let r = 0; r < nb; r++) {
        const i = order[start + r];
        const off = i * D;
        rowOff[r] = off;
        let zmax = -Infinity;
        if (C === 4) logits4(X, off, W, b, D, delta, r * 4);
        else for (let c = 0; c < C; c++) {
          const wo = c * D;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let d = 0;
          for (; d + 3 < D; d += 4) {
            s0 += W[wo + d] * X[off + d];
            s1 += W[wo + d + 1] * X[off + d + 1];
            s2 += W[wo + d + 2] * X[off + d + 2];
            s3 += W[wo + d + 3] * X[off + d + 3];
          }
          for (; d < D; d++) s0 += W[wo + d] * X[off + d];
          delta[r * C + c] = s0 + s1 + s2 + s3 + b[c];
        }
        for (let c = 0; c < C; c++) if (delta[r * C + c] > zmax) zmax = delta[r * C + c];
        let sum = 0;
        for (let c = 0; c < C; c++) { const e = Math.exp(delta[r * C + c] - zmax); delta[r * C + c] = e; sum += e; }
        const y = labels[i];
        for (let c = 0; c < C; c++) delta[r * C + c] = (delta[r * C + c] / sum - (c === y ? 1 : 0)) / nb;
      }
      // Adam step, fused with the gradient g[c,d] = Σ_r delta[r,c]·x_r[d].
      b1t *= beta1; b2t *= beta2;
      const step = lr * Math.sqrt(1 - b2t) / (1 - b1t);
      const a1 = 1 - beta1, a2 = 1 - beta2;
      for (let c = 0; c < C; c++) {
        const wo = c * D;
        let gb = 0;
        for (let r = 0; r < nb; r++) gb += delta[r * C + c];
        mb[c] += (gb - mb[c]) * a1;
        vb[c] += (gb * gb - vb[c]) * a2;
        b[c] -= step * mb[c] / (Math.sqrt(vb[c]) + epsilon);
        if (nb === 4) {
          const d0 = delta[c], d1 = delta[C + c], d2 = delta[2 * C + c], d3 = delta[3 * C + c];
          const o0 = rowOff[0], o1 = rowOff[1], o2 = rowOff[2], o3 = rowOff[3];
          for (let d = 0; d < D; d++) {
            const g = d0 * X[o0 + d] + d1 * X[o1 + d] + d2 * X[o2 + d] + d3 * X[o3 + d];
            const j = wo + d;
            const m = mW[j] + (g - mW[j]) * a1;
            const v = vW[j] + (g * g - vW[j]) * a2;
            mW[j] = m; vW[j] = v;
            W[j] -= step * m / (Math.sqrt(v) + epsilon);
          }
        } else {
          for (let d = 0; d < D; d++) {
            let g = 0;
            for (let r = 0; r < nb; r++) g += delta[r * C + c] * X[rowOff[r] + d];
            const j = wo + d;
            const m = mW[j] + (g - mW[j]) * a1;
            const v = vW[j] + (g * g - vW[j]) * a2;
            mW[j] = m; vW[j] = v;
            W[j] -= step * m / (Math.sqrt(v) + epsilon);
          }
        }
      }
    }
    if (val) {
      const acc = accuracyOn(X, D, C, W, b, labels, val, zBuf, lossBuf);
      const loss = lossBuf[0];
      if (acc > best) {
        best = acc; bestLoss = loss; bestEpoch = epoch; wait = 0;
        bestW.set(W); bestB.set(b);
      } else {
        // A tie with lower loss replaces the kept weights but does not reset the patience.
        if (o.tieBreakOnLoss && acc === best && loss < bestLoss) {
          bestLoss = loss; bestEpoch = epoch;
          bestW.set(W); bestB.set(b);
        }
        if (++wait >= o.patience) break;
      }
    }
  }
  const epochsRun = Math.min(epoch, o.maxEpochs);
  if (val) {
    W.set(bestW); b.set(bestB);
    return { numClasses: C, dim: D, W, b, epochsRun, bestEpoch, bestValAccuracy: best };
  }
  return { numClasses: C, dim: D, W, b, epochsRun, bestEpoch: epochsRun, bestValAccuracy: NaN };
}

/** Class probabilities [rows × numClasses] (row-major) of a fitted probe on the given rows of X (all rows when omitted). */
export function predictProba(model: ProbeModel, X: FeatureMatrix, rows?: ArrayLike<number>): Float64Array {
  if (X.cols !== model.dim) throw new Error(`predictProba: features have ${X.cols} columns, the probe expects ${model.dim}`);
  const C = model.numClasses, D = model.dim;
  const n = rows ? rows.length : X.rows;
  const out = new Float64Array(n * C);
  for (let k = 0; k < n; k++) {
    const off = (rows ? rows[k] : k) * D;
    let zmax = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = model.b[c];
      for (let d = 0; d < D; d++) s += model.W[c * D + d] * X.data[off + d];
      out[k * C + c] = s;
      if (s > zmax) zmax = s;
    }
    let sum = 0;
    for (let c = 0; c < C; c++) { const e = Math.exp(out[k * C + c] - zmax); out[k * C + c] = e; sum += e; }
    for (let c = 0; c < C; c++) out[k * C + c] /= sum;
  }
  return out;
}

/** Predicted class (argmax of the logits; first class on ties) for the given rows of X (all rows when omitted). */
export function predictLabels(model: ProbeModel, X: FeatureMatrix, rows?: ArrayLike<number>): Int32Array {
  const p = predictProba(model, X, rows);
  const C = model.numClasses;
  const out = new Int32Array(p.length / C);
  for (let k = 0; k < out.length; k++) {
    let arg = 0;
    for (let c = 1; c < C; c++) if (p[k * C + c] > p[k * C + arg]) arg = c;
    out[k] = arg;
  }
  return out;
}

/** Mean cross-entropy of the probe on the given rows (for tests and diagnostics). */
export function crossEntropy(model: ProbeModel, X: FeatureMatrix, labels: ArrayLike<number>, rows: ArrayLike<number>): number {
  const p = predictProba(model, X, rows);
  const C = model.numClasses;
  let s = 0;
  for (let k = 0; k < rows.length; k++) s -= Math.log(Math.max(p[k * C + labels[rows[k]]], 1e-300));
  return s / rows.length;
}
