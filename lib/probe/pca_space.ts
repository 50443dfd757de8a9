/**
 * A compact distance space for a pool of feature rows: standardise every feature over the pool, then
 * project onto the pool's top principal axes (randomised subspace iteration, seeded), optionally
 * whitened. Why: 2048-D ResNet features have many near-constant, noisy directions; Euclidean
 * distances in a few dozen principal components follow the image content far better, and every
 * distance costs 30 multiplications instead of 2048.
 */
import type { FeatureMatrix } from "../linalg/matrix";
import { Rng } from "../util/rng";

/** Settings of {@link pcaSpace}. */
export interface PcaSpaceConfig {
  /** Principal components kept: min(this, rows − 1, cols). Default 32. */
  dims?: number;
  /** Scale every component to unit variance (whitening). Default false (keep the variances). */
  whiten?: boolean;
  /** Power iterations of the randomised subspace iteration. Default 4. */
  powerIterations?: number;
  /** Seed of the random start. Default 0. */
  seed?: number;
}

/** Rows projected into principal components: `data[i·dims + k]`, float64. */
export interface PcaSpace {
  readonly data: Float64Array;
  readonly rows: number;
  readonly dims: number;
  /** Variance of each kept component (descending). */
  readonly variance: Float64Array;
}

/** Orthonormalise the columns of A (m × p, row-major) in place by modified Gram–Schmidt; columns that vanish become 0. */
function orthonormalize(A: Float64Array, m: number, p: number): void {
  for (let j = 0; j < p; j++) {
    for (let q = 0; q < j; q++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += A[i * p + j] * A[i * p + q];
      for (let i = 0; i < m; i++) A[i * p + j] -= dot * A[i * p + q];
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += A[i * p + j] * A[i * p + j];
    nrm = Math.sqrt(nrm);
    const inv = nrm > 1e-10 ? 1 / nrm : 0;
    for (let i = 0; i < m; i++) A[i * p + j] *= inv;
  }
}

/** Eigen-decomposition of a symmetric p × p matrix by cyclic Jacobi: eigenvalues (descending) and eigenvectors as columns. */
export function symmetricEigen(S: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(S), V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) { const a = A[i * p + j] * A[i * p + j]; total += a; if (i !== j) off += a; }
    if (off <= 1e-24 * Math.max(total, 1e-300)) break;
    for (let a = 0; a < p - 1; a++) {
      for (let b = a + 1; b < p; b++) {
        const apq = A[a * p + b];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[b * p + b] - A[a * p + a]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < p; k++) {
          const akp = A[k * p + a], akq = A[k * p + b];
          A[k * p + a] = c * akp - s * akq; A[k * p + b] = s * akp + c * akq;
        }
        for (let k = 0; k < p; k++) {
          const apk = A[a * p + k], aqk = A[b * p + k];
          A[a * p + k] = c * apk - s * aqk; A[b * p + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < p; k++) {
          const vkp = V[k * p + a], vkq = V[k * p + b];
          V[k * p + a] = c * vkp - s * vkq; V[k * p + b] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((i, j) => A[j * p + j] - A[i * p + i]);
  const values = new Float64Array(p), vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = A[src * p + src];
    for (let k = 0; k < p; k++) vectors[k * p + dst] = V[k * p + src];
  });
  return { values, vectors };
}

/**
 * Project rows `rows` of X (all when omitted) into their top principal components after
 * standardising each feature over those rows (constant features are dropped). Deterministic for a seed.
 * Throws when no rows are given.
 */
export function pcaSpace(X: FeatureMatrix, rows?: ArrayLike<number>, cfg: PcaSpaceConfig = {}): PcaSpace {
  const idx = rows ?? Array.from({ length: X.rows }, (_, i) => i);
  const n = idx.length, D = X.cols;
  if (n === 0) throw new Error("pcaSpace: no rows");
  // Standardise (population std; constant columns are dropped rather than divided by ~0).
  const mean = new Float64Array(D), sq = new Float64Array(D);
  for (let k = 0; k < n; k++) { const o = idx[k] * D; for (let d = 0; d < D; d++) mean[d] += X.data[o + d]; }
  for (let d = 0; d < D; d++) mean[d] /= n;
  for (let k = 0; k < n; k++) { const o = idx[k] * D; for (let d = 0; d < D; d++) { const t = X.data[o + d] - mean[d]; sq[d] += t * t; } }
  const keep: number[] = [];
  for (let d = 0; d < D; d++) if (Math.sqrt(sq[d] / n) > 1e-8 * (1 + Math.abs(mean[d]))) keep.push(d);
  const Dk = keep.length;
  const Xs = new Float64Array(n * Dk);
  for (let k = 0; k < n; k++) {
    const o = idx[k] * D;
    for (let j = 0; j < Dk; j++) { const d = keep[j]; Xs[k * Dk + j] = (X.data[o + d] - mean[d]) / Math.sqrt(sq[d] / n); }
  }
  const dims = Math.max(0, Math.min(cfg.dims ?? 32, n - 1, Dk));
  if (dims === 0) return { data: new Float64Array(0), rows: n, dims: 0, variance: new Float64Array(0) };
  const p = Math.min(dims + 8, n, Dk);
  const rng = new Rng(cfg.seed ?? 0).fork("pca");
  // Y = Xs·Ω, then power iterations Y ← Xs·(Xsᵀ·Y), orthonormalised each time.
  const Om = new Float64Array(Dk * p);
  for (let i = 0; i < Om.length; i++) Om[i] = rng.normal();
  const Y = new Float64Array(n * p), Zt = new Float64Array(Dk * p);
  const mulXs = (B: Float64Array, out: Float64Array): void => { // out (n×p) = Xs (n×Dk) · B (Dk×p)
    out.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < Dk; j++) { const x = Xs[i * Dk + j]; if (x === 0) continue; for (let c = 0; c < p; c++) out[i * p + c] += x * B[j * p + c]; }
  };
  const mulXsT = (A: Float64Array, out: Float64Array): void => { // out (Dk×p) = Xsᵀ · A (n×p)
    out.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < Dk; j++) { const x = Xs[i * Dk + j]; if (x === 0) continue; for (let c = 0; c < p; c++) out[j * p + c] += x * A[i * p + c]; }
  };
  mulXs(Om, Y); orthonormalize(Y, n, p);
  for (let it = 0; it < (cfg.powerIterations ?? 4); it++) {
    mulXsT(Y, Zt); orthonormalize(Zt, Dk, p);
    mulXs(Zt, Y); orthonormalize(Y, n, p);
  }
  // Rayleigh–Ritz: B = Qᵀ·Xs (p × Dk); B·Bᵀ = U·Σ²·Uᵀ; scores = Q·U·Σ (= Xs·V).
  mulXsT(Y, Zt); // Zt = Xsᵀ·Q = Bᵀ
  const S = new Float64Array(p * p);
  for (let a = 0; a < p; a++) for (let b = a; b < p; b++) {
    let s = 0;
    for (let j = 0; j < Dk; j++) s += Zt[j * p + a] * Zt[j * p + b];
    S[a * p + b] = S[b * p + a] = s;
  }
  const { values, vectors } = symmetricEigen(S, p);
  const out = new Float64Array(n * dims), variance = new Float64Array(dims);
  for (let c = 0; c < dims; c++) {
    const sv = Math.sqrt(Math.max(values[c], 0));
    variance[c] = (sv * sv) / n;
    const scale = cfg.whiten ? (sv > 1e-12 ? Math.sqrt(n) : 0) : sv;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += Y[i * p + a] * vectors[a * p + c];
      out[i * dims + c] = s * scale;
    }
  }
  return { data: out, rows: n, dims, variance };
}

/** Euclidean distance matrix (n × n, float64) of the rows of a PCA space. */
export function distanceMatrix(s: PcaSpace): Float64Array {
  const { data, rows: n, dims } = s;
  const Dm = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    let t = 0;
    for (let d = 0; d < dims; d++) { const u = data[i * dims + d] - data[j * dims + d]; t += u * u; }
    Dm[i * n + j] = Dm[j * n + i] = Math.sqrt(t);
  }
  return Dm;
}
