/**
 * The strong honest head: L2-regularised logistic regression on standardised features, fitted to
 * convergence with L-BFGS — the objective of scikit-learn's `LogisticRegression(C)` (lbfgs):
 *
 *     minimise  Σ_i −log softmax(W·x_i + b)[y_i]  +  ||W||² / (2C)      (b not penalised)
 *
 * multinomial for K ≥ 3 classes; for K = 2 one weight vector (class 0's logit fixed at 0), as
 * scikit-learn fits binary problems.
 *
 * Why it is fast on typed arrays: with few labelled images and thousands of feature dimensions
 * (n ≪ D), the optimal W lies in the span of the n training rows (representer theorem), so the fit
 * runs in an r ≤ n dimensional basis Z with Z·Zᵀ = X·Xᵀ (pivoted Cholesky of the Gram matrix). The
 * problem in Z is the same problem, exactly: same loss, same penalty, same optimum; the primal
 * weights are recovered at the end (W = Xpᵀ·L₁₁⁻ᵀ·W_z). Cross-validation folds reuse Z's rows.
 *
 * Why it converges in few iterations: Z is then rotated onto its principal axes (Z·V, V the
 * eigenvectors of ZᵀZ; still the same problem, since V is orthogonal), so its columns are orthogonal
 * with squared norms λ_k, and the Hessian is close to diagonal there: about s·λ_k + 1/C per weight.
 * L-BFGS starts from that diagonal ({@link CURVATURE_GUESS} for s). Frozen CNN features have
 * eigenvalues spread over five decades, and on them this cut the evaluations per fit 1.5–15×
 * (README, "Probe speed").
 */
import { minimizeLbfgs } from "../linalg/lbfgs";
import { symmetricEigen } from "../linalg/eigh";
import { type ProductWorkspace, matmulTransB, productWorkspace, simdModule } from "./simd_kernels";
import type { FeatureMatrix } from "../linalg/matrix";
import { Rng } from "../util/rng";
import { byClass } from "../stats/splits";

/** A fitted logistic-regression head, in the original feature space. */
export interface LogisticModel {
  readonly numClasses: number;
  readonly dim: number;
  /** Standardisation applied before the weights (mean, std per feature); identity when not standardising. */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Weights on standardised features, class-major: `W[c·D + d]`. */
  readonly W: Float64Array;
  readonly b: Float64Array;
  /** Inverse regularisation strength used. */
  readonly C: number;
  /** How C was chosen: "cv" (k-fold on the labelled rows), "default" (too few labels for CV) or "given". */
  readonly cSource: "cv" | "default" | "given";
  /** With "cv": the mean held-out log-loss of every candidate, in `cGrid` order (NaN: not evaluated, see `cvPatience`). */
  readonly cvLoss?: number[];
  /** L-BFGS iterations of the final fit, and whether it met the gradient tolerance. */
  readonly iterations: number;
  readonly converged: boolean;
}

