import { strict as assert } from "assert";
import * as path from "path";
import { spawnSync } from "child_process";
import { Rng } from "../lib/util/rng";
import { LogisticWorkspace, simdModule, simdMatmulTransB, tryWorkspace } from "../lib/probe/simd_kernels";
import { fitLogistic, logisticProba } from "../lib/probe/logistic";

function randn(len: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: len }, () => rng.normal());
}

describe("probe/simd_kernels", () => {
  const mod = simdModule();

  it("loads on this runtime (Node ≥ 20 has WebAssembly SIMD)", () => {
    assert.ok(mod, "WebAssembly SIMD module did not compile");
  });

  it("logits and gradient equal the plain products for odd sizes, a row list with repeats and a short last block", () => {
    for (const [n, r, P, nIdx] of [[13, 7, 3, 11], [9, 1, 1, 9], [30, 64, 9, 22], [5, 12, 2, 1]]) {
      const Z = randn(n * r, n + r), W = randn(P * r, P), G = randn(nIdx * P, 7);
      const rng = new Rng(n);
      const idx = Array.from({ length: nIdx }, () => rng.int(n));
      const ws = new LogisticWorkspace(mod!, Z, n, r, P);
      for (let c = 0; c < P; c++) ws.W.set(W.subarray(c * r, c * r + r), c * ws.rs);
      const m = ws.setRows(idx);
      assert.equal(m % 4, 0);
      ws.logits(m);
      for (let q = 0; q < nIdx; q++) for (let c = 0; c < P; c++) {
        let s = 0;
        for (let t = 0; t < r; t++) s += Z[idx[q] * r + t] * W[c * r + t];
        assert.ok(Math.abs(ws.out[q * ws.Pp + c] - s) < 1e-12 * Math.max(1, Math.abs(s)), `n=${n} r=${r} P=${P}: logit (${q}, ${c}) ${ws.out[q * ws.Pp + c]} vs ${s}`);
      }
      for (let q = 0; q < m; q++) for (let c = 0; c < P; c++) ws.G[q * ws.Pp + c] = q < nIdx ? G[q * P + c] : 0;
      ws.gradient(m);
      for (let c = 0; c < P; c++) for (let t = 0; t < r; t++) {
        let s = 0;
        for (let q = 0; q < nIdx; q++) s += G[q * P + c] * Z[idx[q] * r + t];
        assert.ok(Math.abs(ws.grad[c * ws.rs + t] - s) < 1e-12 * Math.max(1, Math.abs(s)), `n=${n} r=${r} P=${P}: gradient (${c}, ${t})`);
      }
      ws.gradient(m); // overwrites, does not accumulate across calls
      assert.ok(Math.abs(ws.grad[0] - Array.from({ length: nIdx }, (_, q) => G[q * P] * Z[idx[q] * r]).reduce((a, b) => a + b, 0)) < 1e-12);
    }
  });

  it("falls back (null) when the operands would not fit a WebAssembly memory", () => {
    // 10⁶ rows × 1000 columns of float64 is 8 GB: memory.grow refuses before anything is copied.
    assert.equal(tryWorkspace(new Float64Array(0), 1_000_000, 1000, 2), null);
    assert.ok(tryWorkspace(new Float64Array(6), 3, 2, 2), "small sizes get a workspace");
  });

  it("A·Bᵀ equals the plain product", () => {
    const [n, k, m] = [7, 5, 3];
    const A = randn(n * k, 1), B = randn(m * k, 2);
    const out = simdMatmulTransB(A, n, k, B, m)!;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += A[i * k + t] * B[j * k + t];
      assert.ok(Math.abs(out[i * m + j] - s) < 1e-12, `(${i}, ${j})`);
    }
  });

  it("the logistic head gives the JavaScript loops' fit on the SIMD kernels (same C, probabilities to 1e-8)", () => {
    const rng = new Rng(3);
    const K = 4, per = 12, D = 90;
    const centres = Array.from({ length: K }, () => Array.from({ length: D }, () => rng.normal()));
    const data = new Float32Array(K * per * D), y: number[] = [];
    for (let i = 0; i < K * per; i++) { y.push(i % K); for (let d = 0; d < D; d++) data[i * D + d] = Math.max(0, centres[i % K][d] * 0.4 + rng.normal()); }
    const X = { data, rows: K * per, cols: D };
    const train = y.map((_, i) => i).filter((i) => i % 5 !== 0), test = y.map((_, i) => i).filter((i) => i % 5 === 0);
    const cfg = { scaling: "scalar" as const, seed: 2, cGrid: [0.01, 0.1, 1], cvPatience: Infinity, gtol: 1e-9, cvGtol: 1e-9 };
    const a = fitLogistic(X, y, K, train, { ...cfg, kernels: "js" });
    const b = fitLogistic(X, y, K, train, { ...cfg, kernels: "auto" });
    assert.equal(a.C, b.C);
    a.cvLoss!.forEach((l, k) => assert.ok(Math.abs(l - b.cvLoss![k]) < 1e-7, `CV loss ${k}: ${l} vs ${b.cvLoss![k]}`));
    const pa = logisticProba(a, X, test), pb = logisticProba(b, X, test);
    pa.forEach((p, i) => assert.ok(Math.abs(p - pb[i]) < 1e-8, `probability ${i}: ${p} vs ${pb[i]}`));
  });

  it("the embedded module is what native/probe_simd/logistic_kernels.wat assembles to", function () {
    let hasWabt = true;
    try { require.resolve("wabt"); } catch { hasWabt = false; }
    if (!hasWabt) { console.log("      (skipped: wabt, a devDependency, is not installed)"); this.skip(); }
    const r = spawnSync(process.execPath, [path.join(__dirname, "..", "native", "probe_simd", "build.js"), "--check"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr || r.stdout);
  });
});
