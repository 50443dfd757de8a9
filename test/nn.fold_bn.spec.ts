import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { batchNormInfer } from "../lib/nn/batchnorm";
import { convBnInfer, foldBatchNormIntoConv } from "../lib/nn/fold_bn";

/** Oracle: the unfolded path conv2d → batchNormInfer (→ relu); tolerance float32 rounding (1e-4 abs on O(10) values). */
describe("nn/fold_bn", () => {
  before(async () => { await initBackend(); });

  it("fused conv with folded BN equals conv2d + batchNormInfer (+ relu), stride 1 and 2", () => {
    const x = tf.randomNormal([2, 9, 9, 4], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 5], 0, 1, "float32", 2) as tf.Tensor4D;
    const mm = tf.randomNormal([5], 0, 1, "float32", 3) as tf.Tensor1D;
    const mv = tf.randomUniform([5], 0.5, 2, "float32", 4) as tf.Tensor1D;
    const g = tf.randomNormal([5], 1, 0.3, "float32", 5) as tf.Tensor1D, b = tf.randomNormal([5], 0, 1, "float32", 6) as tf.Tensor1D;
    for (const [s, relu] of [[1, false], [2, true]] as [number, boolean][]) {
      const ref = tf.tidy(() => {
        const y = batchNormInfer(tf.conv2d(x, w, s, "same"), mm, mv, g, b);
        return relu ? tf.relu(y) : y;
      });
      const got = convBnInfer(x, w, mm, mv, g, b, { strides: s, relu });
      assert.deepEqual(got.shape, ref.shape);
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0]);
      assert.ok(d < 1e-4, `stride ${s}: max |diff| ${d}`);
      if (relu) assert.ok(got.dataSync().every((v) => v >= 0));
      tf.dispose([ref, got]);
    }
    tf.dispose([x, w, mm, mv, g, b]);
  });

  it("folds a hand-worked 1x1 case: w=2, mean 1, var 3 (eps 1e-3), gamma 4, beta 5", () => {
    // s = 4/sqrt(3.001); filter = 2s; bias = 5 - 1·s.
    const f = foldBatchNormIntoConv(tf.fill([1, 1, 1, 1], 2) as tf.Tensor4D, tf.tensor1d([1]), tf.tensor1d([3]), tf.tensor1d([4]), tf.tensor1d([5]));
    const s = 4 / Math.sqrt(3.001);
    assert.ok(Math.abs(f.filter.dataSync()[0] - 2 * s) < 1e-5);
    assert.ok(Math.abs(f.bias.dataSync()[0] - (5 - s)) < 1e-5);
    assert.throws(() => foldBatchNormIntoConv(tf.zeros([1, 1, 1, 2]) as tf.Tensor4D, tf.zeros([3]) as tf.Tensor1D, tf.ones([2]) as tf.Tensor1D, null, null), /movingMean has shape \[3\]/);
    tf.dispose([f.filter, f.bias]);
  });
});