/** Settings of {@link fitLogistic}. */
export interface LogisticConfig {
  /**
   * Inverse L2 strength. A number fixes it; "cv" (default) picks it from `cGrid` by stratified k-fold
   * cross-validated log-loss on the training rows when every class has ≥ 2 of them, else uses `defaultC`.
   */
  C?: number | "cv";
  /** Candidates for "cv". Default {@link DEFAULT_C_GRID}. */
  cGrid?: number[];
  /** C when CV is impossible (a class with one labelled image). Default 1 (scikit-learn's default). */
  defaultC?: number;
  /** Folds of the CV: min(this, smallest class count). Default 5. */
  folds?: number;
  /**
   * Feature scaling before the fit, from the features of `statsRows`:
   * - "standard": per-feature mean/std, as scikit-learn's StandardScaler;
   * - "scalar": centred, and every feature divided by one common scale (the root mean feature
   *   variance), so C means the same for any encoder but the features keep their relative sizes —
   *   per-feature scaling lifts thousands of near-silent ResNet channels to the weight of the
   *   informative ones, which costs accuracy with few labels (README, "How the defaults were chosen");
   * - "none": raw features.
   * Default "standard".
   */
  scaling?: "standard" | "scalar" | "none";
  /**
   * Rows whose features give the standardisation's mean/std. Default: the training rows (as a
   * StandardScaler fitted on the labelled images). The honest sweep passes the whole unlabelled
   * training pool: features only, never labels, and with one or two labels per class a scaler
   * fitted on those alone makes every feature ±1.
   */
  statsRows?: ArrayLike<number>;
  /** Gradient tolerance of L-BFGS (max |g| relative to max(1, |f|)) for the final fit. Default 1e-7. */
  gtol?: number;
  /**
   * The same for the cross-validation fits, which only rank the candidates. Default 1e-4: with it
   * (and cvPatience 1) every fit we compared on the real EMPS and the virus-like features picked the
   * same C as 1e-5 over the whole grid (README, "Probe speed").
   */
  cvGtol?: number;
  /**
   * Stop walking the C grid (strongest regularisation first) once the CV loss has not improved for
   * this many consecutive candidates: held-out log-loss is unimodal in C in every fit we measured,
   * and the weakly regularised end costs the most iterations. Default 1; Infinity walks the whole grid.
   */
  cvPatience?: number;
  /** Seed of the CV fold assignment. Default 0. */
  seed?: number;
  /**
   * Where the objective's matrix products run: "auto" (default) on WebAssembly SIMD when the runtime
   * has it (lib/probe/simd_kernels.ts), else plain JavaScript; "js" forces the JavaScript loops.
   * The two agree to rounding (tested).
   */
  kernels?: "auto" | "js";
}

/**
 * C candidates for cross-validation, strongest regularisation first, one per decade. With frozen
 * features and few labels the data are nearly separable and accuracy moves little with C (README,
 * "How the defaults were chosen"); half-decade steps cost twice the time for no measured gain.
 */
export const DEFAULT_C_GRID: readonly number[] = [1e-4, 1e-3, 1e-2, 0.1, 1, 10];

/** A reduced basis of some rows: Z (rows × r, row-major) with Z·Zᵀ = the rows' Gram matrix. */
interface Basis {
  /** Row k of Z belongs to `rows[k]`. */
  Z: Float64Array;
  r: number;
  /** Positions (into the rows list) of the pivot rows, in pivot order (the first r form L₁₁). */
  piv: number[];
}

/** Standardised copy of the given rows (n × D, float64). */
function standardizedRows(X: FeatureMatrix, rows: ArrayLike<number>, mean: Float64Array, std: Float64Array): Float64Array {
  const D = X.cols, out = new Float64Array(rows.length * D);
  for (let k = 0; k < rows.length; k++) {
    const off = rows[k] * D, o = k * D;
    for (let d = 0; d < D; d++) out[o + d] = (X.data[off + d] - mean[d]) / std[d];
  }
  return out;
}

/**
 * Mean and std (population; std < 1e-8 → 1) of the given rows, as scikit-learn's StandardScaler; with
 * `scalar`, every std is the root mean variance instead.
 */
function statsOf(X: FeatureMatrix, rows: ArrayLike<number>, scalar = false): { mean: Float64Array; std: Float64Array } {
  const D = X.cols, n = rows.length;
  const mean = new Float64Array(D), sq = new Float64Array(D);
  for (let k = 0; k < n; k++) { const off = rows[k] * D; for (let d = 0; d < D; d++) mean[d] += X.data[off + d]; }
  for (let d = 0; d < D; d++) mean[d] /= n;
  for (let k = 0; k < n; k++) { const off = rows[k] * D; for (let d = 0; d < D; d++) { const t = X.data[off + d] - mean[d]; sq[d] += t * t; } }
  const std = new Float64Array(D);
  if (scalar) {
    let v = 0;
    for (let d = 0; d < D; d++) v += sq[d] / n;
    const s = Math.sqrt(v / D);
    std.fill(s < 1e-8 ? 1 : s);
    return { mean, std };
  }
  for (let d = 0; d < D; d++) { const s = Math.sqrt(sq[d] / n); std[d] = s < 1e-8 ? 1 : s; }
  return { mean, std };
}

