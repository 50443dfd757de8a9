/**
 * Binary L2-regularised logistic regression on a few dense features (tens of columns, any number of
 * rows), fitted to convergence with L-BFGS: the objective of scikit-learn's
 * `LogisticRegression(C, solver="lbfgs")` on standardised columns,
 *
 *     minimise  Σ_i log(1 + exp(−s_i (w·z_i + b)))  +  ||w||² / (2C),   s_i = ±1, b not penalised,
 *
 * where z = (x − mean) / scale with each column's mean and population s.d. of the training rows. For
 * wide feature matrices with few rows use lib/probe/logistic.ts, which works in the rows' span.
 */
import { minimizeLbfgs } from "../linalg/lbfgs";

/** A fitted binary logistic model in terms of the raw columns' standardisation. */
export interface BinaryLogistic {
  /** Per column: mean and s.d. of the training rows (s.d. 1 for a constant column). */
  mean: number[];
  scale: number[];
  /** Weights of the standardised columns, and the intercept. */
  weights: number[];
  bias: number;
}

/**
 * Fit on `x` (row-major, `cols` columns) and labels `y` (0/1) with inverse regularisation `C` [1].
 * Deterministic. Throws on mismatched sizes, non-finite values, labels other than 0/1, or a single class.
 */
export function fitBinaryLogistic(x: ArrayLike<number>, y: ArrayLike<number>, cols: number, C = 1): BinaryLogistic {
  const n = y.length;
  if (!(cols >= 1) || x.length !== n * cols) throw new Error(`fitBinaryLogistic: ${x.length} values are not ${n} rows of ${cols} columns`);
  if (!(C > 0)) throw new Error(`fitBinaryLogistic: C must be > 0, got ${C}`);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`fitBinaryLogistic: label ${y[i]} at row ${i} is not 0 or 1`);
    pos += y[i];
  }
  if (pos === 0 || pos === n) throw new Error(`fitBinaryLogistic: all ${n} rows have label ${pos ? 1 : 0}; both classes are needed`);
  const mean = new Array<number>(cols).fill(0), scale = new Array<number>(cols).fill(0);
  for (let i = 0; i < n * cols; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`fitBinaryLogistic: value ${x[i]} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    mean[i % cols] += x[i] / n;
  }
  for (let i = 0; i < n * cols; i++) scale[i % cols] += (x[i] - mean[i % cols]) ** 2 / n;
  // A (numerically) constant column gets scale 1, as StandardScaler does, so it stays 0 after centring.
  for (let c = 0; c < cols; c++) { const sd = Math.sqrt(scale[c]); scale[c] = sd > 1e-10 * Math.max(1, Math.abs(mean[c])) ? sd : 1; }
  const z = new Float64Array(n * cols);
  for (let i = 0; i < n * cols; i++) z[i] = (x[i] - mean[i % cols]) / scale[i % cols];
  // Parameters: cols weights, then the bias.
  const objective = (p: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      let t = p[cols];
      for (let c = 0; c < cols; c++) t += p[c] * z[i * cols + c];
      const s = y[i] ? 1 : -1, m = s * t;
      // log(1 + e^−m), stably; d/dt = −s·σ(−m).
      f += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
      const d = -s / (1 + Math.exp(m));
      for (let c = 0; c < cols; c++) g[c] += d * z[i * cols + c];
      g[cols] += d;
    }
    for (let c = 0; c < cols; c++) { f += (p[c] * p[c]) / (2 * C); g[c] += p[c] / C; }
    return f;
  };
  const r = minimizeLbfgs(objective, new Float64Array(cols + 1), { gtol: 1e-9, maxIter: 5000 });
  return { mean, scale, weights: Array.from(r.x.subarray(0, cols)), bias: r.x[cols] };
}

/** Probability of class 1 for every row of `x` (row-major, the model's column count). Throws on a size mismatch. */
export function binaryLogisticProba(m: BinaryLogistic, x: ArrayLike<number>): Float64Array {
  const cols = m.weights.length;
  if (x.length % cols) throw new Error(`binaryLogisticProba: ${x.length} values are not rows of ${cols} columns`);
  const n = x.length / cols, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = m.bias;
    for (let c = 0; c < cols; c++) t += m.weights[c] * ((x[i * cols + c] - m.mean[c]) / m.scale[c]);
    out[i] = 1 / (1 + Math.exp(-t));
  }
  return out;
}
