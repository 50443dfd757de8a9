import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";

/**
 * The wrapped wasm BatchMatMul (explicit transposes instead of the slow transpose flags) against the
 * cpu backend's matMul. Tolerance: float32 dot products of length <= 70 of N(0,1) values → 1e-4·(1+max|ref|).
 */
describe("backend/BatchMatMul wrapper on wasm", () => {
  before(async () => { await initBackend(); });

  it("matches the cpu backend for every transpose combination, 2-D and batched 3-D", async () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(tf.getKernel("BatchMatMul", "wasm"));
    const cases: [number[], number[], boolean, boolean][] = [
      [[7, 5], [5, 3], false, false], [[5, 7], [5, 3], true, false], [[7, 5], [3, 5], false, true],
      [[5, 7], [3, 5], true, true], [[4, 70, 6], [4, 70, 9], true, false], [[2, 6, 8], [2, 5, 8], false, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, "float32", 1), b = tf.randomNormal(sb, 0, 1, "float32", 2);
      const ours = tf.matMul(a, b, ta, tb);
      await tf.setBackend("cpu");
      const ref = tf.matMul(a, b, ta, tb);
      const r = ref.dataSync().slice();
      await tf.setBackend("wasm");
      const o = ours.dataSync();
      assert.deepEqual(ours.shape, ref.shape);
      const maxRef = Math.max(...Array.from(r, Math.abs));
      const maxDiff = Math.max(...Array.from(o, (v, i) => Math.abs(v - r[i])));
      assert.ok(maxDiff <= 1e-4 * (1 + maxRef), `${sa}${ta ? "ᵀ" : ""}·${sb}${tb ? "ᵀ" : ""}: ${maxDiff}`);
      tf.dispose([a, b, ours, ref]);
    }
  });

  it("leaves no tensors behind (transposed temporaries are freed)", () => {
    const a = tf.randomNormal([6, 4]), b = tf.randomNormal([6, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.matMul(a, b, true, false).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([a, b]);
  });
});
