import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { initBackend } from "../lib/backend/index";
import {
  loadEncoder, kerasLayerName, planResNet, RESNET50, RESNET18, RESNET8, imagenetProbabilities, imagenetLabels,
  embedInBatches, preprocess, initResNet, ResNetEncoder,
} from "../lib/models/index";

const CHELSEA = "/usr/lib/python3/dist-packages/skimage/data/chelsea.png";

/** chelsea.png (scikit-image's cat photo) resized to 224×224, in [0,1]. */
async function chelsea(): Promise<tf.Tensor4D> {
  const { data } = await sharp(CHELSEA).removeAlpha().resize(224, 224, { fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
  return tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(data), [1, 224, 224, 3]), 255) as tf.Tensor4D);
}

describe("models: layer naming and plans", () => {
  it("maps old Keras ResNet50 layer names to tf.keras names", () => {
    // Expected names: tf.keras.applications.resnet (block k: 0 = shortcut, 1..3 = branch2a..2c; letters a.. → blocks 1..).
    assert.equal(kerasLayerName("conv1"), "conv1_conv");
    assert.equal(kerasLayerName("bn_conv1"), "conv1_bn");
    assert.equal(kerasLayerName("res2a_branch1"), "conv2_block1_0_conv");
    assert.equal(kerasLayerName("res2c_branch2c"), "conv2_block3_3_conv");
    assert.equal(kerasLayerName("bn4f_branch2c"), "conv4_block6_3_bn");
    assert.equal(kerasLayerName("bn5a_branch2b"), "conv5_block1_2_bn");
    assert.equal(kerasLayerName("fc1000"), null);
    assert.equal(kerasLayerName("activation_3"), null);
  });

  it("plans ResNet50 with the tf.keras skip names and channels", () => {
    const p = planResNet(RESNET50);
    assert.deepEqual(p.skipNames, ["conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"]);
    assert.deepEqual(p.skipChannels, [64, 256, 512, 1024, 2048]);
    assert.equal(p.featureDim, 2048);
    // 53 convolutions in Keras ResNet50 (1 stem + 16 blocks × 3 + 4 shortcuts).
    const convs = 1 + p.stages.flat().reduce((n, b) => n + b.convs.length + (b.shortcut ? 1 : 0), 0);
    assert.equal(convs, 53);
  });

  it("plans the small ResNets", () => {
    assert.deepEqual(planResNet(RESNET18).skipChannels, [64, 64, 128, 256, 512]);
    assert.deepEqual(planResNet(RESNET8).skipChannels, [16, 16, 32, 64, 128]);
    assert.deepEqual(planResNet(RESNET8).skipNames, ["conv1_relu", "conv2_block1_out", "conv3_block1_out", "conv4_block1_out", "conv5_block1_out"]);
  });
});

