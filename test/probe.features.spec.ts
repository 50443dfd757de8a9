import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { loadEncoder } from "../lib/models/load";
import type { Encoder } from "../lib/models/encoder";
import { extractFeatures, embedTiled, featureCacheKey, encoderIdentity, defaultFeatureBatch } from "../lib/probe/features";
import { Rng } from "../lib/util/rng";

describe("probe/features", () => {
  let tmp = "", prevCache: string | undefined, enc: Encoder, files: string[] = [];
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "probe-features-"));
    prevCache = process.env.NANOMORPH_CACHE;
    process.env.NANOMORPH_CACHE = path.join(tmp, "cache");
    enc = await loadEncoder("resnet8", { seed: 3 });
    const r = new Rng(5);
    for (let i = 0; i < 5; i++) {
      const px = Buffer.alloc(64 * 64 * 3);
      for (let k = 0; k < px.length; k++) px[k] = Math.floor(r.next() * 256);
      const f = path.join(tmp, `img${i}.png`);
      await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(f);
      files.push(f);
    }
  });
  after(() => {
    enc?.dispose();
    if (prevCache === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = prevCache;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("computes [N × featureDim] features once, then serves identical ones from the cache without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const a = await extractFeatures(enc, files, { size: 32, batchSize: 2 });
    assert.equal(a.fromCache, false);
    assert.equal(a.X.rows, 5);
    assert.equal(a.X.cols, enc.featureDim);
    const b = await extractFeatures(enc, files, { size: 32 });
    assert.equal(b.fromCache, true);
    assert.deepEqual(b.X.data, a.X.data);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(a.X.data.every(Number.isFinite));
  });

  it("keys the cache on file contents, size, tiling and encoder weights", async () => {
    const k0 = await featureCacheKey(enc, files, { size: 32 });
    assert.equal(await featureCacheKey(enc, files, { size: 32 }), k0);
    assert.notEqual(await featureCacheKey(enc, files, { size: 64 }), k0);
    assert.notEqual(await featureCacheKey(enc, files, { size: 32, tiles: 2 }), k0);
    assert.notEqual(await featureCacheKey(enc, files.slice().reverse(), { size: 32 }), k0);
    const other = await loadEncoder("resnet8", { seed: 4 });
    try {
      assert.notEqual(encoderIdentity(other), encoderIdentity(enc));
    } finally { other.dispose(); }
    const copy = path.join(tmp, "copy.png");
    fs.copyFileSync(files[0], copy);
    assert.equal(await featureCacheKey(enc, [copy, ...files.slice(1)], { size: 32 }), k0); // same bytes, other name
  });

  it("tiled extraction is the mean of the per-tile embeddings", () => {
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const pooled = embedTiled(enc, x, 2);
    const manual = tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      for (const [r, c] of [[0, 0], [0, 32], [32, 0], [32, 32]]) parts.push(enc.embed(tf.slice(x, [0, r, c, 0], [2, 32, 32, 3])));
      return tf.addN(parts).div(4) as tf.Tensor2D;
    });
    const diff = tf.tidy(() => pooled.sub(manual).abs().max().dataSync()[0]);
    assert.ok(diff < 1e-5, `max |pooled − manual| = ${diff}`);
    tf.dispose([x, pooled, manual]);
  });

  it("sizes feature batches by pixels: 8 inputs of 224², capped to [1, 64]", () => {
    // 8·224² / s²: 224 → 8, 448 → 2, 1024 → 0.38 → 1, 64 → 98 → 64 (cap)
    assert.deepEqual([224, 448, 1024, 64].map(defaultFeatureBatch), [8, 2, 1, 64]);
  });
});
