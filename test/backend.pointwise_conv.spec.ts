import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { pointwiseConv2d, pointwiseConvAsMatMul } from "../lib/backend/pointwise_conv";

type Form = (x: tf.Tensor4D, k: tf.Tensor4D, stride: number) => tf.Tensor4D;

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe("backend: 1×1 convolution (pointwise_conv)", () => {
  before(async () => { await initBackend(); });

  const forms: Array<[string, Form]> = [["matrix-product form", pointwiseConvAsMatMul], ["backend's form", pointwiseConv2d]];
  for (const [label, form] of forms) {
    it(`${label} equals tf.conv2d 'valid' (strides 1, 2, 3; even and odd sizes), gradients included`, () => {
      for (const [size, stride] of [[8, 1], [8, 2], [7, 2], [6, 3], [1, 2]]) {
        const x = tf.randomNormal([2, size, size, 5], 0, 1, "float32", size) as tf.Tensor4D;
        const k = tf.randomNormal([1, 1, 5, 4], 0, 1, "float32", 9) as tf.Tensor4D;
        const a = form(x, k, stride);
        const b = tf.conv2d(x, k, stride, "valid");
        assert.deepEqual(a.shape, b.shape);
        assert.ok(maxDiff(a, b) < 1e-5, `size ${size} stride ${stride}`);
        // Gradients of sum(y²) w.r.t. input and kernel, against tf.conv2d's.
        const loss = (f: Form) => (xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.square(f(xx as tf.Tensor4D, kk as tf.Tensor4D, stride)));
        const ga = tf.grads(loss(form))([x, k]);
        const gb = tf.grads(loss((xx, kk, s) => tf.conv2d(xx, kk, s, "valid")))([x, k]);
        ga.forEach((g, i) => assert.ok(maxDiff(g, gb[i]) < 1e-3, `grad ${i}, size ${size} stride ${stride}`));
        tf.dispose([x, k, a, b, ...ga, ...gb]);
      }
    });
  }

  it("frees every intermediate (tensor count flat)", () => {
    const x = tf.randomNormal([1, 6, 6, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const k = tf.randomNormal([1, 1, 3, 2], 0, 1, "float32", 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (const form of [pointwiseConv2d, pointwiseConvAsMatMul]) form(x, k, 2).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, k]);
  });
});
