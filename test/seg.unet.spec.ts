import * as path from "path";
import * as os from "os";
import * as fs from "fs";
import { cachedSegmentationSweep } from "../lib/seg/cached_sweep";
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { loadEncoder } from "../lib/models/load";
import type { Encoder } from "../lib/models/encoder";
import { UNet, defaultFilters } from "../lib/seg/unet";
import { trainSegmenter, predictProbabilities, computeSkipCache, disposeSkipCache } from "../lib/seg/train";
import { batchScores } from "../lib/seg/metrics";
import { segmentationSweep } from "../lib/seg/sweep";
import { toCsv } from "../lib/util/csv";
import { summarizeSeg, segRunsFrame, segmentationSummaryValues } from "../lib/seg/results";
import { makeMask } from "../lib/image/mask";
import { drawBar } from "../lib/quantify/draw";
import { Rng } from "../lib/util/rng";

/** Synthetic image/mask pairs: bright bars (the mask) on a dark, noisy background, [N,s,s,3] and [N,s,s,1]. */
function bars(n: number, size: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor4D } {
  const rng = new Rng(seed);
  const xs = new Float32Array(n * size * size * 3), ys = new Float32Array(n * size * size);
  for (let i = 0; i < n; i++) {
    const m = makeMask(size, size);
    for (let k = 0; k < 3; k++) drawBar(m, rng.uniform(0, size), rng.uniform(0, size), rng.uniform(size / 2, size), rng.uniform(3, 8), rng.uniform(0, 180));
    for (let p = 0; p < size * size; p++) {
      ys[i * size * size + p] = m.data[p];
      const v = 0.15 + 0.6 * m.data[p] + rng.normal(0, 0.05);
      for (let c = 0; c < 3; c++) xs[(i * size * size + p) * 3 + c] = v;
    }
  }
  return { x: tf.tensor4d(xs, [n, size, size, 3]), y: tf.tensor4d(ys, [n, size, size, 1]) };
}

