import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { readCheckpoint } from "../lib/models/index";
import {
  pretrain, NonFiniteLossError, cosineDecay, Sgd, knnAccuracy, pretrainConfigFor, readPretrainLog, type PretrainConfig,
} from "../lib/ssl/index";
import { pretrainProfileNote } from "../lib/ssl/experiment";

/** Tiny, fast run: resnet8 at 32², 8 images, batch 4 (2 steps/epoch), 3 epochs, small head. */
const TINY: Partial<PretrainConfig> = {
  encoder: "resnet8", imageSize: 32, batchSize: 4, epochs: 3, projection: [16, 8, 32], checkpointEvery: 1,
  lr: { initial: 0.05, spanRun: true }, monitorEvery: 0,
};

describe("ssl: schedule, SGD, kNN monitor, config", () => {
  before(async () => { await initBackend(); });

  it("cosine decay: 0.2 → 0.1 at step 500 → 0 from step 1000 on (paper); spanRun decays over the run", () => {
    // Closed form 0.2·½(1 + cos(π·t/T)).
    assert.equal(cosineDecay(0), 0.2);
    assert.ok(Math.abs(cosineDecay(500) - 0.1) < 1e-12);
    assert.ok(Math.abs(cosineDecay(250) - 0.1 * (1 + Math.SQRT1_2)) < 1e-12);
    assert.equal(cosineDecay(1000), 0);
    assert.equal(cosineDecay(2600), 0);
    assert.ok(Math.abs(cosineDecay(1300, { spanRun: true }, 2600) - 0.1) < 1e-12);
    assert.throws(() => cosineDecay(1, { spanRun: true }), /decay length/);
  });

  it("SGD with momentum follows Keras' update rule (hand-worked two steps)", () => {
    // v1 = −lr·g0 = −0.1·2 = −0.2, w1 = 0.8; v2 = 0.9·(−0.2) − 0.1·(2·0.8) = −0.34, w2 = 0.46 (loss w², g = 2w).
    const w = tf.variable(tf.scalar(1));
    const sgd = new Sgd(new Map([["w", w]]), { momentum: 0.9 });
    for (let i = 0; i < 2; i++) {
      const g = tf.mul(w, 2);
      sgd.apply(new Map([["w", g]]), 0.1);
      g.dispose();
    }
    assert.ok(Math.abs(w.dataSync()[0] - 0.46) < 1e-6);
    assert.ok(Math.abs(sgd.state.get("w").dataSync()[0] + 0.34) < 1e-6);
    sgd.dispose(); w.dispose();
  });

  it("kNN leave-one-out accuracy: 1 on separated clusters, hand-worked value on a mixed case", () => {
    const sep = tf.tensor2d([[1, 0], [0.9, 0.1], [0.95, 0.05], [0, 1], [0.1, 0.9], [0.05, 0.95]]);
    assert.equal(knnAccuracy(sep, [0, 0, 0, 1, 1, 1], 2), 1);
    // 1-NN by cosine: row 2 [0.7,0.3]'s nearest is row 0 [1,0]? cos = 0.919 vs row 3 [0.6,0.4]: 0.995 → label 1 ≠ 0.
    // Rows: 0 [1,0] L0 (nn row1 L0 ✓), 1 [0.99,0.05] L0 (nn row0 ✓), 2 [0.7,0.3] L0 (nn row3 L1 ✗), 3 [0.6,0.4] L1 (nn row2 L0 ✗) → 2/4.
    const mixed = tf.tensor2d([[1, 0], [0.99, 0.05], [0.7, 0.3], [0.6, 0.4]]);
    assert.equal(knnAccuracy(mixed, [0, 0, 0, 1], 1), 0.5);
    assert.throws(() => knnAccuracy(mixed, [0, 1], 1), /2 labels for 4/);
    sep.dispose(); mixed.dispose();
  });

  it("configs/pretrain.json: paper profile = the paper's settings; SimCLR without crop; ci uses resnet8", () => {
    const p = pretrainConfigFor("paper", { method: "barlow" });
    assert.deepEqual([p.encoder, p.imageSize, p.batchSize, p.epochs, p.checkpointEvery, p.seed, p.temperature], ["imagenet", 224, 64, 200, 20, 42, 0.1]);
    assert.deepEqual(p.lr, { initial: 0.2, decaySteps: 1000, alpha: 0, spanRun: false });
    assert.deepEqual(p.projection, [128, 64, 1024]);
    assert.equal(p.augment.crop, "random");
    assert.equal(pretrainConfigFor("paper", { method: "simclr" }).augment.crop, "none");
    assert.equal(pretrainConfigFor("ci", { method: "simclr" }).encoder, "resnet8");
  });

  it("profile settings resolve for every profile and method; a caller's overrides win over the method's section, which wins over the profile", () => {
    for (const profile of ["ci", "laptop", "quality", "paper"] as const) {
      for (const method of ["simclr", "barlow"] as const) {
        const c = pretrainConfigFor(profile, { method });
        assert.equal(c.method, method);
        assert.ok(Number.isInteger(c.epochs) && c.epochs >= 1 && Number.isInteger(c.batchSize) && c.batchSize >= 2, `${profile}/${method}`);
        // overrides are applied last, whatever the profile or method says
        const o = pretrainConfigFor(profile, { method, epochs: 1, batchSize: 4, imageSize: 64 });
        assert.deepEqual([o.epochs, o.batchSize, o.imageSize], [1, 4, 64]);
      }
    }
    // The method's own section beats the profile's: in the paper profile SimCLR has no crop, Barlow Twins does.
    assert.notEqual(pretrainConfigFor("paper", { method: "simclr" }).augment.crop, pretrainConfigFor("paper", { method: "barlow" }).augment.crop);
    // Only the profile whose defaults were measured against frozen ImageNet says so.
    assert.match(pretrainProfileNote("quality") ?? "", /frozen ImageNet features .* as good .*docs\/defaults.md/);
    for (const p of ["ci", "laptop", "paper"] as const) assert.equal(pretrainProfileNote(p), undefined);
  });
});