/** Pivoted Cholesky of the Gram matrix of `Xs` (n × D): Z with Z·Zᵀ = Xs·Xsᵀ, rank-truncated at a relative 1e-10. */
function gramBasis(Xs: Float64Array, n: number, D: number, simd: boolean): Basis {
  const G = matmulTransB(Xs, n, D, Xs, n, simd);
  const diag = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) { diag[i] = G[i * n + i]; maxDiag = Math.max(maxDiag, diag[i]); }
  const L = new Float64Array(n * n); // L[row * n + k], rows in original order
  const order = Array.from({ length: n }, (_, i) => i);
  let r = 0;
  for (let k = 0; k < n; k++) {
    let best = k;
    for (let j = k + 1; j < n; j++) if (diag[order[j]] > diag[order[best]]) best = j;
    [order[k], order[best]] = [order[best], order[k]];
    const p = order[k];
    if (!(diag[p] > 1e-10 * maxDiag) || maxDiag === 0) break;
    const lkk = Math.sqrt(diag[p]);
    L[p * n + k] = lkk;
    for (let j = k + 1; j < n; j++) {
      const i = order[j];
      let s = G[i * n + p];
      for (let t = 0; t < k; t++) s -= L[i * n + t] * L[p * n + t];
      const v = s / lkk;
      L[i * n + k] = v;
      diag[i] -= v * v;
    }
    r = k + 1;
  }
  if (r === 0) r = 1; // all-zero rows (constant features): a 1-D zero basis still fits the intercept
  const Z = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let t = 0; t < r; t++) Z[i * r + t] = L[i * n + t];
  return { Z, r, piv: order.slice(0, r) };
}

/**
 * Rotate Z (n × r) onto its principal axes: Z·V with V the eigenvectors of ZᵀZ, so the columns are
 * orthogonal with squared norms the eigenvalues. Returns the rotated basis and V (rows: eigenvectors,
 * `V[k·r + t]`), which maps weights back: W_z[t] = Σ_k V[k·r + t]·W_rot[k].
 */
function principalAxes(Z: Float64Array, n: number, r: number, simd: boolean): { Zr: Float64Array; V: Float64Array } {
  const Zt = new Float64Array(r * n);
  for (let i = 0; i < n; i++) for (let a = 0; a < r; a++) Zt[a * n + i] = Z[i * r + a];
  const V = symmetricEigen(matmulTransB(Zt, r, n, Zt, r, simd), r).vectors;
  return { Zr: matmulTransB(Z, n, r, V, r, simd), V };
}

/**
 * Parameter columns for K classes: K for the multinomial model, 1 for two classes, where (as in
 * scikit-learn's binary LogisticRegression) class 0 has logit 0 and one weight vector scores class 1.
 * The parametrisations differ in what the penalty sees, so this is what makes C mean the same thing.
 */
function paramCols(K: number): number {
  return K === 2 ? 1 : K;
}

/**
 * Softmax curvature assumed by the preconditioner: the Hessian of weight (k, c) is taken as
 * s·λ_k + 1/C (λ_k the squared column norm). The true s is p(1 − p) averaged over the rows, below
 * 0.25 and smaller the better the classes separate; 0.05 needed the fewest evaluations over
 * {0.01, 0.02, 0.05, 0.1, 0.25} on frozen ImageNet and random-CNN features of the virus-like set.
 */
export const CURVATURE_GUESS = 0.05;

/**
 * Logits of row i of Z (n × r) into z (K values) for θ = [W (P × r, class-major), b (P)], P =
 * {@link paramCols}(K).
 */
function logitsZ(Z: Float64Array, r: number, i: number, theta: Float64Array, K: number, z: Float64Array): void {
  const P = paramCols(K), bOff = r * P, zi = i * r;
  const off = K === 2 ? 1 : 0;
  if (K === 2) z[0] = 0;
  for (let c = 0; c < P; c++) {
    const wo = c * r;
    let s = theta[bOff + c];
    for (let t = 0; t < r; t++) s += Z[zi + t] * theta[wo + t];
    z[c + off] = s;
  }
}

