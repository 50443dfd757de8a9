import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { maxPoolGradValues } from "../lib/backend/max_pool_grad";
import { resizeBilinearGradValues } from "../lib/backend/resize_bilinear_grad";

/**
 * Pooling/resize gradients on the selected backend (wasm, with the project's MaxPoolGrad) against the
 * cpu backend's tf.grad. The stock wasm MaxPoolGrad of tfjs 4.22.0 failed this (max |error| 0.93 at
 * 1×8×8×1, 2×2/2). Bilinear resize is checked by the adjoint identity instead: the cpu backend's
 * ResizeBilinearGrad returns H and W swapped for non-square inputs and ignores half-pixel centres,
 * as does the stock wasm one (max error 2.3). Tolerance: non-
 * overlapping max pooling only routes dy values → exact (0); overlapping windows add a few dy values in
 * another order, average pooling and resizes sum a few products → 1e-5·(1+max|ref|).
 */
async function gradOnBoth(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, seed: number): Promise<[Float32Array, Float32Array]> {
  const cotShape = tf.tidy(() => f(x).shape);
  const cot = tf.randomNormal(cotShape, 0, 1, "float32", seed);
  const g = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), cot)))(x).dataSync() as Float32Array);
  const ours = g();
  await tf.setBackend("cpu");
  const ref = g();
  await tf.setBackend("wasm");
  cot.dispose();
  return [ours, ref];
}

function maxErr(a: Float32Array, b: Float32Array): { diff: number; ref: number } {
  let diff = 0, ref = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); ref = Math.max(ref, Math.abs(b[i])); }
  return { diff, ref };
}

describe("backend/pooling and resize gradients vs the cpu backend", () => {
  before(async () => { await initBackend(); });

  const maxCases: [number[], number, number, "same" | "valid"][] = [
    [[1, 8, 8, 1], 2, 2, "valid"], [[2, 8, 8, 3], 2, 2, "valid"], [[2, 9, 11, 4], 3, 2, "same"], // ResNet50 stem pool
    [[1, 7, 7, 2], 3, 1, "same"], [[2, 10, 10, 3], 3, 2, "valid"], [[32, 32, 32, 16], 2, 2, "valid"],
  ];
  for (const [shape, k, s, pad] of maxCases) {
    it(`maxPool ${k}x${k}/${s} ${pad} on [${shape}]: identical gradient`, async () => {
      assert.equal(tf.getBackend(), "wasm");
      const x = tf.randomNormal(shape, 0, 1, "float32", 5);
      const [ours, ref] = await gradOnBoth((t) => tf.maxPool(t as tf.Tensor4D, k, s, pad), x, 6);
      const e = maxErr(ours, ref);
      assert.ok(e.ref > 0);
      if (k === s) assert.equal(e.diff, 0);
      else assert.ok(e.diff <= 1e-5 * (1 + e.ref), `max |diff| ${e.diff}`);
      x.dispose();
    });
  }

  it("routes dy to the first maximum of each window, ties included (hand-worked)", () => {
    // 1×2×4×1 input, 2×2/2 valid: window 1 = [1,3;3,0] (tie: first 3 in row-major order wins),
    // window 2 = [5,2;1,5] (tie between positions 0 and 3 → position 0). dy = [10, 20].
    const x = new Float32Array([1, 3, 5, 2, 3, 0, 1, 5]);
    const dx = maxPoolGradValues(x, [1, 2, 4, 1], new Float32Array([10, 20]), { filterSize: 2, strides: 2, pad: "valid" });
    assert.deepEqual(Array.from(dx), [0, 10, 20, 0, 0, 0, 0, 0]);
    assert.throws(() => maxPoolGradValues(x, [1, 2, 4, 1], new Float32Array(3), { filterSize: 2, strides: 2, pad: "valid" }), /dy has 3 values/);
  });

  const others: [string, (t: tf.Tensor) => tf.Tensor][] = [
    ["avgPool 2x2/2", (t) => tf.avgPool(t as tf.Tensor4D, 2, 2, "valid")],
    ["avgPool 3x3/2 same", (t) => tf.avgPool(t as tf.Tensor4D, 3, 2, "same")],
  ];
  for (const [name, f] of others) {
    it(`${name}: gradient matches`, async () => {
      const x = tf.randomNormal([2, 8, 10, 3], 0, 1, "float32", 8);
      const [ours, ref] = await gradOnBoth(f, x, 9);
      const e = maxErr(ours, ref);
      assert.ok(e.ref > 0 && e.diff <= 1e-5 * (1 + e.ref), `${name}: ${e.diff}`);
      x.dispose();
    });
  }

  it("resizeBilinear gradient is the exact adjoint of the wasm forward, half-pixel centres included", () => {
    // For a linear map R: <R x, dy> = <x, Rᵀ dy>. Checked for all four alignCorners/halfPixelCenters
    // combinations, up- and down-sampling, non-square.
    const x = tf.randomNormal([2, 7, 9, 3], 0, 1, "float32", 30);
    for (const [oh, ow] of [[12, 20], [4, 5]]) {
      for (const align of [false, true]) {
        for (const half of align ? [false] : [false, true]) { // tfjs forbids alignCorners with halfPixelCenters
          const dy = tf.randomNormal([2, oh, ow, 3], 0, 1, "float32", 31);
          const lhs = tf.tidy(() => tf.sum(tf.mul(tf.image.resizeBilinear(x as tf.Tensor4D, [oh, ow], align, half), dy)).dataSync()[0]);
          const g = resizeBilinearGradValues([2, 7, 9, 3], dy.dataSync() as Float32Array, [2, oh, ow, 3], { alignCorners: align, halfPixelCenters: half });
          // …and tf.grad on wasm goes through this kernel (same values).
          const tg = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(t as tf.Tensor4D, [oh, ow], align, half), dy)))(x).dataSync());
          assert.ok(tg.every((v, i) => Math.abs(v - g[i]) < 1e-5), "tf.grad uses the registered kernel");
          const xv = x.dataSync();
          let rhs = 0;
          for (let i = 0; i < g.length; i++) rhs += xv[i] * g[i];
          assert.ok(Math.abs(lhs - rhs) < 1e-3 * (1 + Math.abs(lhs)), `${oh}x${ow} align=${align} half=${half}: ${lhs} vs ${rhs}`);
          dy.dispose();
        }
      }
    }
    x.dispose();
  });

  it("resizeNearestNeighbor gradient on wasm is the adjoint of its forward (the cpu backend's is not)", () => {
    // Oracle: <R x, dy> = <x, Rᵀ dy> for the linear map R. (tfjs-cpu 4.22 gives -35.46 vs 31.19 here.)
    const x = tf.randomNormal([2, 8, 10, 3], 0, 1, "float32", 40);
    for (const [oh, ow, align, half] of [[16, 20, false, false], [5, 13, false, false], [16, 20, false, true], [9, 7, true, false]] as [number, number, boolean, boolean][]) {
      const dy = tf.randomNormal([2, oh, ow, 3], 0, 1, "float32", 41);
      const f = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [oh, ow], align, half);
      const lhs = tf.tidy(() => tf.sum(tf.mul(f(x), dy)).dataSync()[0]);
      const rhs = tf.tidy(() => tf.sum(tf.mul(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x), x)).dataSync()[0]);
      assert.ok(Math.abs(lhs - rhs) < 1e-3 * (1 + Math.abs(lhs)), `${oh}x${ow}: ${lhs} vs ${rhs}`);
      dy.dispose();
    }
    x.dispose();
  });
});
