import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend, conv2dFilterGrad, conv2dInputGrad } from "../lib/backend/index";
import { flippedTransposedFilter } from "../lib/backend/conv_backprop_input";

/**
 * Reference: tfjs's own `cpu` backend (stock kernels, its Conv2DBackpropFilter/Input loops) via tf.grads.
 * Ours: the active backend (wasm with the project's composed kernels). Tolerance: float32 sums of up to
 * ~200 products of N(0,1) values, so |diff| <= 2e-4 · (1 + max|ref|) (TOOLCHAIN §4a saw ≤ 3.7e-4 at ~1000).
 */
type Pad = "same" | "valid";

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  const prev = tf.getBackend();
  await tf.setBackend(name);
  try { return f(); } finally { await tf.setBackend(prev); }
}

function close(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < a.length; i++) { maxRef = Math.max(maxRef, Math.abs(b[i])); maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])); }
  assert.ok(maxRef > 0, `${what}: reference is all zeros (test would be vacuous)`);
  assert.ok(maxDiff <= 2e-4 * (1 + maxRef), `${what}: max |diff| ${maxDiff} vs max |ref| ${maxRef}`);
}

describe("backend/conv gradients on the selected backend vs the cpu backend", function () {
  let x: tf.Tensor4D, active: string;
  before(async () => {
    active = (await initBackend()).name;
    x = tf.randomNormal([2, 9, 10, 3], 0, 1, "float32", 11) as tf.Tensor4D; // odd sizes: asymmetric 'same' pads
  });
  after(() => x.dispose());

  it("runs on wasm with the composed kernels registered", () => {
    assert.equal(active, "wasm");
    assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"), "Conv2DBackpropFilter registered on wasm");
  });

  for (const k of [1, 3, 4, 7]) {
    for (const s of [1, 2]) {
      for (const pad of ["same", "valid"] as Pad[]) {
        it(`conv2d ${k}x${k} stride ${s} ${pad}: dL/dx and dL/dW match`, async () => {
          const w = tf.randomNormal([k, k, 3, 4], 0, 1, "float32", 100 + k * 10 + s) as tf.Tensor4D;
          const yShape = tf.conv2d(x, w, s, pad).shape;
          const cot = tf.randomNormal(yShape, 0, 1, "float32", 7); // random cotangent
          const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, s, pad), cot));
          const grads = () => tf.tidy(() => tf.grads(loss)([x, w]).map((g) => g.dataSync().slice()));
          const ref = await onBackend("cpu", grads);
          const ours = grads();
          close(ours[0], ref[0], "dx");
          close(ours[1], ref[1], "dW");
          tf.dispose([w, cot]);
        });
      }
    }
  }

  for (const [k, s, pad] of [[2, 2, "same"], [3, 2, "same"], [4, 2, "valid"], [3, 1, "same"]] as [number, number, Pad][]) {
    it(`conv2dTranspose ${k}x${k} stride ${s} ${pad} (U-Net decoder): output and both gradients match`, async () => {
      const inp = tf.randomNormal([2, 5, 4, 6], 0, 1, "float32", 21) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, 3, 6], 0, 1, "float32", 22) as tf.Tensor4D; // [kh,kw,outC,inC]
      const out: [number, number, number, number] = pad === "same" ? [2, 5 * s, 4 * s, 3] : [2, (5 - 1) * s + k, (4 - 1) * s + k, 3];
      const cot = tf.randomNormal(out, 0, 1, "float32", 23);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, s, pad);
      const run = () => tf.tidy(() => [f(inp, w).dataSync().slice(),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), cot)))([inp, w]).map((g) => g.dataSync().slice())]);
      const ref = await onBackend("cpu", run);
      const ours = run();
      ["y", "dx", "dW"].forEach((n, i) => close(ours[i], ref[i], n));
      tf.dispose([inp, w, cot]);
    });
  }

  it("flippedTransposedFilter equals reverse + transpose for odd, even and non-square kernels", () => {
    for (const shape of [[3, 3, 4, 5], [2, 4, 3, 1], [1, 1, 6, 2]] as [number, number, number, number][]) {
      const w = tf.randomNormal(shape, 0, 1, "float32", shape[0] * 10 + shape[1]) as tf.Tensor4D;
      const want = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
      const got = flippedTransposedFilter(w);
      assert.deepEqual(got.shape, want.shape);
      assert.deepEqual(Array.from(got.dataSync()), Array.from(want.dataSync()), `[${shape}]`);
      tf.dispose([w, want, got]);
    }
  });

  it("conv2dFilterGrad / conv2dInputGrad equal hand-computed values on a 1-channel 3x3 case", () => {
    // x = 1..9 (3x3), 2x2 'valid' kernel, stride 1, dy = ones(2x2): dW[a,b] = sum of the 2x2 window
    // starting at (a,b) → [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12,16],[24,28]].
    const xx = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const dW = conv2dFilterGrad(xx, dy, { strides: 1, pad: "valid", dataFormat: "NHWC", filterShape: [2, 2, 1, 1] });
    assert.deepEqual(Array.from(dW.dataSync()), [12, 16, 24, 28]);
    // dx for W = [[1,2],[3,4]] and dy = ones: each x pixel collects the weights that touch it:
    // corners 1,2,3,4 → [[1,3,2],[4,10,6],[3,7,4]].
    const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const dx = conv2dInputGrad(dy, w, { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [1, 3, 3, 1] });
    assert.deepEqual(Array.from(dx.dataSync()), [1, 3, 2, 4, 10, 6, 3, 7, 4]);
    assert.throws(() => conv2dInputGrad(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w, { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [1, 3, 3, 1] }), /does not match conv output/);
    tf.dispose([xx, dy, dW, w, dx]);
  });
});