/**
 * The penalised loss and its gradient on rows `idx` of the workspace's Z (n × r), θ = [W (P × r,
 * class-major), b (P)]. The two matrix products run in the workspace (SIMD or plain JavaScript); the
 * softmax, loss and penalty here.
 */
function objective(ws: ProductWorkspace, r: number, y: ArrayLike<number>, idx: ArrayLike<number>, K: number, C: number) {
  const P = paramCols(K), off = K === 2 ? 1 : 0, bOff = r * P, inv = 1 / C;
  const { W, out, G, Pp, rs } = ws;
  const z = new Float64Array(K);
  return (theta: Float64Array, grad: Float64Array): number => {
    for (let c = 0; c < P; c++) W.set(theta.subarray(c * r, c * r + r), c * rs);
    const m = ws.setRows(idx);
    ws.logits(m);
    grad.fill(0);
    let loss = 0;
    for (let q = 0; q < idx.length; q++) {
      if (K === 2) z[0] = 0;
      for (let c = 0; c < P; c++) z[c + off] = out[q * Pp + c] + theta[bOff + c];
      let mx = -Infinity;
      for (let c = 0; c < K; c++) if (z[c] > mx) mx = z[c];
      let sum = 0;
      for (let c = 0; c < K; c++) { z[c] = Math.exp(z[c] - mx); sum += z[c]; }
      const yi = y[idx[q]];
      loss -= Math.log(z[yi] / sum);
      for (let c = 0; c < P; c++) {
        const g = z[c + off] / sum - (c + off === yi ? 1 : 0);
        G[q * Pp + c] = g;
        grad[bOff + c] += g;
      }
    }
    for (let q = idx.length; q < m; q++) for (let c = 0; c < P; c++) G[q * Pp + c] = 0;
    ws.gradient(m);
    const gw = ws.grad;
    for (let c = 0; c < P; c++) for (let t = 0; t < r; t++) grad[c * r + t] = gw[c * rs + t];
    let reg = 0;
    for (let j = 0; j < bOff; j++) { reg += theta[j] * theta[j]; grad[j] += theta[j] * inv; }
    return loss + 0.5 * reg * inv;
  };
}

/** Squared norm of each column of Z (n × r) over rows `idx`. */
function columnNorms(Z: Float64Array, r: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(r);
  for (let q = 0; q < idx.length; q++) { const zi = idx[q] * r; for (let t = 0; t < r; t++) out[t] += Z[zi + t] * Z[zi + t]; }
  return out;
}

/** The diagonal preconditioner for C on rows with squared column norms `cn` (see {@link CURVATURE_GUESS}). */
function preconditioner(cn: Float64Array, rows: number, K: number, C: number): Float64Array {
  const r = cn.length, P = paramCols(K), h = new Float64Array((r + 1) * P);
  for (let c = 0; c < P; c++) for (let t = 0; t < r; t++) h[c * r + t] = 1 / (CURVATURE_GUESS * cn[t] + 1 / C);
  for (let c = 0; c < P; c++) h[r * P + c] = 1 / (CURVATURE_GUESS * Math.max(1, rows));
  return h;
}

/** Stratified fold of each of the labels `y` (seeded): per class, a shuffled round-robin over `folds`. */
export function cvFolds(y: ArrayLike<number>, K: number, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(y.length);
  const rng = new Rng(seed).fork("logistic-cv");
  byClass(y, K).forEach((rows, c) => rng.fork(c).shuffle(rows.slice()).forEach((i, k) => { fold[i] = k % folds; }));
  return fold;
}

/**
 * Mean held-out log-loss of stratified k-fold CV for each C, strongest first, every fold warm-started
 * from its fit at the previous C; stops after `patience` candidates without improvement (the rest NaN).
 */
