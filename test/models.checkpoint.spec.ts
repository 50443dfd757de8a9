import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import {
  loadEncoder, ProjectionHead, saveCheckpoint, readCheckpoint, restoreGroup, describeEncoder,
} from "../lib/models/index";

describe("models: projection head", () => {
  before(async () => { await initBackend(); });

  it("has the paper's sizes 128 → 64 → 1024 by default and is seeded", () => {
    const h = new ProjectionHead({ inputDim: 32 }, 5);
    assert.deepEqual(h.sizes, [128, 64, 1024]);
    assert.equal(h.outputDim, 1024);
    assert.deepEqual(h.params.get("proj_dense_1/kernel").shape, [32, 128]);
    assert.deepEqual(h.params.get("proj_dense_3/kernel").shape, [64, 1024]);
    // 3 dense (kernel, bias) + 3 BN (gamma, beta) trainable.
    assert.equal(h.trainableVariables.length, 12);
    const h2 = new ProjectionHead({ inputDim: 32 }, 5);
    assert.deepEqual(Array.from(h2.params.get("proj_dense_2/kernel").dataSync()), Array.from(h.params.get("proj_dense_2/kernel").dataSync()));
    h.dispose(); h2.dispose();
  });

  it("training mode: each output column has batch mean 0 and variance v/(v+eps) (BN closed form, gamma=1, beta=0)", () => {
    const h = new ProjectionHead({ inputDim: 8, sizes: [16, 4, 6] }, 1);
    const x = tf.randomNormal([10, 8], 0, 1, "float32", 3) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const z = h.apply(x, true);
    assert.equal(tf.memory().numTensors, before + 1);
    assert.deepEqual(z.shape, [10, 6]);
    const { mean, variance } = tf.moments(z, 0);
    mean.dataSync().forEach((m) => assert.ok(Math.abs(m) < 1e-5, `mean ${m}`));
    // Output variance is v/(v+1e-3) with v the pre-BN batch variance: within (0.9, 1] unless v is tiny.
    variance.dataSync().forEach((v) => assert.ok(v > 0.9 && v <= 1 + 1e-5, `variance ${v}`));
    const inf = h.apply(x, false);
    assert.ok(tf.max(tf.abs(tf.sub(inf, z))).dataSync()[0] > 1e-2, "inference uses moving statistics");
    assert.throws(() => h.apply(tf.zeros([2, 7]) as tf.Tensor2D, false), /\[N,8\]/);
    [x, z, mean, variance, inf].forEach((t) => t.dispose());
    h.dispose();
  });
});

describe("models: checkpoints", () => {
  let tmp: string;
  before(async () => {
    await initBackend();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-ckpt-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("round-trips encoder + head + state; loadEncoder(dir) rebuilds the encoder", async () => {
    const enc = await loadEncoder("resnet8", { seed: 4 });
    enc.params.get("conv2_block1_2_bn/moving_variance").assign(tf.fill([16], 3));
    const head = new ProjectionHead({ inputDim: enc.featureDim, sizes: [8, 4] }, 2);
    const dir = path.join(tmp, "a");
    const m = saveCheckpoint(dir, { step: 7, epoch: 2, encoder: describeEncoder(enc), groups: { encoder: enc.params, head: head.params }, state: { losses: [1.5, 1.25] } });
    assert.equal(m.step, 7);
    const back = readCheckpoint(dir);
    assert.equal(back.manifest.epoch, 2);
    assert.deepEqual(back.manifest.state, { losses: [1.5, 1.25] });
    const head2 = new ProjectionHead({ inputDim: enc.featureDim, sizes: [8, 4] }, 99);
    restoreGroup(back, "head", head2.params);
    for (const n of head.params.names()) assert.deepEqual(Array.from(head2.params.get(n).dataSync()), Array.from(head.params.get(n).dataSync()), n);
    const enc2 = await loadEncoder(dir);
    assert.equal(enc2.name, "resnet8");
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 2) as tf.Tensor4D;
    const f1 = enc.embed(x);
    const f2 = enc2.embed(x);
    assert.deepEqual(Array.from(f2.dataSync()), Array.from(f1.dataSync()));
    // A run directory with latest.json resolves to the checkpoint it names.
    const run = path.join(tmp, "run");
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, "latest.json"), JSON.stringify({ checkpoint: path.relative(run, dir) }));
    assert.equal(readCheckpoint(run).manifest.step, 7);
    [x, f1, f2].forEach((t) => t.dispose());
    enc.dispose(); enc2.dispose(); head.dispose(); head2.dispose();
  });

  it("keeps the previous checkpoint readable when a save is interrupted, and detects corruption", async () => {
    const enc = await loadEncoder("resnet8", { seed: 1 });
    const dir = path.join(tmp, "b");
    saveCheckpoint(dir, { step: 1, epoch: 1, encoder: describeEncoder(enc), groups: { encoder: enc.params } });
    // An interrupted save: a new weights file lands but the manifest was never replaced.
    fs.writeFileSync(path.join(dir, "weights-00000002-dead00.bin"), Buffer.alloc(64));
    assert.equal(readCheckpoint(dir).manifest.step, 1);
    // A new save removes stale weight files.
    saveCheckpoint(dir, { step: 3, epoch: 2, encoder: describeEncoder(enc), groups: { encoder: enc.params } });
    const bins = fs.readdirSync(dir).filter((f) => f.endsWith(".bin"));
    assert.equal(bins.length, 1);
    // Flip one byte: the sha256 check names the file.
    const wf = path.join(dir, bins[0]);
    const buf = fs.readFileSync(wf);
    buf[100] ^= 0xff;
    fs.writeFileSync(wf, buf);
    assert.throws(() => readCheckpoint(dir), (e: Error) => e.message.includes(bins[0]) && e.message.includes("corrupt"));
    assert.throws(() => readCheckpoint(path.join(tmp, "nope")), /neither manifest.json/);
    enc.dispose();
  });
});