describe("ssl: pretraining loop", () => {
  let tmp: string;
  let images: tf.Tensor4D;
  before(async () => {
    await initBackend();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-pretrain-"));
    images = tf.randomUniform([8, 32, 32, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  });
  after(() => { fs.rmSync(tmp, { recursive: true, force: true }); images.dispose(); });

  it("keeps the tensor count flat over 20 steps (tf.tidy per step)", async () => {
    const counts: number[] = [];
    const r = await pretrain({ ...TINY, method: "barlow", epochs: 10, checkpointEvery: 100 }, images, {
      out: path.join(tmp, "leak"), onEpoch: () => counts.push(tf.memory().numTensors),
    });
    assert.equal(r.steps, 20);
    assert.equal(counts.length, 10);
    assert.ok(counts.every((c) => c === counts[0]), `tensor counts per epoch: ${counts}`);
    r.encoder.dispose(); r.head.dispose();
  });

  for (const method of ["simclr", "barlow"] as const) {
    it(`${method}: an interrupted + resumed run replays the uninterrupted loss trajectory exactly`, async () => {
      const full = await pretrain({ ...TINY, method }, images, { out: path.join(tmp, `${method}-full`) });
      const outB = path.join(tmp, `${method}-split`);
      const first = await pretrain({ ...TINY, method }, images, { out: outB, stopAfterEpochs: 1 });
      assert.equal(first.steps, 2);
      first.encoder.dispose(); first.head.dispose();
      await assert.rejects(pretrain({ ...TINY, method }, images, { out: outB }), /already holds a run/);
      await assert.rejects(pretrain({ ...TINY, method, seed: 7 }, images, { out: outB, resume: true }), /config differs/);
      const resumed = await pretrain({ ...TINY, method }, images, { out: outB, resume: true });
      assert.equal(resumed.steps, 6);
      assert.deepEqual(resumed.stepLosses, full.stepLosses);
      assert.ok(full.stepLosses.every(Number.isFinite));
      for (const n of full.encoder.params.names()) {
        assert.deepEqual(Array.from(resumed.encoder.params.get(n).dataSync()), Array.from(full.encoder.params.get(n).dataSync()), n);
      }
      // Logs: loss.csv has a header + one row per step; log.json one record per epoch.
      const csv = fs.readFileSync(path.join(outB, "loss.csv"), "utf8").trim().split("\n");
      assert.equal(csv.length, 7);
      assert.equal(csv[0], "step,epoch,loss,lr");
      assert.deepEqual(csv[6].split(",").slice(0, 3).map(Number), [6, 3, full.stepLosses[5]]);
      assert.deepEqual(readPretrainLog(outB).epochs.map((e) => e.epoch), [1, 2, 3]);
      assert.equal(readCheckpoint(outB).manifest.step, 6);
      for (const r of [full, resumed]) { r.encoder.dispose(); r.head.dispose(); }
    });
  }

  it("resumes exactly from a mid-epoch checkpoint (as written on SIGINT)", async () => {
    const full = await pretrain({ ...TINY, method: "barlow" }, images, { out: path.join(tmp, "mid-full") });
    const out = path.join(tmp, "mid");
    const a = await pretrain({ ...TINY, method: "barlow" }, images, { out, stopAfterSteps: 3 });
    assert.equal(a.steps, 3);
    assert.ok(a.checkpoint.endsWith("step-00000003"), a.checkpoint);
    a.encoder.dispose(); a.head.dispose();
    const b = await pretrain({ ...TINY, method: "barlow" }, images, { out, resume: true });
    assert.deepEqual(b.stepLosses, full.stepLosses);
    assert.deepEqual(b.epochs.map((e) => e.meanLoss), full.epochs.map((e) => e.meanLoss));
    for (const r of [full, b]) { r.encoder.dispose(); r.head.dispose(); }
  });

  it("stops on a non-finite loss before the update, naming the last checkpoint written, which stays intact", async () => {
    // lr 1e30 blows the weights up at step 0 (loss still finite, checkpoint epoch-0001 written: 1 step per epoch);
    // step 1 then overflows float32 in BatchNorm and the loss is NaN.
    const out = path.join(tmp, "nan");
    const cfg = { ...TINY, method: "simclr" as const, batchSize: 8, lr: { initial: 1e30 } };
    await assert.rejects(pretrain(cfg, images, { out }), (e: Error) => {
      assert.ok(e instanceof NonFiniteLossError, String(e));
      assert.equal(e.step, 1);
      assert.ok(e.message.includes(path.join(out, "checkpoints", "epoch-0001")), e.message);
      return true;
    });
    const ck = readCheckpoint(out);
    assert.equal(ck.manifest.step, 1);
    const csv = fs.readFileSync(path.join(out, "loss.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, 2, "only the finite step is logged");
    assert.ok(Number.isFinite(Number(csv[1].split(",")[2])));
  });
});