function cvLogLoss(Z: Float64Array, r: number, ws: ProductWorkspace, y: number[], K: number, grid: readonly number[], folds: number, seed: number, gtol: number, patience: number): number[] {
  const n = y.length;
  const fold = cvFolds(y, K, folds, seed);
  const parts = Array.from({ length: folds }, (_, f) => {
    const train: number[] = [], held: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : train).push(i);
    return { train, held, cn: columnNorms(Z, r, train), theta: new Float64Array((r + 1) * paramCols(K)) };
  });
  const losses: number[] = new Array(grid.length).fill(NaN);
  const z = new Float64Array(K);
  let best = Infinity, worse = 0;
  for (let gi = 0; gi < grid.length; gi++) {
    const C = grid[gi];
    let total = 0;
    for (const { train, held, cn, theta } of parts) {
      minimizeLbfgs(objective(ws, r, y, train, K, C), theta, { gtol, h0: preconditioner(cn, train.length, K, C) });
      for (const i of held) {
        logitsZ(Z, r, i, theta, K, z);
        let mx = -Infinity;
        for (let c = 0; c < K; c++) if (z[c] > mx) mx = z[c];
        let sum = 0;
        for (let c = 0; c < K; c++) sum += Math.exp(z[c] - mx);
        total += Math.log(sum) + mx - z[y[i]];
      }
    }
    losses[gi] = total / n;
    if (losses[gi] < best - 1e-12) { best = losses[gi]; worse = 0; } else if (++worse >= patience) break;
  }
  return losses;
}

/**
 * Fit the head on rows `train` of `X` with labels `labels[row]` in [0, K). Deterministic for a seed.
 * Throws when fewer than 2 classes are present among the training rows or a label is out of range.
 */
export function fitLogistic(X: FeatureMatrix, labels: ArrayLike<number>, K: number, train: ArrayLike<number>, cfg: LogisticConfig = {}): LogisticModel {
  const n = train.length, D = X.cols;
  const y: number[] = [];
  const seen = new Set<number>();
  for (let k = 0; k < n; k++) {
    const v = labels[train[k]];
    if (!(Number.isInteger(v) && v >= 0 && v < K)) throw new Error(`fitLogistic: label ${v} of row ${train[k]} is not in [0, ${K})`);
    y.push(v); seen.add(v);
  }
  if (seen.size < 2) throw new Error(`fitLogistic: the training rows hold ${seen.size} class(es); a classifier needs at least 2`);
  const scaling = cfg.scaling ?? "standard";
  const { mean, std } = scaling === "none" ? { mean: new Float64Array(D), std: new Float64Array(D).fill(1) } : statsOf(X, cfg.statsRows ?? train, scaling === "scalar");
  const Xs = standardizedRows(X, train, mean, std);
  const simd = cfg.kernels !== "js" && simdModule() !== null;
  const chol = gramBasis(Xs, n, D, simd);
  const { Zr, V } = principalAxes(chol.Z, n, chol.r, simd);
  const ws = productWorkspace(Zr, n, chol.r, paramCols(K), simd);
  const gtol = cfg.gtol ?? 1e-7;
  let C: number, cSource: LogisticModel["cSource"], cvLoss: number[] | undefined;
  const minCount = Math.min(...byClass(y, K).filter((rows) => rows.length > 0).map((rows) => rows.length));
  if (typeof cfg.C === "number") {
    if (!(cfg.C > 0)) throw new Error(`fitLogistic: C must be > 0, got ${cfg.C}`);
    C = cfg.C; cSource = "given";
  } else if (minCount >= 2) {
    const grid = cfg.cGrid ?? DEFAULT_C_GRID;
    const patience = cfg.cvPatience ?? 1;
    if (!(patience >= 1)) throw new Error(`fitLogistic: cvPatience must be ≥ 1, got ${patience}`);
    const losses = cvLoss = cvLogLoss(Zr, chol.r, ws, y, K, grid, Math.min(cfg.folds ?? 5, minCount), cfg.seed ?? 0, cfg.cvGtol ?? 1e-4, patience);
    let best = 0;
    for (let g = 1; g < grid.length; g++) if (losses[g] < losses[best] - 1e-12) best = g;
    C = grid[best]; cSource = "cv";
  } else {
    C = cfg.defaultC ?? 1; cSource = "default";
  }
  const { Z, r, piv } = chol;
  const P = paramCols(K), off = K === 2 ? 1 : 0;
  const theta = new Float64Array((r + 1) * P);
  const all = Array.from({ length: n }, (_, i) => i);
  const res = minimizeLbfgs(objective(ws, r, y, all, K, C), theta, { gtol, h0: preconditioner(columnNorms(Zr, r, all), n, K, C) });
  // Undo the rotation: W_z (r × P, row-major) = V·W_rot.
  const Wz = new Float64Array(r * P);
  for (let k = 0; k < r; k++) {
    const vk = k * r;
    for (let c = 0; c < P; c++) {
      const w = theta[c * r + k];
      if (w === 0) continue;
      for (let t = 0; t < r; t++) Wz[t * P + c] += V[vk + t] * w;
    }
  }
  // Back to the primal: M = L₁₁⁻ᵀ·W_z (L₁₁ᵀ upper triangular: back substitution), W = Xpᵀ·M.
  const M = new Float64Array(r * P);
  for (let k = r - 1; k >= 0; k--) {
    const lkk = Z[piv[k] * r + k];
    for (let c = 0; c < P; c++) {
      let s = Wz[k * P + c];
      for (let t = k + 1; t < r; t++) s -= Z[piv[t] * r + k] * M[t * P + c];
      M[k * P + c] = s / lkk;
    }
  }
  // Two classes: class 0 keeps zero weights and bias (its logit is 0).
  const W = new Float64Array(K * D), b = new Float64Array(K);
  for (let k = 0; k < r; k++) {
    const xo = piv[k] * D;
    for (let c = 0; c < P; c++) {
      const m = M[k * P + c];
      if (m === 0) continue;
      const wo = (c + off) * D;
      for (let d = 0; d < D; d++) W[wo + d] += m * Xs[xo + d];
    }
  }
  for (let c = 0; c < P; c++) b[c + off] = theta[r * P + c];
  return { numClasses: K, dim: D, mean, std, W, b, C, cSource, cvLoss, iterations: res.iterations, converged: res.converged };
}

