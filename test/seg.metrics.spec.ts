import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { segScores, batchScores, allForegroundDice, allForegroundBaseline } from "../lib/seg/metrics";
import { diceLoss, bceLoss, segLoss } from "../lib/seg/losses";
import { epochsFor, PAPER_EPOCHS } from "../lib/seg/schedule";
import { tileOrigins, extractTiles, stitchTiles } from "../lib/seg/tiles";
import { Rng } from "../lib/util/rng";
import { loadSegmentConfig } from "../lib/seg/config";

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("seg/metrics", () => {
  before(async () => { await initBackend(); });

  it("perfect prediction scores 1; disjoint masks score smooth/(Σy+Σp+smooth) ≈ 0", () => {
    const y = [1, 1, 0, 0, 1, 0];
    const s = segScores(y, y);
    close(s.dice, 1); close(s.iou, 1); close(s.diceT, 1); close(s.iouT, 1);
    const d = segScores(y, y.map((v) => 1 - v));
    close(d.dice, 1e-6 / (3 + 3 + 1e-6)); close(d.iou, 1e-6 / (3 + 3 + 1e-6));
  });

  it("soft scores follow the closed forms: p = 0.5 everywhere on a half-foreground mask", () => {
    // N = 8, Σy = 4, Σp = 4, Σyp = 2 → Dice = 4/8 = 0.5, IoU = 2/(4+4−2) = 1/3 (smooth 1e-6 is negligible).
    // Thresholded at 0.5: p ≥ 0.5 is all foreground → Dice = 8/12 = 2/3, IoU = 4/8 = 1/2.
    const y = [1, 1, 1, 1, 0, 0, 0, 0], p = new Array(8).fill(0.5);
    const s = segScores(y, p);
    close(s.dice, 0.5, 1e-6); close(s.iou, 1 / 3, 1e-6); close(s.diceT, 2 / 3, 1e-6); close(s.iouT, 0.5, 1e-6);
  });

  it("hard IoU = Dice / (2 − Dice) on random binary predictions; an empty truth and prediction scores 1", () => {
    const rng = new Rng(6201);
    for (let t = 0; t < 20; t++) {
      const y = Array.from({ length: 100 }, () => (rng.bernoulli(0.3) ? 1 : 0));
      const p = Array.from({ length: 100 }, () => (rng.bernoulli(0.4) ? 0.9 : 0.1));
      const s = segScores(y, p);
      close(s.iouT, s.diceT / (2 - s.diceT), 1e-6);
    }
    const e = segScores([0, 0, 0], [0, 0, 0]);
    close(e.dice, 1); close(e.iou, 1);
  });

  it("batchScores gives the per-image scores of segScores", () => {
    const rng = new Rng(6202);
    const y = Array.from({ length: 3 * 16 }, () => (rng.bernoulli(0.5) ? 1 : 0));
    const p = Array.from({ length: 3 * 16 }, () => rng.next());
    const yt = tf.tensor4d(y, [3, 4, 4, 1]), pt = tf.tensor4d(p, [3, 4, 4, 1]);
    const b = batchScores(yt, pt);
    for (let i = 0; i < 3; i++) {
      const s = segScores(y.slice(i * 16, (i + 1) * 16), p.slice(i * 16, (i + 1) * 16));
      close(b[i].dice, s.dice, 1e-6); close(b[i].iouT, s.iouT, 1e-6);
    }
    tf.dispose([yt, pt]);
  });

  it("losses: Dice loss = 1 − batch Dice, 0 when perfect; BCE matches −mean(y log p + (1−y) log(1−p))", () => {
    const y = tf.tensor4d([1, 0, 1, 1], [1, 2, 2, 1]), p = tf.tensor4d([0.9, 0.2, 0.6, 0.7], [1, 2, 2, 1]);
    // Σyp = 2.2, Σy = 3, Σp = 2.4 → Dice = 4.4/5.4.
    close(diceLoss(y, p).dataSync()[0], 1 - 4.4 / 5.4, 1e-6);
    close(diceLoss(y, y).dataSync()[0], 0, 1e-6);
    const bce = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.7)) / 4;
    close(bceLoss(y, p).dataSync()[0], bce, 1e-5);
    close(segLoss("bce+dice", y, p).dataSync()[0], bce + 1 - 4.4 / 5.4, 1e-5);
    assert.throws(() => segLoss("focal" as never, y, p), /unknown loss 'focal'/);
    tf.dispose([y, p]);
  });
});

