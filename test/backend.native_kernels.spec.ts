import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { loadNativeAddon, NativeAddon } from "../lib/backend/native_addon";
import { initNative } from "../lib/backend/native_init";
import { fallbackCalls } from "../lib/backend/native_fallback";
import { NativeBackend } from "../lib/backend/native_backend";
import { runOp } from "../lib/backend/native_kernels";
import { batchNormTrain } from "../lib/nn/batchnorm";
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from "../lib/backend/batch_norm_train";

/**
 * The native (libtorch) backend's kernels against tfjs's cpu backend: values, and gradients through
 * tf.grads for the differentiable ones, over broadcasting, strides, SAME/VALID/explicit padding,
 * dilations, dtypes, empty and size-1 dims. Inputs are random (seeded) and read back as plain arrays,
 * so each side builds its own tensors. Tolerance for float32 results: sums of up to a few hundred
 * products in a different order, |diff| <= 1e-4 · (1 + max|ref|); integer, bool and data-movement
 * results must be identical. Skips with a printed reason when the addon is not built.
 */
type Vals = Float32Array | Int32Array | Uint8Array;
type Out = { shape: number[]; dtype: string; values: Vals }[];
type Spec = { shape: number[]; dtype?: "float32" | "int32" | "bool"; lo?: number; hi?: number };

let seed = 100;
function data(s: Spec): number[] {
  const n = s.shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const lo = s.lo ?? -2, hi = s.hi ?? 2;
    if (s.dtype === "int32") return Array.from(tf.randomUniform([n], lo, hi, "int32", seed++).dataSync());
    if (s.dtype === "bool") return Array.from(tf.randomUniform([n], 0, 2, "int32", seed++).dataSync());
    return Array.from(tf.randomUniform([n], lo, hi, "float32", seed++).dataSync());
  });
}

/** Run `f` on fresh tensors built from the same numbers on `backend`; outputs read back. */
async function runOn(backend: string, specs: Spec[], vals: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Out> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = specs.map((s, i) => tf.tensor(vals[i], s.shape, s.dtype ?? "float32"));
    const r = f(...xs);
    return (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync() as Vals }));
  });
}

function assertClose(ours: Out, ref: Out, what: string): void {
  assert.equal(ours.length, ref.length, `${what}: number of outputs`);
  ours.forEach((o, k) => {
    const r = ref[k];
    assert.deepEqual(o.shape, r.shape, `${what}[${k}]: shape`);
    assert.equal(o.dtype, r.dtype, `${what}[${k}]: dtype`);
    assert.equal(o.values.length, r.values.length, `${what}[${k}]: size`);
    if (r.dtype !== "float32") {
      assert.deepEqual(Array.from(o.values), Array.from(r.values), `${what}[${k}]: values`);
      return;
    }
    let maxRef = 0, maxDiff = 0;
    for (let i = 0; i < r.values.length; i++) {
      const a = o.values[i], b = r.values[i];
      if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${what}[${k}] #${i}: ${a}, expected NaN`); continue; }
      maxRef = Math.max(maxRef, Math.abs(b));
      maxDiff = Math.max(maxDiff, Math.abs(a - b));
    }
    assert.ok(maxDiff <= 1e-4 * (1 + maxRef), `${what}[${k}]: max |diff| ${maxDiff} vs max |ref| ${maxRef}`);
  });
}

/** Compare `f` on native and cpu. */
async function same(what: string, specs: Spec[], f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<void> {
  const vals = specs.map(data);
  const ours = await runOn("native", specs, vals, f);
  const ref = await runOn("cpu", specs, vals, f);
  await tf.setBackend("native");
  assertClose(ours, ref, what);
}

/** Compare `f` and its gradients wrt every (float) input under a random cotangent. */
async function sameGrad(what: string, specs: Spec[], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  await same(what, specs, f);
  const outShape = await runOn("cpu", specs, specs.map(data), (...xs) => f(...xs)).then((o) => o[0].shape);
  const cotSpec: Spec = { shape: outShape };
  const g = (...xs: tf.Tensor[]): tf.Tensor[] => {
    const cot = xs.pop()!;
    return tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(f(...ys), cot)))(xs);
  };
  const all = [...specs, cotSpec];
  const vals = all.map(data);
  const ours = await runOn("native", all, vals, g);
  const ref = await runOn("cpu", all, vals, g);
  await tf.setBackend("native");
  assertClose(ours, ref, `${what} gradients`);
}

