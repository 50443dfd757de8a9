import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { Rng } from "../lib/util/rng";
import { augmentBatch, drawAugment, applyAugment, rgbToHsv, hsvToRgb, resolveAugment } from "../lib/ssl/augment";

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe("ssl: augmentations", () => {
  let x: tf.Tensor4D;
  before(async () => {
    await initBackend();
    x = tf.randomUniform([6, 16, 16, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  });
  after(() => x.dispose());

  it("defaults are the paper's (flip 0.5, crop [0.25, 0.5), jitter 0.8, contrast/saturation [0.2, 1.8], hue 0.2)", () => {
    assert.deepEqual(resolveAugment(), {
      flipProb: 0.5, crop: "random", cropMin: 0.25, cropMax: 0.5, jitterProb: 0.8, contrast: [0.2, 1.8], saturation: [0.2, 1.8], hue: 0.2,
    });
    assert.throws(() => resolveAugment({ flipProb: 1.5 }), /flipProb/);
  });

  it("keeps the shape, stays in [0,1], leaks nothing, and is deterministic per seed", () => {
    for (const crop of ["random", "constant25", "constant50", "none"] as const) {
      const before = tf.memory().numTensors;
      const a = augmentBatch(x, { crop }, new Rng(5));
      const b = augmentBatch(x, { crop }, new Rng(5));
      const c = augmentBatch(x, { crop }, new Rng(6));
      assert.equal(tf.memory().numTensors, before + 3);
      assert.deepEqual(a.shape, x.shape);
      assert.ok(tf.min(a).dataSync()[0] >= 0 && tf.max(a).dataSync()[0] <= 1);
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `same seed, crop ${crop}`);
      assert.ok(maxAbs(a, c) > 1e-3, `another seed differs, crop ${crop}`);
      [a, b, c].forEach((t) => t.dispose());
    }
  });

  it("draws crop sides in [25%, 50%) and the constant variants exactly", () => {
    const d = drawAugment(500, {}, new Rng(1));
    const sides = d.boxes!.map((b) => b[2] - b[0]);
    assert.ok(Math.min(...sides) >= 0.25 && Math.max(...sides) < 0.5);
    d.boxes!.forEach((b) => assert.ok(b[0] >= 0 && b[1] >= 0 && b[2] <= 1 + 1e-12 && b[3] <= 1 + 1e-12));
    // Flip ~ Bernoulli(0.5), jitter ~ Bernoulli(0.8): 500 draws, 5-sigma bands.
    const flips = d.flip.filter(Boolean).length;
    const jit = d.jitter.filter(Boolean).length;
    assert.ok(Math.abs(flips - 250) < 5 * Math.sqrt(125), `flips ${flips}`);
    assert.ok(Math.abs(jit - 400) < 5 * Math.sqrt(80), `jitters ${jit}`);
    assert.ok(drawAugment(20, { crop: "constant25" }, new Rng(2)).boxes!.every((b) => Math.abs(b[2] - b[0] - 0.25) < 1e-12));
    assert.ok(drawAugment(20, { crop: "constant50" }, new Rng(2)).boxes!.every((b) => Math.abs(b[3] - b[1] - 0.5) < 1e-12));
    assert.equal(drawAugment(3, { crop: "none" }, new Rng(2)).boxes, null);
  });

  it("is the identity when every probability is 0 and there is no crop", () => {
    const y = augmentBatch(x, { flipProb: 0, jitterProb: 0, crop: "none" }, new Rng(9));
    assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
    y.dispose();
  });

  it("flip p=1 mirrors the width axis exactly", () => {
    const y = augmentBatch(x, { flipProb: 1, jitterProb: 0, crop: "none" }, new Rng(9));
    const r = tf.reverse(x, 2);
    assert.equal(maxAbs(y, r), 0);
    [y, r].forEach((t) => t.dispose());
  });

  it("crop + resize of a horizontal ramp matches the bilinear closed form", () => {
    // Image value = column/(W−1). A box [y1,x1,y2,x2] resized back to W columns samples column
    // x1·(W−1) + j·(x2−x1)·(W−1)/(W−1), so output column j = x1 + j·(x2−x1)/(W−1) (linear → exact under bilinear).
    const W = 16;
    const ramp = tf.tidy(() => tf.tile(tf.reshape(tf.div(tf.range(0, W), W - 1), [1, 1, W, 1]), [2, W, 1, 3]) as tf.Tensor4D);
    const d = drawAugment(2, { flipProb: 0, jitterProb: 0, crop: "random" }, new Rng(4));
    const y = applyAugment(ramp, d);
    const v = y.arraySync() as number[][][][];
    for (let i = 0; i < 2; i++) {
      const [, x1, , x2] = d.boxes![i];
      for (const j of [0, 5, W - 1]) {
        const expected = x1 + (j * (x2 - x1)) / (W - 1);
        assert.ok(Math.abs(v[i][3][j][1] - expected) < 1e-5, `image ${i} col ${j}: ${v[i][3][j][1]} vs ${expected}`);
      }
    }
    [ramp, y].forEach((t) => t.dispose());
  });

  it("RGB↔HSV matches hand-worked values (colorsys conventions) and round-trips", () => {
    // (r,g,b) → (h,s,v): pure red/green/blue at h = 0, 1/3, 2/3; (0.2,0.4,0.6): max b, Δ = 0.4,
    // h = (4 + (0.2−0.4)/0.4)/6 = 0.58333, s = 0.4/0.6; (0.5,0.25,0.25): h 0, s 0.5, v 0.5; grey: h 0, s 0.
    const rgb = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.4, 0.6], [0.5, 0.25, 0.25], [0.3, 0.3, 0.3]]);
    const expected = [[0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1], [3.5 / 6, 0.4 / 0.6, 0.6], [0, 0.5, 0.5], [0, 0, 0.3]];
    const hsv = rgbToHsv(rgb);
    const got = hsv.arraySync() as number[][];
    got.forEach((row, i) => row.forEach((val, k) => assert.ok(Math.abs(val - expected[i][k]) < 1e-6, `row ${i} ch ${k}: ${val}`)));
    const back = hsvToRgb(hsv);
    assert.ok(maxAbs(back, rgb) < 1e-6);
    const rnd = tf.randomUniform([200, 3], 0, 1, "float32", 1);
    const rt = hsvToRgb(rgbToHsv(rnd));
    assert.ok(maxAbs(rt, rnd) < 1e-5);
    [rgb, hsv, back, rnd, rt].forEach((t) => t.dispose());
  });

  it("colour jitter: contrast closed form, saturation 0 → grey, hue +1/3 turns red into green", () => {
    const img = tf.tidy(() => tf.concat([tf.fill([1, 4, 4, 3], 0.25), tf.fill([1, 4, 4, 3], 0.75)], 1) as tf.Tensor4D); // two halves
    const base = { flipProb: 0, crop: "none" as const, jitterProb: 1 };
    // contrast 1.5 on a per-channel mean of 0.5: 0.25 → 0.125, 0.75 → 0.875 (grey stays grey under saturation/hue).
    const c = augmentBatch(img, { ...base, contrast: [1.5, 1.5], saturation: [1, 1], hue: 0 }, new Rng(1));
    const cv = c.dataSync();
    assert.ok(Math.abs(cv[0] - 0.125) < 1e-6 && Math.abs(cv[cv.length - 1] - 0.875) < 1e-6);
    const col = tf.tidy(() => tf.tile(tf.tensor4d([0.9, 0.3, 0.1], [1, 1, 1, 3]), [1, 4, 4, 1]) as tf.Tensor4D);
    const grey = augmentBatch(col, { ...base, contrast: [1, 1], saturation: [0, 0], hue: 0 }, new Rng(1));
    // s = 0 → every channel equals v = max channel = 0.9.
    grey.dataSync().forEach((v) => assert.ok(Math.abs(v - 0.9) < 1e-6));
    const red = tf.tidy(() => tf.tile(tf.tensor4d([1, 0, 0], [1, 1, 1, 3]), [1, 2, 2, 1]) as tf.Tensor4D);
    const d = drawAugment(1, { ...base, contrast: [1, 1], saturation: [1, 1] }, new Rng(1));
    d.hue = [1 / 3];
    const green = applyAugment(red, d);
    assert.deepEqual(Array.from(green.dataSync()).map((v) => Math.round(v * 1e5) / 1e5), [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0]);
    [img, c, col, grey, red, green].forEach((t) => t.dispose());
  });
});