/** Class probabilities [rows.length × K] (row-major) of the model on rows of X (all rows when omitted). */
export function logisticProba(model: LogisticModel, X: FeatureMatrix, rows?: ArrayLike<number>): Float64Array {
  const { W, b, mean, std, numClasses: K, dim: D } = model;
  if (X.cols !== D) throw new Error(`logisticProba: features have ${X.cols} columns, the model ${D}`);
  const m = rows ? rows.length : X.rows;
  const out = new Float64Array(m * K);
  const xs = new Float64Array(D);
  for (let q = 0; q < m; q++) {
    const off = (rows ? rows[q] : q) * D;
    for (let d = 0; d < D; d++) xs[d] = (X.data[off + d] - mean[d]) / std[d];
    let mx = -Infinity;
    for (let c = 0; c < K; c++) {
      let s = b[c];
      const wo = c * D;
      for (let d = 0; d < D; d++) s += W[wo + d] * xs[d];
      out[q * K + c] = s;
      if (s > mx) mx = s;
    }
    let sum = 0;
    for (let c = 0; c < K; c++) { const e = Math.exp(out[q * K + c] - mx); out[q * K + c] = e; sum += e; }
    for (let c = 0; c < K; c++) out[q * K + c] /= sum;
  }
  return out;
}

/** Arg-max labels of {@link logisticProba}. */
export function predictLogistic(model: LogisticModel, X: FeatureMatrix, rows?: ArrayLike<number>): number[] {
  const p = logisticProba(model, X, rows), K = model.numClasses;
  const out: number[] = [];
  for (let q = 0; q < p.length / K; q++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (p[q * K + c] > p[q * K + best]) best = c;
    out.push(best);
  }
  return out;
}