describe("models: small encoders", () => {
  before(async () => { await initBackend(); });

  it("resnet8: embed shape, skip strides 2..32, same seed → same weights, no leak, input kept", async () => {
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 7) as tf.Tensor4D;
    const a = await loadEncoder("resnet8", { seed: 3 });
    const b = await loadEncoder("resnet8", { seed: 3 });
    const c = await loadEncoder("resnet8", { seed: 4 });
    assert.equal(a.featureDim, 128);
    const before = tf.memory().numTensors;
    const fa = a.embed(x);
    const sk = a.skips(x);
    assert.deepEqual(fa.shape, [2, 128]);
    assert.deepEqual(sk.map((s) => s.shape), [[2, 32, 32, 16], [2, 16, 16, 16], [2, 8, 8, 32], [2, 4, 4, 64], [2, 2, 2, 128]]);
    assert.equal(tf.memory().numTensors, before + 6, "embed + skips create exactly their outputs");
    const fb = b.embed(x);
    const fc = c.embed(x);
    assert.deepEqual(Array.from(fa.dataSync()), Array.from(fb.dataSync()));
    assert.ok(tf.max(tf.abs(tf.sub(fa, fc))).dataSync()[0] > 1e-4, "another seed gives other weights");
    assert.ok(!x.isDisposed);
    [fa, fb, fc, ...sk].forEach((t) => t.dispose());
    for (const e of [a, b, c]) e.dispose();
    x.dispose();
  });

  it("resnet18 at 64×64: 512-d features; batched embedding equals one pass", async () => {
    const enc = await loadEncoder("resnet18", { seed: 1 });
    const x = tf.randomUniform([5, 64, 64, 3], 0, 1, "float32", 9) as tf.Tensor4D;
    const one = enc.embed(x);
    const batched = embedInBatches(enc, x, 2);
    assert.deepEqual(one.shape, [5, 512]);
    const diff = tf.max(tf.abs(tf.sub(one, batched))).dataSync()[0];
    assert.ok(diff < 1e-4, `batched vs whole differ by ${diff}`);
    one.dispose(); batched.dispose(); x.dispose(); enc.dispose();
  });

  it("training-mode forward uses batch statistics and updates the moving averages (momentum 0.99)", async () => {
    const enc = await loadEncoder("resnet8", { seed: 2 });
    const x = tf.randomUniform([4, 64, 64, 3], 0, 1, "float32", 5) as tf.Tensor4D;
    const mm = enc.params.get("conv1_bn/moving_mean");
    assert.equal(tf.sum(tf.abs(mm)).dataSync()[0], 0);
    // Batch mean of the stem conv output, computed directly (no bias in resnet8): expected moving mean = 0.01 × it.
    const expected = tf.tidy(() => {
      const k = enc.params.get("conv1_conv/kernel") as unknown as tf.Tensor4D;
      const y = tf.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), k, 2, "valid");
      return tf.mul(tf.mean(y, [0, 1, 2]), 0.01);
    });
    const r = enc.forward(x, { training: true });
    const d = tf.max(tf.abs(tf.sub(mm, expected))).dataSync()[0];
    assert.ok(d < 1e-6, `moving mean off by ${d}`);
    // In training mode the pooled features are computed with batch statistics, so they differ from inference.
    const inf = enc.embed(x);
    assert.ok(tf.max(tf.abs(tf.sub(r.features!, inf))).dataSync()[0] > 1e-3);
    r.features!.dispose(); inf.dispose(); expected.dispose(); x.dispose(); enc.dispose();
  });
});

describe("models: conv biases under batch statistics", () => {
  before(async () => { await initBackend(); });

  it("training-mode output ignores conv biases (they cancel in BN) while the moving mean includes them", async () => {
    const arch = { ...RESNET8, name: "resnet8-bias", convBias: true };
    const store = initResNet(arch, 3);
    const enc = new ResNetEncoder(arch, store, { inputSize: 64 });
    const x = tf.randomUniform([3, 64, 64, 3], 0, 1, "float32", 8) as tf.Tensor4D;
    const a = enc.forward(x, { training: true, updateStats: false }).features!;
    const bias = tf.randomNormal([16], 0, 1, "float32", 4);
    store.assign("conv1_conv/bias", bias);
    const b = enc.forward(x, { training: true }).features!;
    // Same up to float rounding: (y + b) − mean(y + b) = y − mean(y).
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-4);
    // Moving mean after one update from 0: 0.01 × (batch mean of the conv output + bias).
    const expected = tf.tidy(() => {
      const k = store.get("conv1_conv/kernel") as unknown as tf.Tensor4D;
      const y = tf.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), k, 2, "valid");
      return tf.mul(tf.add(tf.mean(y, [0, 1, 2]), bias), 0.01);
    });
    assert.ok(tf.max(tf.abs(tf.sub(store.get("conv1_bn/moving_mean"), expected))).dataSync()[0] < 1e-6);
    tf.dispose([x, a, b, bias, expected]);
    enc.dispose();
  });
});
