import { strict as assert } from "assert";
import { Rng } from "../lib/util/rng";
import { symmetricEigen } from "../lib/linalg/eigh";
import { pythonMissing, runPython } from "./python_oracle";

/** B·Bᵀ for a seeded n × m Gaussian B (rank min(n, m)), row-major. */
function gram(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const B = Float64Array.from({ length: n * m }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < m; k++) s += B[i * m + k] * B[j * m + k]; A[i * n + j] = s; }
  return A;
}

/** max |A·v_k − λ_k·v_k| relative to max |λ|, and max |VVᵀ − I|. */
function residuals(A: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { eig: number; orth: number } {
  let eig = 0, orth = 0;
  const scale = Math.max(1e-300, ...Array.from(values, Math.abs));
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * vectors[k * n + j];
      eig = Math.max(eig, Math.abs(s - values[k] * vectors[k * n + i]) / scale);
    }
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[k * n + j] * vectors[l * n + j];
      orth = Math.max(orth, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { eig, orth };
}

describe("probe/eigh", () => {
  it("matches numpy.linalg.eigh's eigenvalues, with orthonormal eigenvectors (full rank and rank-deficient)", function () {
    const missing = pythonMissing(["numpy"]);
    if (missing) { console.log(`      (skipped: ${missing})`); this.skip(); }
    for (const [n, m, seed] of [[40, 60, 1], [40, 7, 2], [25, 25, 3]]) {
      const A = gram(n, m, seed);
      const { values, vectors } = symmetricEigen(A, n);
      const ref = runPython<number[]>(`import numpy as np\nprint(json.dumps(np.linalg.eigh(np.array(inp["A"]).reshape(inp["n"], inp["n"]))[0].tolist()))`, { A: Array.from(A), n });
      const top = Math.max(...ref.map(Math.abs));
      values.forEach((v, k) => assert.ok(Math.abs(v - ref[k]) < 1e-12 * top, `n=${n} m=${m}: λ${k} = ${v}, numpy ${ref[k]}`));
      const r = residuals(A, n, values, vectors);
      assert.ok(r.eig < 1e-12 && r.orth < 1e-12, `n=${n} m=${m}: residual ${r.eig}, orthogonality ${r.orth}`);
    }
  });

  it("handles 1×1, 2×2, diagonal, repeated and zero eigenvalues", () => {
    const cases: [string, number, number[]][] = [
      ["1×1", 1, [-3]],
      ["2×2", 2, [2, 1, 1, 2]],
      ["diagonal, unsorted", 3, [5, 0, 0, 0, -1, 0, 0, 0, 2]],
      ["identity (all repeated)", 4, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]],
      ["zero matrix", 3, new Array(9).fill(0)],
      ["already tridiagonal", 4, [2, -1, 0, 0, -1, 2, -1, 0, 0, -1, 2, -1, 0, 0, -1, 2]],
    ];
    const want: Record<string, number[]> = {
      "1×1": [-3], "2×2": [1, 3], "diagonal, unsorted": [-1, 2, 5], "identity (all repeated)": [1, 1, 1, 1], "zero matrix": [0, 0, 0],
      // 2 − 2cos(kπ/5), k = 1…4
      "already tridiagonal": [1, 2, 3, 4].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 5)),
    };
    for (const [label, n, entries] of cases) {
      const A = Float64Array.from(entries);
      const { values, vectors } = symmetricEigen(A, n);
      values.forEach((v, k) => assert.ok(Math.abs(v - want[label][k]) < 1e-13, `${label}: λ${k} = ${v}, want ${want[label][k]}`));
      const r = residuals(A, n, values, vectors);
      assert.ok(r.eig < 1e-13 && r.orth < 1e-13, `${label}: residual ${r.eig}, orthogonality ${r.orth}`);
    }
  });

  it("leaves its input alone and names a size mismatch", () => {
    const A = gram(6, 6, 4), copy = Float64Array.from(A);
    symmetricEigen(A, 6);
    assert.deepEqual(Array.from(A), Array.from(copy));
    assert.throws(() => symmetricEigen(A, 5), /36 entries, expected 5×5/);
  });
});