describe("seg/schedule", () => {
  it("gives the paper's epochs per labelled size and the nearest lower entry in between", () => {
    const want: Record<number, number> = { 80: 20, 32: 30, 16: 40, 8: 60, 4: 120, 2: 120, 1: 120 };
    for (const [n, e] of Object.entries(want)) assert.equal(epochsFor(Number(n), PAPER_EPOCHS), e);
    assert.equal(epochsFor(20), 40); // between 16 and 32 → 16's
    assert.equal(epochsFor(200), 20);
    assert.equal(epochsFor(3, { 4: 9, 8: 5 }), 9); // below every key → smallest key's
  });
});

describe("seg/tiles", () => {
  it("places windows on a grid with the last flush to the edge", () => {
    assert.deepEqual(tileOrigins(100, 32), [0, 32, 64, 68]);
    assert.deepEqual(tileOrigins(96, 32), [0, 32, 64]);
    assert.deepEqual(tileOrigins(20, 32), [0]);
  });

  it("extract then stitch returns the image (overlaps averaged), also for images smaller than a tile", () => {
    const rng = new Rng(6203);
    for (const [h, w] of [[100, 70], [64, 64], [20, 50]]) {
      const img = Float32Array.from({ length: h * w }, () => rng.next());
      const t = extractTiles(img, h, w, 1, 32);
      const back = stitchTiles(t.tiles, t);
      for (let i = 0; i < img.length; i++) close(back[i], img[i], 1e-6);
    }
  });
});

describe("seg/config", () => {
  it("loads every profile; the paper profile carries the paper's settings", () => {
    for (const p of ["ci", "laptop", "paper"] as const) assert.ok(loadSegmentConfig(p).size % 32 === 0);
    const c = loadSegmentConfig("paper");
    // Paper (../shared/PAPER.md, "Segmentation"): filters 1024/512/256/128, 1 − Dice (smooth 1e-6), Adam, batch 4,
    // epochs {80:20, 32:30, 16:40, 8:60, 4:120, 2:120, 1:120}, stratified 80/20 split with seed 42.
    assert.deepEqual(c.filters, [1024, 512, 256, 128]);
    assert.equal(c.loss, "dice");
    assert.equal(c.smooth, 1e-6);
    assert.equal(c.batchSize, 4);
    assert.equal(c.learningRate, 1e-3);
    assert.equal(c.firstSplitSeed, 42);
    assert.equal(c.testFraction, 0.2);
    assert.equal(c.preprocess, "unit");
    assert.equal(c.trainEncoder, false);
    for (const [n, e] of Object.entries(PAPER_EPOCHS)) assert.equal(c.epochs[n], e);
  });
});

describe("seg/metrics: the all-foreground baseline", () => {
  it("is 2f/(1+f) per image (hand-worked: f = 0.5 → 2/3, f = 0 → 0, f = 1 → 1) and the median over named test images", async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const m = tf.tensor4d([1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], [3, 2, 2, 1]);
    const d = allForegroundDice(m);
    assert.ok(Math.abs(d[0] - 2 / 3) < 1e-12 && d[1] === 0 && Math.abs(d[2] - 1) < 1e-12, String(d));
    assert.ok(Math.abs(allForegroundBaseline(m, ["a", "b", "c"], ["a", "c"]) - (2 / 3 + 1) / 2) < 1e-12);
    assert.ok(Number.isNaN(allForegroundBaseline(m, ["a", "b", "c"], ["z"])));
    m.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
