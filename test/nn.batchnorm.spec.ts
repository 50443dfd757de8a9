import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { batchNormTrain, batchNormInfer, updateMovingStats, BN_EPSILON, BN_MOMENTUM } from "../lib/nn/batchnorm";

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

describe("nn/batchnorm", () => {
  before(async () => { await initBackend(); });

  it("normalises a hand-worked [N,C] case: channel values (1,3) and (0,4) with gamma/beta", () => {
    // Channel 0: mean 2, biased var 1; channel 1: mean 2, var 4. y = (x-m)/sqrt(v+1e-3)*g+b.
    const x = tf.tensor2d([[1, 0], [3, 4]]);
    const g = tf.tensor1d([2, 1]), b = tf.tensor1d([0.5, -1]);
    const { y, mean, variance } = batchNormTrain(x, g, b);
    const s0 = 1 / Math.sqrt(1 + 1e-3), s1 = 1 / Math.sqrt(4 + 1e-3);
    const expected = [-1 * s0 * 2 + 0.5, -2 * s1 - 1, 1 * s0 * 2 + 0.5, 2 * s1 - 1];
    const got = Array.from(y.dataSync());
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `y[${i}] = ${v}, expected ${expected[i]}`));
    assert.deepEqual(Array.from(mean.dataSync()), [2, 2]);
    assert.deepEqual(Array.from(variance.dataSync()), [1, 4]);
    tf.dispose([x, g, b, y, mean, variance]);
  });

  it("matches tf.batchNorm (with tf.moments statistics) in value and in gradients, NHWC", () => {
    const x = randn([4, 5, 6, 3], 1).mul(3).add(1);
    const g = tf.tensor1d([0.5, 1.5, -2]), b = tf.tensor1d([0.1, 0, -0.3]);
    const w = randn([4, 5, 6, 3], 2); // random cotangent so gradients are not trivially zero
    const ours = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D).y, w));
    const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(xx, mean, variance, bb, gg, BN_EPSILON), w));
    };
    const yo = tf.tidy(() => ours(x, g, b)), yr = tf.tidy(() => ref(x, g, b));
    // Tolerance: float32 sum of 360 terms of magnitude ~1 → ~1e-4 relative.
    assert.ok(Math.abs(yo.dataSync()[0] - yr.dataSync()[0]) < 1e-3);
    const go = tf.grads(ours)([x, g, b]), gr = tf.grads(ref)([x, g, b]);
    for (let i = 0; i < 3; i++) {
      const d = maxAbsDiff(go[i], gr[i]);
      assert.ok(d < 1e-3, `gradient ${i} differs by ${d}`);
    }
    tf.dispose([x, g, b, w, yo, yr, ...go, ...gr]);
  });

  it("fuses a residual add and a ReLU: same values and gradients (x, gamma, beta, residual) as the separate ops", () => {
    const x = randn([3, 4, 5, 6], 11).mul(2), res = randn([3, 4, 5, 6], 12);
    const g = randn([6], 13) as tf.Tensor1D, b = randn([6], 14) as tf.Tensor1D;
    const w = randn([3, 4, 5, 6], 15);
    const fused = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr: tf.Tensor) =>
      tf.sum(tf.mul(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, BN_EPSILON, { residual: rr, relu: true }).y, w));
    const separate = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(tf.mul(tf.relu(tf.add(tf.batchNorm(xx, mean, variance, bb, gg, BN_EPSILON), rr)), w));
    };
    const go = tf.grads(fused)([x, g, b, res]), gr = tf.grads(separate)([x, g, b, res]);
    for (let i = 0; i < 4; i++) assert.ok(maxAbsDiff(go[i], gr[i]) < 1e-3, `gradient ${i} differs by ${maxAbsDiff(go[i], gr[i])}`);
    // About half the outputs are clipped, so the ReLU mask matters: its gradient must be zero there.
    const y = batchNormTrain(x, g, b, BN_EPSILON, { residual: res, relu: true });
    const zeros = tf.tidy(() => tf.sum(tf.cast(tf.equal(y.y, 0), "int32")).dataSync()[0]);
    assert.ok(zeros > 0.3 * x.size && zeros < 0.7 * x.size, `${zeros} clipped of ${x.size}`);
    // ReLU alone (no residual): values equal relu(BN(x)).
    const plain = batchNormTrain(x, g, b), relu = batchNormTrain(x, g, b, BN_EPSILON, { relu: true });
    assert.ok(maxAbsDiff(tf.relu(plain.y), relu.y) < 1e-6);
    assert.throws(() => batchNormTrain(x, g, b, BN_EPSILON, { residual: tf.zeros([3, 4, 5, 1]) }), /residual has shape \[3,4,5,1\], expected the input's \[3,4,5,6\]/);
    tf.dispose([x, res, g, b, w, ...go, ...gr, y.y, y.mean, y.variance, plain.y, plain.mean, plain.variance, relu.y, relu.mean, relu.variance]);
  });

  it("inference form equals the training form when fed the batch's own statistics", () => {
    const x = randn([8, 4, 4, 5], 3);
    const g = randn([5], 4) as tf.Tensor1D, b = randn([5], 5) as tf.Tensor1D;
    const t = batchNormTrain(x, g, b);
    const inf = batchNormInfer(x, t.mean, t.variance, g, b);
    assert.ok(maxAbsDiff(t.y, inf) < 1e-5);
    // With mean 0, var 1-eps, gamma null, beta null the inference form is the identity.
    const id = tf.tidy(() => batchNormInfer(x, tf.zeros([5]), tf.fill([5], 1 - BN_EPSILON), null, null));
    assert.ok(maxAbsDiff(id, x) < 1e-6);
    tf.dispose([x, g, b, t.y, t.mean, t.variance, inf, id]);
  });

  it("updates moving statistics with Keras momentum semantics (hand-computed)", () => {
    const mm = tf.variable(tf.tensor1d([0, 10])), mv = tf.variable(tf.tensor1d([1, 1]));
    const bm = tf.tensor1d([1, 0]), bv = tf.tensor1d([3, 5]);
    updateMovingStats(mm, mv, bm, bv);
    // 0.99*0+0.01*1 = 0.01; 0.99*10 = 9.9; 0.99+0.03 = 1.02; 0.99+0.05 = 1.04
    const m = Array.from(mm.dataSync()), v = Array.from(mv.dataSync());
    [0.01, 9.9].forEach((e, i) => assert.ok(Math.abs(m[i] - e) < 1e-6, `mean ${m[i]} vs ${e}`));
    [1.02, 1.04].forEach((e, i) => assert.ok(Math.abs(v[i] - e) < 1e-6, `var ${v[i]} vs ${e}`));
    // Bessel-corrected with count 4 and momentum 0.5: 0.5*1.02 + 0.5*3*4/3 = 2.51
    updateMovingStats(mm, mv, bm, bv, { momentum: 0.5, unbiasedVariance: true, count: 4 });
    assert.ok(Math.abs(mv.dataSync()[0] - 2.51) < 1e-6);
    assert.equal(BN_MOMENTUM, 0.99);
    assert.throws(() => updateMovingStats(mm, mv, bm, bv, { momentum: 1.5 }), /momentum/);
    assert.throws(() => updateMovingStats(mm, mv, bm, bv, { unbiasedVariance: true }), /count/);
    tf.dispose([mm, mv, bm, bv]);
  });

  it("rejects per-channel parameters of the wrong length and leaks no tensors", () => {
    const x = tf.zeros([2, 3]);
    const bad = tf.ones([4]) as tf.Tensor1D;
    assert.throws(() => batchNormTrain(x, bad, null), /expected \[3\]/);
    const before = tf.memory().numTensors;
    const g = tf.ones([3]) as tf.Tensor1D;
    for (let i = 0; i < 3; i++) {
      const r = batchNormTrain(x, g, null);
      tf.dispose([r.y, r.mean, r.variance]);
      tf.dispose(tf.grad((xx: tf.Tensor) => tf.sum(batchNormTrain(xx, g, null).y))(x));
    }
    assert.equal(tf.memory().numTensors, before + 1); // only g
    tf.dispose([x, bad, g]);
  });
});