describe("seg/unet", function () {
  let enc: Encoder;
  before(async () => {
    await initBackend();
    enc = await loadEncoder("resnet8", { seed: 3 });
  });
  after(() => enc.dispose());

  it("decodes to [N,H,W,1] probabilities for several input sizes (square and not)", () => {
    const net = new UNet(enc, { seed: 1 });
    for (const [h, w] of [[32, 32], [64, 64], [96, 96], [64, 128]]) {
      const x = tf.randomUniform([2, h, w, 3], 0, 1, "float32", 5) as tf.Tensor4D;
      const p = net.predict(x);
      assert.deepEqual(p.shape, [2, h, w, 1]);
      const [lo, hi] = [p.min().dataSync()[0], p.max().dataSync()[0]];
      assert.ok(lo > 0 && hi < 1, `sigmoid range ${lo}..${hi}`);
      tf.dispose([x, p]);
    }
    assert.throws(() => net.skips(tf.zeros([1, 48, 40, 3]) as tf.Tensor4D), /divisible by 32/);
    net.dispose();
  });

  it("uses the paper's filters on 2048-channel encoders and the skip widths on small ones; counts its parameters", () => {
    assert.deepEqual(defaultFilters([64, 256, 512, 1024, 2048]), [1024, 512, 256, 128]);
    assert.deepEqual(defaultFilters(enc.skipChannels), [enc.skipChannels[3], enc.skipChannels[2], enc.skipChannels[1], enc.skipChannels[0]]);
    const net = new UNet(enc, { filters: [8, 8, 8, 8] });
    // Closed form: up-kernels 4·4·out·in, BN 4·out (γ, β, mean, var), output kernel 4·4·1·in + bias.
    const c = enc.skipChannels;
    let inC = c[4], want = 0;
    for (let i = 0; i < 4; i++) { want += 16 * 8 * inC + 4 * 8; inC = 8 + c[3 - i]; }
    want += 16 * inC + 1;
    assert.equal(net.decoderParamCount, want);
    assert.equal(net.trainableVariables.length, 4 + 8 + 2);
    const ft = new UNet(enc, { trainEncoder: true });
    assert.equal(ft.trainableVariables.length, 14 + enc.trainableVariables.length);
    ft.dispose();
    net.dispose();
  });

  it("overfits two synthetic images (Dice rises above 0.85) without leaking tensors", () => {
    const { x, y } = bars(2, 64, 6204);
    const net = new UNet(enc, { seed: 2 });
    const p0 = net.predict(x);
    const before = batchScores(y, p0);
    p0.dispose();
    const n0 = tf.memory().numTensors;
    const res = trainSegmenter(net, x, y, { epochs: 60, batchSize: 2, learningRate: 0.01, seed: 1 });
    assert.equal(tf.memory().numTensors, n0, "tensor count changed across training");
    const p = predictProbabilities(net, x);
    const after = batchScores(y, p);
    p.dispose();
    const mean = (s: typeof after, k: "dice" | "diceT"): number => s.reduce((a, b) => a + b[k], 0) / s.length;
    assert.ok(res.losses[res.losses.length - 1] < res.losses[0] - 0.3, `loss ${res.losses[0]} → ${res.losses[res.losses.length - 1]}`);
    assert.ok(mean(after, "diceT") > 0.85 && mean(after, "diceT") > mean(before, "diceT") + 0.3,
      `Dice@0.5 ${mean(before, "diceT").toFixed(3)} → ${mean(after, "diceT").toFixed(3)}`);
    tf.dispose([x, y]);
    net.dispose();
  });

  it("keeps the tensor count flat step to step, also with a trainable encoder", () => {
    const { x, y } = bars(2, 32, 6205);
    for (const trainEncoder of [false, true]) {
      const net = new UNet(enc, { seed: 3, trainEncoder, filters: [8, 8, 8, 8] });
      trainSegmenter(net, x, y, { epochs: 1, batchSize: 2 }); // warm-up: creates nothing that stays
      const n0 = tf.memory().numTensors;
      trainSegmenter(net, x, y, { epochs: 3, batchSize: 1 });
      assert.equal(tf.memory().numTensors, n0, `trainEncoder=${trainEncoder}`);
      net.dispose();
    }
    tf.dispose([x, y]);
  });

  it("cachedSegmentationSweep trains once, then reads scores and overlay predictions back without the encoder", async () => {
    const saved = process.env.NANOMORPH_CACHE;
    process.env.NANOMORPH_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "nm-segcache-"));
    try {
      const { x, y } = bars(12, 32, 77);
      const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
      const data = { images: x, masks: y, labels, classes: ["a", "b"], files: labels.map((_, i) => `c${i}.png`) };
      const cfg = { labelsPerClass: [2, 1], splitSeeds: [42], epochs: { 1: 1, 2: 1 }, unet: { filters: [8, 8, 8, 8] } };
      let loads = 0;
      const load = async () => { loads++; return loadEncoder("resnet8", { seed: 3 }); };
      const a = await cachedSegmentationSweep({ spec: "resnet8", seed: 3 }, load, data, cfg, 42);
      const b = await cachedSegmentationSweep({ spec: "resnet8", seed: 3 }, load, data, cfg, 42);
      assert.equal(loads, 1, "the encoder is loaded only on the miss");
      assert.deepEqual([a.hit, b.hit], [false, true]);
      assert.deepEqual(b.rows, a.rows);
      assert.ok(a.overlay && b.overlay);
      assert.equal(b.overlay!.n, 1, "the last run of the overlay split (n order as configured)");
      assert.deepEqual(Array.from(b.overlay!.probs), Array.from(a.overlay!.probs));
      const c = await cachedSegmentationSweep({ spec: "resnet8", seed: 3 }, load, data, { ...cfg, labelsPerClass: [1] }, 42);
      assert.equal(c.hit, false, "another n list is another stage key");
      x.dispose(); y.dispose();
    } finally {
      if (saved === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = saved;
    }
  });

  it("sweeps n per class over stratified splits and scores every test image once per run", () => {
    const { x, y } = bars(12, 32, 6206);
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    const files = labels.map((_, i) => `img${i}.png`);
    const n0 = tf.memory().numTensors;
    const rows = segmentationSweep(enc, { images: x, masks: y, labels, classes: ["a", "b"], files }, {
      labelsPerClass: [1, 2], splitSeeds: [42, 43], epochs: { 1: 2, 2: 1 }, unet: { filters: [8, 8, 8, 8] },
    });
    assert.equal(tf.memory().numTensors, n0, "sweep leaked tensors");
    // Stratified 80/20 of 6 per class → 1 test image per class (round(0.2·6) = 1), 2 per run; 2 n × 2 splits.
    assert.equal(rows.length, 2 * 2 * 2);
    for (const seed of [42, 43]) {
      const test = rows.filter((r) => r.splitSeed === seed && r.n === 1);
      assert.deepEqual(test.map((r) => r.class).sort(), ["a", "b"]);
      assert.deepEqual(rows.filter((r) => r.splitSeed === seed && r.n === 2).map((r) => r.image), test.map((r) => r.image));
    }
    assert.ok(rows.every((r) => r.dice > 0 && r.dice < 1 && r.epochs === (r.n === 1 ? 2 : 1)));
    const sum = summarizeSeg(rows);
    assert.equal(sum.length, 2 * 4);
    assert.equal(toCsv(rows).trim().split("\n").length, rows.length + 1);
    const df = segRunsFrame(rows);
    assert.deepEqual(df.shape, [rows.length, Object.keys(rows[0]).length]);
    const v = segmentationSummaryValues(rows);
    assert.deepEqual(v.labelsPerClass, [1, 2]);
    assert.equal(v.medians.dice[0], sum.find((x) => x.n === 1 && x.metric === "dice")!.median);
    tf.dispose([x, y]);
  });

  it("trains from a precomputed skip cache exactly as from images (same seed → same loss curve)", () => {
    const { x, y } = bars(3, 32, 6207);
    const a = new UNet(enc, { seed: 9, filters: [8, 8, 8, 8] }), b = new UNet(enc, { seed: 9, filters: [8, 8, 8, 8] });
    const la = trainSegmenter(a, x, y, { epochs: 2, batchSize: 2, seed: 4, cacheSkipsMB: 0 }).losses;
    const cache = computeSkipCache(b, x);
    const lb = trainSegmenter(b, x, y, { epochs: 2, batchSize: 2, seed: 4, skipCache: cache }).losses;
    disposeSkipCache(cache);
    la.forEach((l, i) => assert.ok(Math.abs(l - lb[i]) < 1e-4, `epoch ${i}: ${l} vs ${lb[i]}`));
    a.dispose(); b.dispose(); tf.dispose([x, y]);
  });
});
