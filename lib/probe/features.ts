/**
 * Frozen-encoder features with an on-disk cache. Features are computed once per (encoder weights,
 * image files, image size, tiling, preprocessing) and stored under `cacheDir("features")`, keyed by
 * a content hash of: the sha256 of every weight tensor of the encoder (with its name), the sha256 of
 * every image file (in order), and the extraction options. Renaming a folder keeps the cache; touching
 * a pixel or a weight invalidates it.
 *
 * Test-time tiling: a 2048×2048 micrograph squeezed to 224 px loses its particles. With `tiles = k`,
 * each image is resized to k·size, cut into k×k non-overlapping size×size tiles, every tile is
 * embedded, and the tile features are averaged (mean pooling) into one vector per image.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import * as tf from "@tensorflow/tfjs";
import type { Encoder } from "../models/encoder";
import { loadImages, type Preprocess } from "../data/images";
import { sha256File, writeFileAtomic, readJson, writeJsonAtomic } from "../util/fsx";
import { contentHash } from "../util/hash";
import { cacheDir } from "../util/paths";
import { Progress } from "../util/progress";
import type { FeatureMatrix } from "../linalg/matrix";

/** Options of `extractFeatures`. */
export interface FeatureOptions {
  /** Side of each encoder input (tile) in px. Default: the encoder's `inputSize`. */
  size?: number;
  /** Tiles per side for test-time mean pooling (1 = the whole image resized). Default 1. */
  tiles?: number;
  /** Encoder inputs (images, or tiles when tiling) per forward pass. Default `defaultFeatureBatch(size)`. */
  batchSize?: number;
  /** Pixel preprocessing before the encoder (lib/data). Default "none" (the paper's [0,1] input). */
  preprocess?: Preprocess;
  /** Read/write the on-disk cache. Default true. */
  cache?: boolean;
  /** Progress bar label. Default "features <encoder name>". */
  label?: string;
}

/** Features of a list of images, one row per file. */
export interface FeatureResult {
  X: FeatureMatrix;
  files: string[];
  /** The cache key (content hash) of these features. */
  key: string;
  fromCache: boolean;
}

// 2: the encoder's own input preprocessing is part of the key.
const FEATURE_FORMAT = 2;

/**
 * Encoder inputs per forward pass for an input side: as many as fit in 8 inputs of 224² pixels
 * (a ResNet50 forward on 8 × 224² stays near 2 GB, well inside wasm's 4 GiB heap), between 1 and 64.
 */
export function defaultFeatureBatch(size: number): number {
  return Math.max(1, Math.min(64, Math.floor((8 * 224 * 224) / (size * size))));
}
const weightHashes = new WeakMap<object, string>();

/** Entries (name, variable) of an encoder's weights: its ParamStore when it has one, else its trainable variables. */
function encoderWeights(encoder: Encoder): [string, tf.Variable][] {
  const store = (encoder as unknown as { params?: { entries?: () => [string, tf.Variable][] } }).params;
  if (store && typeof store.entries === "function") return store.entries();
  return encoder.trainableVariables.map((v, i) => [v.name || String(i), v]);
}

/**
 * Content hash of an encoder: its name, feature size and every weight tensor (name, shape, bytes).
 * Memoised per encoder object (weights of a frozen encoder do not change).
 */
