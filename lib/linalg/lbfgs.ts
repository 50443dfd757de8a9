/**
 * Limited-memory BFGS for smooth unconstrained minimisation on Float64Arrays (two-loop recursion,
 * backtracking Armijo line search). Used by the logistic-regression head, whose objective is smooth
 * and strongly convex, so a simple line search is enough and every run converges.
 */

/** Objective: writes the gradient at `x` into `grad` and returns the value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** L-BFGS settings. */
export interface LbfgsOptions {
  /** Stop when max |gradient| ≤ gtol · max(1, |f|). Default 1e-7. */
  gtol?: number;
  /** Iteration budget. Default 1000. */
  maxIter?: number;
  /** Correction pairs kept. Default 10. */
  memory?: number;
  /**
   * Diagonal of an initial inverse-Hessian guess, one entry per variable (a preconditioner). The
   * two-loop recursion starts from γ·diag(h0) instead of γ·I, with γ = sᵀy / yᵀ·diag(h0)·y, and the
   * first step is −diag(h0)·g. Changes the path, not the optimum. Default: none (identity).
   */
  h0?: Float64Array;
}

/** Result of {@link minimizeLbfgs}. `x` is the (in-place updated) start vector. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (v > m) m = v; }
  return m;
}

/**
 * Minimise `f` from `x0` (updated in place and returned as `x`). Deterministic: no randomness.
 * Throws when the objective returns a non-finite value at the start point.
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const gtol = opts.gtol ?? 1e-7, maxIter = opts.maxIter ?? 1000, m = opts.memory ?? 10, h0 = opts.h0;
  const n = x0.length;
  if (h0 && h0.length !== n) throw new Error(`minimizeLbfgs: h0 has ${h0.length} entries for ${n} variables`);
  const x = x0;
  let g = new Float64Array(n);
  let fx = f(x, g);
  if (!Number.isFinite(fx)) throw new Error(`minimizeLbfgs: objective is ${fx} at the start point`);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n), xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let it = 0;
  for (; it < maxIter; it++) {
    if (maxAbs(g) <= gtol * Math.max(1, Math.abs(fx))) return { x, value: fx, iterations: it, converged: true };
    // Two-loop recursion: d = −H·g.
    d.set(g);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d);
      const yk = Y[k];
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * yk[i];
    }
    if (h0) {
      let gamma = 1;
      if (S.length) {
        const yk = Y[Y.length - 1];
        let yhy = 0;
        for (let i = 0; i < n; i++) yhy += yk[i] * h0[i] * yk[i];
        gamma = dot(S[S.length - 1], yk) / yhy;
      }
      for (let i = 0; i < n; i++) d[i] *= gamma * h0[i];
    } else {
      const gamma = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1e-12, maxAbs(g) * Math.sqrt(n));
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      const sk = S[k];
      for (let i = 0; i < n; i++) d[i] += (alpha[k] - beta) * sk[i];
    }
    for (let i = 0; i < n; i++) d[i] = -d[i];
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      const s = h0 ? 1 : 1 / Math.max(1e-12, maxAbs(g) * Math.sqrt(n));
      for (let i = 0; i < n; i++) d[i] = -g[i] * s * (h0 ? h0[i] : 1);
      slope = dot(g, d);
    }
    // Backtracking Armijo line search from the full quasi-Newton step.
    let step = 1, fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = f(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= fx)) return { x, value: fx, iterations: it, converged: false };
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) { s[i] = xNew[i] - x[i]; y[i] = gNew[i] - g[i]; }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(y); rho.push(1 / sy);
    }
    x.set(xNew);
    [g, gNew] = [gNew, g];
    fx = fNew;
  }
  return { x, value: fx, iterations: it, converged: maxAbs(g) <= gtol * Math.max(1, Math.abs(fx)) };
}
