import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { channelAffine, channelMean, channelSum, DIAG_MAX_CHANNELS } from "../lib/backend/channel_ops";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("nn/channel_ops: wasm GEMM paths equal the plain ops", () => {
  before(async () => { await initBackend(); });

  it("channelSum / channelMean: hand-worked [2,2,2] case and random NHWC tensors on both paths", () => {
    const x = tf.tensor3d([[[1, 10], [2, 20]], [[3, 30], [4, 40]]]);
    for (const fast of [true, false]) {
      assert.deepEqual(Array.from(channelSum(x, fast).dataSync()), [10, 100]);
      assert.deepEqual(Array.from(channelMean(x, fast).dataSync()), [2.5, 25]);
    }
    for (const c of [3, 16, 64]) {
      const r = tf.randomNormal([4, 17, 16, c], 1, 2, "float32", c);
      const slow = channelSum(r, false), quick = channelSum(r, true);
      assert.deepEqual(quick.shape, [c]);
      const scale = tf.tidy(() => tf.max(tf.sum(tf.abs(r), [0, 1, 2])).dataSync()[0]);
      assert.ok(maxAbsDiff(slow, quick) < 1e-5 * scale, `C=${c}: ${maxAbsDiff(slow, quick)} vs sum |x| ${scale}`);
      tf.dispose([r, slow, quick]);
    }
    x.dispose();
  });

  it("channelAffine: value and gradients (x, scale, shift) agree across paths, narrow and wide", () => {
    for (const c of [5, DIAG_MAX_CHANNELS, DIAG_MAX_CHANNELS + 8]) {
      const x = tf.randomNormal([3, 6, 5, c], 0, 1, "float32", 10 + c);
      const s = tf.randomNormal([c], 0, 1, "float32", 20 + c) as tf.Tensor1D;
      const t = tf.randomNormal([c], 0, 1, "float32", 30 + c) as tf.Tensor1D;
      const w = tf.randomNormal([3, 6, 5, c], 0, 1, "float32", 40 + c);
      const f = (fast: boolean) => tf.grads((xx: tf.Tensor, ss: tf.Tensor, tt: tf.Tensor) =>
        tf.sum(tf.mul(channelAffine(xx, ss as tf.Tensor1D, tt as tf.Tensor1D, fast), w)));
      const want = tf.tidy(() => tf.add(tf.mul(x, s), t));
      for (const fast of [true, false]) {
        const y = channelAffine(x, s, t, fast);
        assert.ok(maxAbsDiff(y, want) < 1e-5, `C=${c} fast=${fast}: value ${maxAbsDiff(y, want)}`);
        y.dispose();
      }
      const [gx1, gs1, gt1] = f(true)([x, s, t]);
      const [gx0, gs0, gt0] = f(false)([x, s, t]);
      assert.ok(maxAbsDiff(gx1, gx0) < 1e-5, `dx C=${c}`);
      assert.ok(maxAbsDiff(gs1, gs0) < 1e-3, `dscale C=${c}: ${maxAbsDiff(gs1, gs0)}`);
      assert.ok(maxAbsDiff(gt1, gt0) < 1e-3, `dshift C=${c}`);
      tf.dispose([x, s, t, w, want, gx1, gs1, gt1, gx0, gs0, gt0]);
    }
  });

  it("null scale / shift mean 1 / 0, and no tensor is left behind", () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, -2], [3, 4]]);
    const sh = tf.tensor1d([10, 20]), sc = tf.tensor1d([2, 3]);
    for (const fast of [true, false]) {
      const a = channelAffine(x, null, sh, fast), b = channelAffine(x, sc, null, fast), c = channelAffine(x, null, null, fast);
      assert.deepEqual(Array.from(a.dataSync()), [11, 18, 13, 24]);
      assert.deepEqual(Array.from(b.dataSync()), [2, -6, 6, 12]);
      assert.deepEqual(Array.from(c.dataSync()), [1, -2, 3, 4]);
      tf.dispose([a, b, c]);
    }
    tf.dispose([x, sh, sc]);
    assert.equal(tf.memory().numTensors, before);
  });
});