export function encoderIdentity(encoder: Encoder): string {
  const known = weightHashes.get(encoder);
  if (known) return known;
  const h = crypto.createHash("sha256");
  h.update(`${encoder.name}|${encoder.featureDim}`);
  for (const [name, v] of encoderWeights(encoder).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const data = v.dataSync() as Float32Array;
    h.update(`${name}:${v.shape.join("x")}`);
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const id = h.digest("hex").slice(0, 32);
  weightHashes.set(encoder, id);
  return id;
}

/** Embed a batch of [B, k·s, k·s, 3] images as the mean of its k×k tile features → [B, D]. Never disposes x. */
export function embedTiled(encoder: Encoder, x: tf.Tensor4D, tiles: number): tf.Tensor2D {
  if (tiles === 1) return encoder.embed(x);
  return tf.tidy(() => {
    const [B, H, W] = x.shape;
    if (H % tiles !== 0 || W % tiles !== 0) throw new Error(`embedTiled: image ${H}×${W} is not divisible into ${tiles}×${tiles} tiles`);
    const th = H / tiles, tw = W / tiles;
    // [B, k, th, k, tw, 3] → [B, k, k, th, tw, 3] → [B·k·k, th, tw, 3]
    const t = x.reshape([B, tiles, th, tiles, tw, 3]).transpose([0, 1, 3, 2, 4, 5]).reshape([B * tiles * tiles, th, tw, 3]) as tf.Tensor4D;
    const f = encoder.embed(t);
    return f.reshape([B, tiles * tiles, f.shape[1]]).mean(1) as tf.Tensor2D;
  });
}

/** The cache key `extractFeatures` uses (hashes every file; exported for tests and tooling). */
export async function featureCacheKey(encoder: Encoder, files: string[], opts: FeatureOptions = {}): Promise<string> {
  const fileHashes: string[] = [];
  for (const f of files) fileHashes.push(await sha256File(f));
  return contentHash({
    format: FEATURE_FORMAT, encoder: encoderIdentity(encoder), encoderPreprocess: encoder.preprocessMode ?? "unit", files: fileHashes,
    size: opts.size ?? encoder.inputSize, tiles: opts.tiles ?? 1, preprocess: opts.preprocess ?? "none",
  }, 32);
}

/**
 * Features of `files` under a frozen encoder, [files.length × featureDim] float32, from the cache
 * when present, else computed in batches (with a progress bar) and cached.
 * Throws naming the file when an image cannot be read, and on non-finite features.
 */
export async function extractFeatures(encoder: Encoder, files: string[], opts: FeatureOptions = {}): Promise<FeatureResult> {
  if (files.length === 0) throw new Error("extractFeatures: no files");
  const size = opts.size ?? encoder.inputSize;
  const tiles = opts.tiles ?? 1;
  if (!(Number.isInteger(tiles) && tiles >= 1)) throw new Error(`extractFeatures: tiles must be a positive integer, got ${tiles}`);
  // batchSize counts encoder inputs (tiles), so a tiled image batch holds batchSize / tiles² images.
  const batch = Math.max(1, Math.floor((opts.batchSize ?? defaultFeatureBatch(size)) / (tiles * tiles)));
  const useCache = opts.cache ?? true;
  const key = await featureCacheKey(encoder, files, opts);
  const dir = cacheDir("features");
  const bin = path.join(dir, `${key}.f32`), meta = path.join(dir, `${key}.json`);
  const D = encoder.featureDim;
  if (useCache && fs.existsSync(bin) && fs.existsSync(meta)) {
    // A corrupt or cut cache entry (killed writer, disk full, hand edit) is recomputed, not fatal.
    let m: { rows: number; cols: number } = { rows: -1, cols: -1 };
    try { m = readJson<{ rows: number; cols: number }>(meta); } catch { /* recomputed below */ }
    const buf = fs.readFileSync(bin);
    if (m.rows === files.length && m.cols === D && buf.byteLength === m.rows * m.cols * 4) {
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      return { X: { data, rows: m.rows, cols: m.cols }, files, key, fromCache: true };
    }
  }
  const out = new Float32Array(files.length * D);
  const bar = new Progress({ label: opts.label ?? `features ${encoder.name}`, total: files.length, unit: "img" });
  for (let i = 0; i < files.length; i += batch) {
    const chunk = files.slice(i, i + batch);
    const x = await loadImages(chunk, size * tiles, { preprocess: opts.preprocess ?? "none", progressAbove: Infinity });
    try {
      const f = embedTiled(encoder, x, tiles);
      const v = f.dataSync() as Float32Array;
      f.dispose();
      for (let k = 0; k < v.length; k++) {
        if (!Number.isFinite(v[k])) throw new Error(`extractFeatures: non-finite feature for ${chunk[Math.floor(k / D)]}`);
      }
      out.set(v, i * D);
    } finally {
      x.dispose();
    }
    bar.tick(chunk.length);
  }
  bar.finish();
  if (useCache) {
    writeFileAtomic(bin, new Uint8Array(out.buffer));
    writeJsonAtomic(meta, { rows: files.length, cols: D, encoder: encoder.name, size, tiles, preprocess: opts.preprocess ?? "none", files });
  }
  return { X: { data: out, rows: files.length, cols: D }, files, key, fromCache: false };
}
