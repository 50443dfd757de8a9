/**
 * Exact t-SNE (van der Maaten & Hinton, JMLR 2008) for the few hundred test images of a probe:
 * O(N²) per iteration, seeded. Optimisation as in the reference implementation and sklearn:
 * perplexity-calibrated Gaussian affinities (binary search on the precision), symmetrised P,
 * early exaggeration 12 for the first 250 iterations with momentum 0.5, then momentum 0.8,
 * per-coordinate gains (+0.2 / ×0.8, floor 0.01), learning rate max(N / 12 / 4, 50) (sklearn "auto"),
 * initial points N(0, 1e-4²).
 */
import { Rng } from "../util/rng";
import type { FeatureMatrix } from "../linalg/matrix";

/** t-SNE settings; defaults as in sklearn.manifold.TSNE. */
export interface TsneConfig {
  /** Perplexity (effective number of neighbours). Default 30; clamped to (N − 1) / 3. */
  perplexity?: number;
  /** Iterations. Default 1000. */
  iterations?: number;
  /** Early exaggeration factor and length. Defaults 12 and 250. */
  exaggeration?: number;
  exaggerationIters?: number;
  /** Learning rate. Default max(N / exaggeration / 4, 50). */
  learningRate?: number;
  /** Seed of the initial layout. Default 0. */
  seed?: number;
}

/** A 2-D embedding: `Y[2i], Y[2i+1]` are point i's coordinates. */
export interface TsneResult {
  Y: Float64Array;
  /** KL(P‖Q) at the end (without exaggeration). */
  kl: number;
  /** Perplexity actually used. */
  perplexity: number;
}

/** Squared Euclidean distances between all rows, [N×N]. */
export function squaredDistances(X: FeatureMatrix): Float64Array {
  const N = X.rows, D = X.cols, x = X.data;
  const sq = new Float64Array(N);
  for (let i = 0; i < N; i++) { let s = 0; for (let d = 0; d < D; d++) s += x[i * D + d] * x[i * D + d]; sq[i] = s; }
  const out = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      let dot = 0;
      const oi = i * D, oj = j * D;
      for (let d = 0; d < D; d++) dot += x[oi + d] * x[oj + d];
      const v = Math.max(0, sq[i] + sq[j] - 2 * dot);
      out[i * N + j] = v; out[j * N + i] = v;
    }
  }
  return out;
}

/** Row-conditional affinities p_{j|i} with entropy log(perplexity), by binary search on the precision β. */
export function conditionalAffinities(dist2: Float64Array, N: number, perplexity: number): Float64Array {
  const P = new Float64Array(N * N);
  const target = Math.log(perplexity);
  for (let i = 0; i < N; i++) {
    let beta = 1, lo = -Infinity, hi = Infinity;
    // Scale by the row's mean distance so β starts in a sensible range.
    let mean = 0;
    for (let j = 0; j < N; j++) if (j !== i) mean += dist2[i * N + j];
    mean /= Math.max(1, N - 1);
    const scale = mean > 0 ? mean : 1;
    for (let it = 0; it < 200; it++) {
      let sum = 0, hsum = 0;
      for (let j = 0; j < N; j++) {
        if (j === i) { P[i * N + j] = 0; continue; }
        const d = dist2[i * N + j] / scale;
        const p = Math.exp(-beta * d);
        P[i * N + j] = p; sum += p; hsum += beta * d * p;
      }
      if (sum === 0) { sum = 1e-300; }
      const H = Math.log(sum) + hsum / sum;
      for (let j = 0; j < N; j++) P[i * N + j] /= sum;
      const diff = H - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; }
      else { hi = beta; beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2; }
    }
  }
  return P;
}

/** Embed the rows of X in 2-D with exact t-SNE (deterministic per seed). Throws for fewer than 4 rows. */
export function tsne(X: FeatureMatrix, cfg: TsneConfig = {}): TsneResult {
  const N = X.rows;
  if (N < 4) throw new Error(`tsne: need at least 4 points, got ${N}`);
  const perplexity = Math.min(cfg.perplexity ?? 30, (N - 1) / 3);
  const iters = cfg.iterations ?? 1000;
  const exag = cfg.exaggeration ?? 12;
  const exagIters = cfg.exaggerationIters ?? 250;
  const lr = cfg.learningRate ?? Math.max(N / exag / 4, 50);
  const cond = conditionalAffinities(squaredDistances(X), N, perplexity);
  const P = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) P[i * N + j] = Math.max((cond[i * N + j] + cond[j * N + i]) / (2 * N), 1e-12);
  const rng = new Rng(cfg.seed ?? 0).fork("tsne-init");
  const Y = new Float64Array(2 * N);
  for (let k = 0; k < Y.length; k++) Y[k] = rng.normal(0, 1e-4);
  const upd = new Float64Array(2 * N), gains = new Float64Array(2 * N).fill(1), grad = new Float64Array(2 * N);
  const num = new Float64Array(N * N);
  let kl = NaN;
  for (let it = 0; it < iters; it++) {
    const ex = it < exagIters ? exag : 1;
    const momentum = it < exagIters ? 0.5 : 0.8;
    let Z = 0;
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        const dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        num[i * N + j] = q; num[j * N + i] = q; Z += 2 * q;
      }
    }
    grad.fill(0);
    for (let i = 0; i < N; i++) {
      let gx = 0, gy = 0;
      for (let j = 0; j < N; j++) {
        if (j === i) continue;
        const q = num[i * N + j];
        const m = (ex * P[i * N + j] - q / Z) * q;
        gx += m * (Y[2 * i] - Y[2 * j]); gy += m * (Y[2 * i + 1] - Y[2 * j + 1]);
      }
      grad[2 * i] = 4 * gx; grad[2 * i + 1] = 4 * gy;
    }
    for (let k = 0; k < 2 * N; k++) {
      gains[k] = Math.sign(grad[k]) !== Math.sign(upd[k]) ? gains[k] + 0.2 : gains[k] * 0.8;
      if (gains[k] < 0.01) gains[k] = 0.01;
      upd[k] = momentum * upd[k] - lr * gains[k] * grad[k];
      Y[k] += upd[k];
    }
    // Keep the layout centred.
    let mx = 0, my = 0;
    for (let i = 0; i < N; i++) { mx += Y[2 * i]; my += Y[2 * i + 1]; }
    mx /= N; my /= N;
    for (let i = 0; i < N; i++) { Y[2 * i] -= mx; Y[2 * i + 1] -= my; }
    if (it === iters - 1) {
      kl = 0;
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
        if (i === j) continue;
        const p = P[i * N + j], q = Math.max(num[i * N + j] / Z, 1e-300);
        kl += p * Math.log(p / q);
      }
    }
  }
  return { Y, kl, perplexity };
}

/**
 * Fraction of each point's k nearest neighbours in X that are also among its k nearest neighbours
 * in the embedding Y (averaged over points): 1 = neighbourhoods perfectly preserved.
 */
export function knnPreservation(X: FeatureMatrix, Y: Float64Array, k: number): number {
  const N = X.rows;
  const dx = squaredDistances(X);
  const dy = squaredDistances({ data: Y, rows: N, cols: 2 });
  const nearest = (d: Float64Array, i: number): number[] =>
    Array.from({ length: N }, (_, j) => j).filter((j) => j !== i).sort((a, b) => d[i * N + a] - d[i * N + b]).slice(0, k);
  let s = 0;
  for (let i = 0; i < N; i++) {
    const a = new Set(nearest(dx, i));
    s += nearest(dy, i).filter((j) => a.has(j)).length / k;
  }
  return s / N;
}