describe("backend/native kernels vs the cpu backend", function () {
  this.timeout(120_000);
  let addon: NativeAddon | null = null;
  let previous = "";

  before(async function () {
    const a = loadNativeAddon();
    if (typeof a === "string") {
      console.log(`    (skipped: ${a})`);
      this.skip();
    }
    addon = a as NativeAddon;
    previous = (await initBackend()).name;
    const r = await initNative("cpu");
    assert.ok(r.ok, r.detail);
    assert.equal(tf.getBackend(), "native");
  });
  after(async () => { if (previous) await tf.setBackend(previous); });

  it("round-trips float32, int32 and bool data, and empty tensors", async () => {
    for (const dtype of ["float32", "int32", "bool"] as const) {
      await same(`round trip ${dtype}`, [{ shape: [3, 1, 4], dtype }], (x) => tf.clone(x));
    }
    const e = tf.tensor([], [0, 3]);
    assert.deepEqual(e.shape, [0, 3]);
    assert.equal(e.dataSync().length, 0);
    e.dispose();
  });

  it("runs binary elementwise ops with broadcasting and dtype rules", async () => {
    const pairs: [number[], number[]][] = [[[2, 3, 4], [4]], [[3, 1], [1, 4]], [[1], [2, 1, 3]], [[], [2, 2]], [[0, 3], [3]], [[1, 1], [1, 1]]];
    const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ["add", tf.add], ["sub", tf.sub], ["mul", tf.mul], ["div", tf.div], ["maximum", tf.maximum], ["minimum", tf.minimum],
      ["squaredDifference", tf.squaredDifference], ["greater", tf.greater], ["lessEqual", tf.lessEqual], ["equal", tf.equal],
    ];
    for (const [sa, sb] of pairs) for (const [name, op] of ops) await same(`${name} [${sa}]·[${sb}]`, [{ shape: sa }, { shape: sb }], op);
    await same("pow", [{ shape: [2, 3], lo: 0.1, hi: 2 }, { shape: [3] }], tf.pow);
    for (const dtype of ["int32"] as const) {
      await same("int add", [{ shape: [2, 3], dtype, lo: -5, hi: 5 }, { shape: [3], dtype, lo: -5, hi: 5 }], tf.add);
      await same("int floorDiv", [{ shape: [2, 3], dtype, lo: -9, hi: 9 }, { shape: [3], dtype, lo: 1, hi: 4 }], tf.floorDiv);
      await same("int mod", [{ shape: [2, 3], dtype, lo: -9, hi: 9 }, { shape: [3], dtype, lo: 1, hi: 4 }], tf.mod);
      await same("int div -> float", [{ shape: [4], dtype, lo: -9, hi: 9 }, { shape: [4], dtype, lo: 1, hi: 4 }], tf.div);
    }
    await same("logicalAnd", [{ shape: [5], dtype: "bool" }, { shape: [5], dtype: "bool" }], tf.logicalAnd);
    await sameGrad("broadcast mul/add", [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [3, 1] }], (a, b, c) => tf.add(tf.mul(a, b), c));
    await sameGrad("div", [{ shape: [3, 4] }, { shape: [4], lo: 0.5, hi: 2 }], tf.div);
    await sameGrad("maximum", [{ shape: [3, 4] }, { shape: [3, 4] }], tf.maximum);
  });

  it("runs unary ops, with gradients", async () => {
    const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
      ["relu", tf.relu], ["relu6", (x) => tf.relu6(tf.mul(x, 4))], ["exp", tf.exp], ["neg", tf.neg], ["abs", tf.abs], ["sigmoid", tf.sigmoid],
      ["tanh", tf.tanh], ["square", tf.square], ["elu", tf.elu], ["leakyRelu", (x) => tf.leakyRelu(x, 0.1)],
      ["clip", (x) => tf.clipByValue(x, -0.5, 0.7)], ["softplus", tf.softplus],
    ];
    for (const [name, op] of ops) await sameGrad(name, [{ shape: [3, 5] }], op);
    await sameGrad("log", [{ shape: [7], lo: 0.1, hi: 3 }], tf.log);
    await sameGrad("sqrt", [{ shape: [7], lo: 0.1, hi: 3 }], tf.sqrt);
    await sameGrad("rsqrt", [{ shape: [7], lo: 0.1, hi: 3 }], tf.rsqrt);
    for (const [name, op] of [["floor", tf.floor], ["ceil", tf.ceil], ["round", tf.round], ["sign", tf.sign]] as const) {
      await same(name, [{ shape: [9], lo: -3, hi: 3 }], op);
    }
    await same("round half to even", [], () => tf.round(tf.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])));
    await same("step keeps NaN", [], () => tf.step(tf.tensor([NaN, -1, 0, 2])));
    await same("int neg/abs", [{ shape: [6], dtype: "int32", lo: -5, hi: 5 }], (x) => [tf.neg(x), tf.abs(x), tf.square(x)]);
    await same("isNaN/logicalNot", [], () => [tf.isNaN(tf.tensor([NaN, 1])), tf.logicalNot(tf.tensor([true, false], [2], "bool"))]);
  });

  it("reduces over axes, with keepDims, ints, empty axis lists and gradients", async () => {
    const x: Spec = { shape: [2, 3, 4] };
    for (const axis of [0, 1, 2, -1, [0, 2], [0, 1, 2]]) {
      await sameGrad(`sum ${axis}`, [x], (t) => tf.sum(t, axis));
      await sameGrad(`mean ${axis}`, [x], (t) => tf.mean(t, axis, true));
      await sameGrad(`max ${axis}`, [x], (t) => tf.max(t, axis));
      await same(`min/prod ${axis}`, [x], (t) => [tf.min(t, axis, true), tf.prod(t, axis)]);
    }
    await same("int sum, argMax/argMin, all/any", [{ shape: [3, 4], dtype: "int32", lo: -5, hi: 5 }, { shape: [3, 4], dtype: "bool" }],
      (a, b) => [tf.sum(a, 1), tf.argMax(a, 1), tf.argMin(a, 0), tf.all(b, 1), tf.any(b, 0), tf.sum(b)]);
    await same("sum over no axis", [x], (t) => tf.sum(t, []));
    await same("empty reductions", [], () => [tf.sum(tf.zeros([2, 0]), 1), tf.max(tf.zeros([2, 1]), 1)]);
  });

  it("runs conv2d over strides, SAME/VALID/explicit pads, dilations and kernel sizes, with gradients", async () => {
    const cases: { k: number; s: number; pad: "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]]; d?: number }[] = [
      { k: 3, s: 1, pad: "same" }, { k: 3, s: 2, pad: "same" }, { k: 4, s: 2, pad: "same" }, { k: 1, s: 2, pad: "valid" },
      { k: 3, s: 1, pad: "valid", d: 2 }, { k: 3, s: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] }, { k: 5, s: 3, pad: "same" },
    ];
    for (const c of cases) {
      // tfjs has no conv gradient for dilations > 1: forward only there.
      await (c.d ? same : sameGrad)(`conv2d k${c.k} s${c.s} ${JSON.stringify(c.pad)} d${c.d ?? 1}`, [{ shape: [2, 9, 10, 3] }, { shape: [c.k, c.k, 3, 4] }],
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad, "NHWC", c.d ?? 1));
    }
    await sameGrad("conv2d on 1x1 images, batch 1", [{ shape: [1, 1, 1, 2] }, { shape: [1, 1, 2, 3] }], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"));
    await same("depthwise conv2d", [{ shape: [2, 7, 7, 3] }, { shape: [3, 3, 3, 2] }], (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"));
    await sameGrad("fused conv2d + bias + relu", [{ shape: [2, 8, 8, 3] }, { shape: [3, 3, 3, 4] }, { shape: [4] }],
      (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: "same", bias: b, activation: "relu" }));
    await sameGrad("conv2dTranspose", [{ shape: [2, 4, 4, 4] }, { shape: [3, 3, 3, 4] }], (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 3], 2, "same"));
  });

  it("runs max/avg pooling with gradients", async () => {
    for (const [k, s, pad] of [[2, 2, "valid"], [3, 2, "same"], [3, 1, "same"], [2, 2, "same"]] as const) {
      await sameGrad(`maxPool ${k}/${s} ${pad}`, [{ shape: [2, 7, 8, 3] }], (x) => tf.maxPool(x as tf.Tensor4D, k, s, pad));
      await sameGrad(`avgPool ${k}/${s} ${pad}`, [{ shape: [2, 7, 8, 3] }], (x) => tf.avgPool(x as tf.Tensor4D, k, s, pad));
    }
  });

  it("runs matMul (transposes, batch broadcast, fused bias/activation) and softmax with gradients", async () => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      await sameGrad(`matMul ${ta} ${tb}`, [{ shape: ta ? [5, 3] : [3, 5] }, { shape: tb ? [4, 5] : [5, 4] }], (a, b) => tf.matMul(a, b, ta, tb));
    }
    // tfjs's BatchMatMul gradient does not reduce broadcast batch dims (fails on cpu too): forward only.
    await same("batch matMul broadcast", [{ shape: [2, 3, 5] }, { shape: [1, 5, 4] }], (a, b) => tf.matMul(a, b));
    await sameGrad("batch matMul", [{ shape: [2, 3, 5] }, { shape: [2, 5, 4] }], (a, b) => tf.matMul(a, b));
    await sameGrad("fused matMul", [{ shape: [3, 5] }, { shape: [5, 4] }, { shape: [4] }], (a, b, c) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: "relu" }));
    await sameGrad("softmax", [{ shape: [3, 6] }], (x) => tf.softmax(x));
    await sameGrad("logSoftmax", [{ shape: [3, 6] }], (x) => tf.logSoftmax(x));
    await sameGrad("batchNorm", [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [4], lo: 0.5, hi: 2 }, { shape: [4] }, { shape: [4] }],
      (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, 1e-3));
  });

  it("runs training batch norm as ATen's fused kernels, equal to the composed ops of other backends, with gradients", async () => {
    for (const k of [BN_TRAIN_KERNEL, BN_TRAIN_GRAD_KERNEL]) assert.ok(tf.getKernel(k, "native"), `${k} registered on native`);
    assert.equal(tf.getKernel(BN_TRAIN_KERNEL, "cpu"), undefined, "the cpu side runs the composed ops");
    // [..., C] of ranks 2 and 4, a single row per channel (variance 0: eps alone), C = 1.
    for (const shape of [[2, 5, 6, 3], [7, 4], [1, 1, 1, 2], [3, 2, 2, 1], [9, 1]]) {
      const c = shape[shape.length - 1];
      const specs: Spec[] = [{ shape }, { shape: [c], lo: 0.5, hi: 2 }, { shape: [c] }];
      await sameGrad(`batchNormTrain [${shape}]`, specs, (x, g, b) => batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D).y);
      await same(`batchNormTrain statistics [${shape}]`, specs, (x, g, b) => {
        const r = batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
        return [r.mean, r.variance];
      });
      // The fused tail: residual add, ReLU, both (gradients w.r.t. the residual too).
      const tails = [{ relu: true }, { residual: true }, { residual: true, relu: true }];
      for (const t of tails) {
        await sameGrad(`batchNormTrain [${shape}] ${JSON.stringify(t)}`, t.residual ? [...specs, { shape }] : specs, (x, g, b, r) =>
          batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, { residual: r, relu: t.relu }).y);
      }
    }
    // A large offset: the two-pass / Welford statistics keep the variance (no cancellation).
    await same("batchNormTrain offset data", [{ shape: [4, 8, 8, 5], lo: 1000, hi: 1001 }], (x) => batchNormTrain(x, null, null).variance);
  });

  it("runs cropAndResize (bilinear, nearest, outside boxes, flips, 1-pixel crops, bad box indices) as the cpu kernel", async () => {
    // Boxes: inside, partly outside (extrapolation), flipped (y1 > y2), a point, and one whose image index is out of range.
    const boxes = [[0.1, 0.2, 0.8, 0.9], [-0.2, 0.5, 0.6, 1.3], [0.9, 0.7, 0.2, 0.1], [0.5, 0.5, 0.5, 0.5], [0, 0, 1, 1]];
    const boxInd = [0, 1, 2, 1, 7];
    const fellBack = fallbackCalls.get("CropAndResize") ?? 0;
    const crop = (size: [number, number], method: "bilinear" | "nearest", extrap: number) => (img: tf.Tensor) =>
      tf.image.cropAndResize(img as tf.Tensor4D, tf.tensor2d(boxes), tf.tensor1d(boxInd, "int32"), size, method, extrap);
    for (const method of ["bilinear", "nearest"] as const) {
      await same(`cropAndResize ${method} 5x7`, [{ shape: [3, 9, 11, 2] }], crop([5, 7], method, -1));
      await same(`cropAndResize ${method} 1x4`, [{ shape: [3, 6, 6, 3] }], crop([1, 4], method, 0.5));
    }
    await same("cropAndResize int32 image", [{ shape: [3, 5, 5, 1], dtype: "int32", lo: 0, hi: 9 }], crop([4, 4], "bilinear", 0));
    assert.equal(fallbackCalls.get("CropAndResize") ?? 0, fellBack, "ran natively, not through the cpu fallback");
    // The CPU runs a direct loop; the gather form that GPUs run must give the same values.
    const nb = tf.backend() as NativeBackend;
    for (const method of ["bilinear", "nearest"] as const) {
      const img = tf.randomUniform([3, 9, 11, 2], 0, 1, "float32", 5) as tf.Tensor4D;
      const bx = tf.tensor2d(boxes), bi = tf.tensor1d(boxInd, "int32");
      const loop = tf.image.cropAndResize(img, bx, bi, [5, 7], method, -1);
      const attrs = { cropHeight: 5, cropWidth: 7, nearest: method === "nearest", extrapolationValue: -1, gatherForm: true };
      const info = runOp(nb, "CropAndResize", [img, bx, bi].map((t) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype })), attrs, "float32")[0];
      const gathered = tf.engine().makeTensorFromTensorInfo(info);
      assert.ok(tf.max(tf.abs(tf.sub(loop, gathered))).dataSync()[0] < 1e-5, `gather form, ${method}`);
      tf.dispose([img, bx, bi, loop, gathered]);
    }
  });

  it("moves data: reshape, transpose, concat, slice, pad, tile, reverse, gather, oneHot, split, stack, where, cast, fill", async () => {
    const x: Spec = { shape: [2, 3, 4] };
    await sameGrad("reshape/transpose", [x], (t) => tf.transpose(tf.reshape(t, [6, 4]), [1, 0]));
    await sameGrad("transpose 3d", [x], (t) => tf.transpose(t, [2, 0, 1]));
    await sameGrad("concat", [x, { shape: [2, 1, 4] }], (a, b) => tf.concat([a, b], 1));
    await sameGrad("slice", [x], (t) => tf.slice(t, [1, 0, 1], [1, -1, 2]));
    await sameGrad("pad", [x], (t) => tf.pad(t, [[0, 1], [2, 0], [1, 1]], 0.5));
    await sameGrad("tile", [{ shape: [2, 3] }], (t) => tf.tile(t, [2, 1]));
    await sameGrad("reverse", [x], (t) => tf.reverse(t, [0, 2]));
    await same("gather", [x, { shape: [5], dtype: "int32", lo: 0, hi: 3 }], (t, i) => [tf.gather(t, i, 1), tf.gather(t, tf.tensor1d([1, 0], "int32"))]);
    await same("oneHot", [{ shape: [6], dtype: "int32", lo: -1, hi: 5 }], (i) => tf.oneHot(i as tf.Tensor1D, 4, 2, -1));
    await same("split/stack/unstack", [x], (t) => [...tf.split(t, [1, 3], 2), tf.stack([t, t], 1), ...tf.unstack(t, 1)]);
    await sameGrad("where", [{ shape: [3, 4] }, { shape: [3, 4] }], (a, b) => tf.where(tf.tensor2d([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 0]]).cast("bool"), a, b));
    await same("where with a broadcast condition", [{ shape: [3, 2] }, { shape: [3, 2] }], (a, b) => tf.where(tf.tensor2d([[1], [0], [1]]).cast("bool"), a, b));
    await same("casts", [{ shape: [7], lo: -3, hi: 3 }], (t) => [tf.cast(t, "int32"), tf.cast(t, "bool"), tf.cast(tf.cast(t, "int32"), "float32")]);
    await same("fill/zerosLike/onesLike", [x], (t) => [tf.fill([2, 2], 3.5), tf.fill([3], 2, "int32"), tf.zerosLike(t), tf.onesLike(t)]);
    // Range: rising, falling (step 1 turns into -1), fractional steps (float32 accumulates), empty, int32.
    const fellBack = fallbackCalls.get("Range") ?? 0;
    await same("range", [x], () => [
      tf.range(0, 10), tf.range(5, -3), tf.range(0, 1, 0.1), tf.range(2.5, -1.7, -0.3), tf.range(3, 3), tf.range(0, 5, -1),
      tf.range(0, 7, 2, "int32"), tf.range(9, 0, -4, "int32"), tf.range(-2, 3, 1, "int32"),
    ]);
    assert.equal(fallbackCalls.get("Range") ?? 0, fellBack, "Range ran natively");
    await same("addN", [x, x, x], (a, b, c) => tf.addN([a, b, c]));
  });

  it("runs kernels without a native version through the cpu fallback and counts them", async () => {
    const before = fallbackCalls.get("Cumsum") ?? 0;
    await same("cumsum (fallback)", [{ shape: [3, 4] }], (t) => tf.cumsum(t, 1));
    assert.equal((fallbackCalls.get("Cumsum") ?? 0) - before, 1);
    await same("range (fallback)", [], () => tf.range(0, 5, 1));
  });

  it("shares storage on reshape, frees ATen memory on dispose, and keeps tensor counts flat over training steps", async () => {
    const s0 = addon!.stats();
    const big = tf.ones([256, 1024]);
    const r = tf.reshape(big, [1024, 256]);
    const s1 = addon!.stats();
    assert.equal(s1.tensors - s0.tensors, 2);
    assert.equal(s1.bytes - s0.bytes, 256 * 1024 * 4, "a reshape shares its input's storage");
    tf.dispose([big, r]);
    assert.deepEqual(addon!.stats().bytes, s0.bytes);
    // A tiny CNN trained with SGD: counts after each step equal those after the first.
    const w = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 0.3, "float32", 5));
    const v = tf.variable(tf.randomNormal([4, 2], 0, 0.3, "float32", 6));
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 7);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
    const opt = tf.train.sgd(0.1);
    const counts: [number, number, number][] = [];
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const loss = opt.minimize(() => {
        const h = tf.maxPool(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Variable<tf.Rank.R4>, 1, "same")), 2, 2, "same");
        return tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.mean(h, [1, 2]), v));
      }, true)!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
      counts.push([tf.memory().numTensors, addon!.stats().tensors, addon!.stats().bytes]);
    }
    assert.ok(losses[3] < losses[0], `loss decreases: ${losses}`);
    for (const c of counts.slice(1)) assert.deepEqual(c, counts[0]);
    tf.dispose([w, v, x, y]);
    opt.dispose();
  });

  it("names the op, its inputs' dtypes and shapes, and the cause in every error an op throws, and leaks no handle", async () => {
    const a = addon!;
    const before = a.stats().tensors;
    const x = a.fromTyped(new Float32Array(6), [2, 3], 0), y = a.fromTyped(new Float32Array(20), [4, 5], 0);
    const k = a.fromTyped(new Int32Array(3), [3], 1);
    const thrown = (f: () => unknown): string => {
      try { f(); } catch (e) { return (e as Error).message; }
      assert.fail("expected the addon to throw");
    };
    // An ATen error (TORCH_CHECK in at::matmul): the op, both inputs, ATen's reason, no C++ backtrace.
    const mm = thrown(() => a.op("BatchMatMul", [x, y], { transposeA: false, transposeB: false }, 0));
    assert.match(mm, /^native op BatchMatMul\(a float32\[2,3\], b float32\[4,5\]\): mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)$/);
    // The same through the tfjs side's runOp, as a kernel calls it (tfjs's own shape checks are bypassed).
    const nb = tf.backend() as NativeBackend;
    const ta = tf.zeros([2, 3]), tb = tf.zeros([4, 5]);
    const infos = [ta, tb].map((t) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
    assert.throws(() => runOp(nb, "BatchMatMul", infos, { transposeA: false, transposeB: false }, "float32"), /native op BatchMatMul\(a float32\[2,3\], b float32\[4,5\]\): mat1 and mat2/);
    tf.dispose([ta, tb]);
    // Errors of the op's own code: a missing attribute, an attribute of the wrong type, an int input.
    assert.equal(thrown(() => a.op("Conv2D", [x, y], {}, 0)), "native op Conv2D(x float32[2,3], filter float32[4,5]): missing attribute 'kh'");
    assert.match(thrown(() => a.op("Sum", [x], { axes: "1", keepDims: false }, 0)), /^native op Sum\(x float32\[2,3\]\): attribute 'axes': /);
    assert.match(thrown(() => a.op("GatherV2", [x, k], { axis: 5 }, 0)), /^native op GatherV2\(x float32\[2,3\], indices int32\[3\]\): .*[Dd]imension out of range/);
    // Lookups: an unknown op, too few inputs, a freed handle, a bad output dtype code.
    assert.match(thrown(() => a.op("NoSuchOp", [x], {}, 0)), /^native op NoSuchOp: no such op among the addon's \d+ /);
    assert.equal(thrown(() => a.op("Add", [x], {}, 0)), "native op Add(a float32[2,3]): needs 2 inputs, got 1");
    assert.match(thrown(() => a.op("FusedConv2D", [x, y], { bias: 4 }, 0)), /^native op FusedConv2D\(x float32\[2,3\], filter float32\[4,5\]\): attribute 'bias' names input 4, but the op got 2 inputs$/);
    a.free(k);
    assert.match(thrown(() => a.op("Add", [x, k], {}, 0)), new RegExp(`^native op Add: input 1: unknown tensor handle ${k} `));
    assert.match(thrown(() => a.op("Add", [x, x], {}, 7)), /^native op Add\(a float32\[2,3\], b float32\[2,3\]\): unknown dtype code 7/);
    // Entry points other than op name themselves.
    assert.match(thrown(() => a.fromTyped(new Float32Array(3), [2, 3], 0)), /^native fromTyped: typed array has 12 bytes, shape needs 24$/);
    assert.match(thrown(() => a.toTyped(k)), /^native toTyped: unknown tensor handle/);
    a.free(x);
    a.free(y);
    assert.equal(a.stats().tensors, before, "no handle left behind by the failed calls");
  });

  it("gives the same numbers for the same seed (determinism on CPU)", async () => {
    const step = (): number[] => tf.tidy(() => {
      const x = tf.randomNormal([4, 16, 16, 8], 0, 1, "float32", 21);
      const w = tf.randomNormal([3, 3, 8, 8], 0, 0.2, "float32", 22);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"))))([x, w]);
      return [...gx.dataSync().slice(0, 50), ...gw.dataSync(), tf.sum(gx).dataSync()[0]];
    });
    assert.deepEqual(step(), step());
  });
});
