/**
 * Eigen-decomposition of a real symmetric matrix on Float64Arrays: Householder reduction to
 * tridiagonal form, then the implicit QL iteration with Wilkinson-type shifts, accumulating the
 * rotations into the eigenvectors. O(n³); about 3 s for n = 900 in V8.
 *
 * Used by the logistic head to rotate its reduced basis onto orthogonal columns, where a diagonal
 * preconditioner for L-BFGS is nearly exact (see lib/probe/logistic.ts).
 */

/** Eigenpairs of a symmetric n × n matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as rows: `vectors[k·n + i]` is component i of the eigenvector of `values[k]` (unit length). */
  vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of the symmetric n × n row-major matrix `A` (only symmetry is assumed;
 * the lower triangle is read). `A` is not modified. Throws when n does not match A's length or the
 * QL iteration fails to converge (non-finite input).
 */
export function symmetricEigen(A: Float64Array, n: number): SymmetricEigen {
  if (A.length !== n * n) throw new Error(`symmetricEigen: matrix has ${A.length} entries, expected ${n}×${n}`);
  const a = Float64Array.from(A);
  const d = new Float64Array(n), e = new Float64Array(n);
  // Qt holds Qᵀ (rows are the columns of Q) so that both the Householder accumulation and the QL
  // rotations below touch contiguous rows.
  const Qt = householderTridiagonal(a, n, d, e);
  tridiagonalQL(d, e, Qt, n);
  // Sort ascending, moving eigenvector rows with their values.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, k) => { values[k] = d[src]; vectors.set(Qt.subarray(src * n, src * n + n), k * n); });
  return { values, vectors };
}

/**
 * Reduce the symmetric `a` (overwritten) to tridiagonal T = Qᵀ·A·Q: diagonal into d, sub-diagonal
 * into e (e[k] couples rows k and k+1; e[n−1] = 0). Returns Qᵀ (n × n, row-major).
 */
function householderTridiagonal(a: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const us: Float64Array[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    // Reflect x = a[k+1.., k] onto α·e₁ with α = −sign(x₀)·|x| (no cancellation).
    const m = n - k - 1;
    const u = new Float64Array(m);
    let norm2 = 0;
    for (let i = 0; i < m; i++) { u[i] = a[(k + 1 + i) * n + k]; norm2 += u[i] * u[i]; }
    const norm = Math.sqrt(norm2);
    d[k] = a[k * n + k];
    if (norm === 0) { e[k] = 0; us.push(u); continue; }
    const alpha = u[0] > 0 ? -norm : norm;
    u[0] -= alpha;
    let uu = 0;
    for (let i = 0; i < m; i++) uu += u[i] * u[i];
    const inv = 1 / Math.sqrt(uu);
    for (let i = 0; i < m; i++) u[i] *= inv;
    e[k] = alpha;
    // Trailing block B = a[k+1.., k+1..] ← H·B·H with H = I − 2uuᵀ: B − 2u·wᵀ − 2w·uᵀ, w = B·u − (uᵀBu)·u.
    let gamma = 0;
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      let s = 0;
      for (let j = 0; j < m; j++) s += a[row + j] * u[j];
      p[i] = s; gamma += u[i] * s;
    }
    for (let i = 0; i < m; i++) p[i] -= gamma * u[i];
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1, ui = 2 * u[i], wi = 2 * p[i];
      for (let j = 0; j < m; j++) a[row + j] -= ui * p[j] + wi * u[j];
    }
    us.push(u);
  }
  if (n >= 2) { d[n - 2] = a[(n - 2) * n + n - 2]; e[n - 2] = a[(n - 1) * n + n - 2]; }
  if (n >= 1) { d[n - 1] = a[(n - 1) * n + n - 1]; e[n - 1] = 0; }
  // Q = H₀·H₁·…; build Qᵀ = …·H₁·H₀ from the identity by applying each H_k to the columns k+1.. of
  // the rows, last reflector first (H is symmetric, so Qᵀ = H_last·…·H₀ acts on rows from the right).
  const Qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qt[i * n + i] = 1;
  for (let k = us.length - 1; k >= 0; k--) {
    const u = us[k], off = k + 1, m = u.length;
    // Rows 0..k of Qᵀ are still unit vectors with zeros in columns k+1..: unchanged by H_k.
    for (let i = off; i < n; i++) {
      const row = i * n + off;
      let s = 0;
      for (let j = 0; j < m; j++) s += Qt[row + j] * u[j];
      if (s === 0) continue;
      s *= 2;
      for (let j = 0; j < m; j++) Qt[row + j] -= s * u[j];
    }
  }
  return Qt;
}

/**
 * Diagonalise the symmetric tridiagonal (d, e) in place by implicit QL with shifts; every plane
 * rotation of rows (i, i+1) of the eigenvector frame is applied to the rows of `Zt` (n × n).
 */
function tridiagonalQL(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number): void {
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      // Find the first negligible off-diagonal element at or after l: the block l..m is unreduced.
      let m = l;
      for (; m < n - 1; m++) if (Math.abs(e[m]) <= eps * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
      if (m === l) break;
      if (iter >= 60) throw new Error(`symmetricEigen: QL iteration did not converge for eigenvalue ${l} (is the matrix finite?)`);
      // Shift from the leading 2×2 block's eigenvalue nearer d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i], b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) { d[i + 1] -= p; e[m] = 0; underflow = true; break; }
        s = f / r; c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        // Rotate rows i and i+1 of Zt.
        const ri = i * n, rj = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const zi = Zt[ri + k], zj = Zt[rj + k];
          Zt[rj + k] = s * zi + c * zj;
          Zt[ri + k] = c * zi - s * zj;
        }
      }
      if (underflow) continue;
      d[l] -= p; e[l] = g; e[m] = 0;
    }
  }
}
