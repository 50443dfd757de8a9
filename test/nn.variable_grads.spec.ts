import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { variableGrads } from "../lib/nn/variable_grads";
import { loadEncoder } from "../lib/models/load";
import { ProjectionHead } from "../lib/models/head";
import { simclrLoss } from "../lib/ssl/simclr_loss";

/** Loss and gradients of both implementations, read back. */
function both(f: () => tf.Scalar, vars: tf.Variable[]): { ours: Record<string, Float32Array>; ref: Record<string, Float32Array>; lo: number; lr: number } {
  const read = (r: { value: tf.Scalar; grads: tf.NamedTensorMap }) => {
    const out: Record<string, Float32Array> = {};
    for (const [k, g] of Object.entries(r.grads)) out[k] = g.dataSync() as Float32Array;
    const v = r.value.dataSync()[0];
    tf.dispose([r.value, ...Object.values(r.grads)]);
    return { out, v };
  };
  const a = read(variableGrads(f, vars)), b = read(tf.variableGrads(f, vars));
  return { ours: a.out, ref: b.out, lo: a.v, lr: b.v };
}

describe("nn/variable_grads (tf.variableGrads that frees during the backward pass)", function () {
  this.timeout(120_000);
  before(async () => { await initBackend(); });

  it("gives bit-identical loss and gradients on a ResNet SimCLR step (batch-stat BN, residual adds, projection head)", async () => {
    const enc = await loadEncoder("resnet8", { seed: 3 });
    const head = new ProjectionHead({ inputDim: enc.featureDim, sizes: [32, 16] }, 4);
    const x1 = tf.randomUniform([4, 32, 32, 3], 0, 1, "float32", 5) as tf.Tensor4D;
    const x2 = tf.randomUniform([4, 32, 32, 3], 0, 1, "float32", 6) as tf.Tensor4D;
    const vars: tf.Variable[] = [];
    for (const store of [enc.params, head.params]) for (const [n, v] of store.entries()) if (store.kind(n) === "trainable") vars.push(v);
    const f = () => simclrLoss(
      head.apply(enc.forward(x1, { training: true, updateStats: false }).features!, true),
      head.apply(enc.forward(x2, { training: true, updateStats: false }).features!, true), { temperature: 0.1 });
    const before = tf.memory().numTensors;
    const r = both(f, vars);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind by either");
    assert.equal(r.lo, r.lr);
    assert.deepEqual(Object.keys(r.ours).sort(), Object.keys(r.ref).sort());
    assert.ok(Object.keys(r.ours).length > 10);
    for (const k of Object.keys(r.ref)) assert.deepEqual(r.ours[k], r.ref[k], `gradient of ${k}`);
    tf.dispose([x1, x2]);
    head.dispose();
    enc.dispose();
  });

  it("releases saved tensors and used gradients during the backward pass (fewer bytes alive at the end of it)", () => {
    // A chain of 30 full-size ops: tfjs keeps every intermediate gradient and saved input until the end.
    // A custom gradient at the chain's start reads the bytes alive when the backward pass reaches it.
    const w = tf.variable(tf.randomNormal([64, 64], 0, 0.1, "float32", 7));
    const x = tf.randomNormal([256, 64], 0, 1, "float32", 8);
    const base = tf.memory().numBytes;
    const measure = (impl: typeof variableGrads): number => {
      let seen = 0;
      const start = tf.customGrad(((a: tf.Tensor) =>
        ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => { seen = tf.memory().numBytes; return tf.clone(dy); } })) as unknown as Parameters<typeof tf.customGrad>[0]);
      const g = () => {
        let h: tf.Tensor = start(tf.matMul(x, w));
        for (let i = 0; i < 30; i++) h = tf.tanh(tf.matMul(h, w));
        return tf.sum(h) as tf.Scalar;
      };
      const r = impl(g, [w]);
      tf.dispose([r.value, ...Object.values(r.grads)]);
      return seen - base;
    };
    const ours = measure(variableGrads), ref = measure(tf.variableGrads as typeof variableGrads);
    const act = 256 * 64 * 4;
    // tfjs: ~30 saved inputs + ~60 gradients of 64 KiB alive when the backward pass reaches the input.
    assert.ok(ref > 40 * act, `tf.variableGrads alive at the input: ${ref} B`);
    assert.ok(ours < 16 * act, `variableGrads alive at the input: ${ours} B (tf.variableGrads: ${ref} B)`);
    tf.dispose([w, x]);
  });

  it("falls back inside an outer tape and rejects a non-scalar or empty variable list", () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    // Inside an outer tape: d/dv Σv³ = 3v² = [3, 12, 27], so Σ3v² = 3·(1 + 4 + 9) = 42, and the outer
    // gradient of u ↦ 42·Σu at u = 1 is 42 (closed form).
    let inner: number[] = [];
    const g2 = tf.grad((u: tf.Tensor) => {
      const r = variableGrads(() => tf.sum(tf.pow(v, 3)) as tf.Scalar, [v]);
      inner = Array.from(r.grads[v.name].dataSync());
      return tf.mul(tf.sum(r.grads[v.name]), tf.sum(u));
    })(tf.scalar(1));
    assert.deepEqual(inner.map((x) => Math.round(x * 1e4) / 1e4), [3, 12, 27]);
    assert.ok(Math.abs(g2.dataSync()[0] - 42) < 1e-4, `outer gradient ${g2.dataSync()[0]}, closed form 42`);
    assert.throws(() => variableGrads(() => v as unknown as tf.Scalar, [v]), /f must return a scalar tensor, got rank 1/);
    const frozen = tf.variable(tf.scalar(1), false);
    assert.throws(() => variableGrads(() => tf.mul(frozen, 2) as tf.Scalar, [frozen]), /no trainable variables/);
    tf.dispose([v, g2, frozen]);
  });
});
