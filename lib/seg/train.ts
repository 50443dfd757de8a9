import * as tf from "@tensorflow/tfjs";
import { UNet } from "./unet";
import { segLoss, type SegLossName } from "./losses";
import { variableGrads } from "../nn/variable_grads";
import { Rng } from "../util/rng";
import { Progress } from "../util/progress";
import { interruptPoint } from "../util/interrupt";

/**
 * Training loop of the segmentation head: Adam, mini-batches, the paper's Dice loss (or BCE + Dice).
 * With a frozen encoder the skip maps of the training images are computed once and reused every
 * epoch (the encoder is deterministic in inference mode), which makes decoder training several times
 * cheaper; `cacheSkipsMB` caps that cache. Every step runs inside `variableGrads` (its own tidy)
 * and the batch tensors are disposed, so the tensor count stays flat across steps.
 */
export interface SegTrainConfig {
  /** Passes over the training images. Required (see `epochsFor` for the paper's schedule). */
  epochs: number;
  /** Images per step. Default 4 (paper). */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3 (Keras default, as the paper). */
  learningRate?: number;
  /** Loss. Default "dice" (paper: 1 − Dice, smooth 1e-6). */
  loss?: SegLossName;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Largest skip-map cache in MB (frozen encoder only); above it skips are recomputed per step. Default 1024. */
  cacheSkipsMB?: number;
  /** Progress bar label. Default "segment". */
  label?: string;
  /** Precomputed skip maps of the training images, in image order (see `computeSkipCache`); not disposed. */
  skipCache?: SkipCache;
}

/** Per-image skip maps: `cache[i]` holds the 5 maps [1,h,w,c] of image i. */
export type SkipCache = tf.Tensor4D[][];

/** Skip maps of every image (inference mode), computed in batches. Dispose with `disposeSkipCache`. */
export function computeSkipCache(net: UNet, images: tf.Tensor4D, batchSize = 8): SkipCache {
  const n = images.shape[0];
  const cache: SkipCache = [];
  for (let i = 0; i < n; i += batchSize) {
    const b = Math.min(batchSize, n - i);
    const maps = tf.tidy(() => net.skips(tf.slice(images, [i, 0, 0, 0], [b, -1, -1, -1])));
    for (let j = 0; j < b; j++) cache.push(maps.map((m) => tf.slice(m, [j, 0, 0, 0], [1, -1, -1, -1])));
    tf.dispose(maps);
  }
  return cache;
}

/** Free a skip cache. */
export function disposeSkipCache(cache: SkipCache): void {
  for (const maps of cache) tf.dispose(maps);
}

/** Stack the cached maps of images `idx` into 5 batch tensors. Caller disposes. */
export function gatherSkips(cache: SkipCache, idx: number[]): tf.Tensor4D[] {
  return cache[idx[0]].map((_, k) => (idx.length === 1 ? tf.clone(cache[idx[0]][k]) : tf.concat(idx.map((i) => cache[i][k]), 0)) as tf.Tensor4D);
}

/** Loss per epoch (mean over steps) and the wall time. */
export interface SegTrainResult {
  losses: number[];
  steps: number;
  seconds: number;
}

/**
 * The training loop as a generator: yields after every step, returns the result. Returning early
 * (`gen.return()`) runs the clean-up (cache, Adam moments freed). Shared by the two drivers below.
 */
function* trainSteps(net: UNet, images: tf.Tensor4D, masks: tf.Tensor4D, cfg: SegTrainConfig): Generator<number, SegTrainResult, void> {
  const n = images.shape[0];
  if (n === 0) throw new Error("trainSegmenter: no training images");
  if (masks.shape[0] !== n || masks.shape[1] !== images.shape[1] || masks.shape[2] !== images.shape[2] || masks.shape[3] !== 1) {
    throw new Error(`trainSegmenter: masks [${masks.shape}] do not match images [${images.shape}]`);
  }
  if (!(Number.isInteger(cfg.epochs) && cfg.epochs >= 1)) throw new Error(`trainSegmenter: epochs must be a positive integer, got ${cfg.epochs}`);
  const bs = Math.min(cfg.batchSize ?? 4, n);
  const lossName = cfg.loss ?? "dice";
  const opt = tf.train.adam(cfg.learningRate ?? 1e-3);
  const rng = new Rng(cfg.seed ?? 0).fork("seg-batches");
  const stepsPerEpoch = Math.ceil(n / bs);
  const t0 = Date.now();

  // Skip cache (frozen encoder): given, or computed once here when it fits the budget.
  let cache: SkipCache | null = cfg.skipCache ?? null;
  const ownCache = !cache && !net.trainEncoder;
  if (cache && cache.length !== n) throw new Error(`trainSegmenter: skip cache has ${cache.length} entries for ${n} images`);
  if (cache && net.trainEncoder) throw new Error("trainSegmenter: a skip cache cannot be used when the encoder is trained");
  if (ownCache) {
    const probe = tf.tidy(() => net.skips(tf.slice(images, [0, 0, 0, 0], [1, -1, -1, -1])));
    const bytes = probe.reduce((s, t) => s + t.size * 4, 0) * n;
    tf.dispose(probe);
    if (bytes <= (cfg.cacheSkipsMB ?? 1024) * 1e6) cache = computeSkipCache(net, images, bs);
  }

  const bar = new Progress({ label: cfg.label ?? "segment", total: cfg.epochs * stepsPerEpoch, unit: "step" });
  const losses: number[] = [];
  try {
    for (let e = 0; e < cfg.epochs; e++) {
      const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      let sum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.slice(s * bs, (s + 1) * bs);
        const idxT = tf.tensor1d(idx, "int32");
        const y = tf.gather(masks, idxT) as tf.Tensor4D;
        let skips: tf.Tensor4D[] | null = null;
        let x: tf.Tensor4D | null = null;
        if (cache) skips = gatherSkips(cache, idx);
        else x = tf.gather(images, idxT) as tf.Tensor4D;
        // opt.minimize, with the backward pass of lib/nn/variable_grads (frees as it goes).
        const { value: lossT, grads } = variableGrads(() => {
          const maps = skips ?? net.skips(x!);
          return segLoss(lossName, y, net.decode(maps, true));
        }, net.trainableVariables);
        opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose(Object.values(grads));
        net.updateMovingStats();
        const l = lossT.dataSync()[0];
        sum += l;
        tf.dispose([lossT, idxT, y, ...(skips ?? []), ...(x ? [x] : [])]);
        bar.tick(1, { epoch: e + 1, loss: l });
        yield l;
      }
      losses.push(sum / stepsPerEpoch);
    }
  } finally {
    bar.finish();
    if (ownCache && cache) disposeSkipCache(cache);
    net.discardMoments();
    opt.dispose();
  }
  return { losses, steps: cfg.epochs * stepsPerEpoch, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Train `net` on images [N,H,W,3] in [0,1] and masks [N,H,W,1] in {0,1} (neither is disposed).
 * Synchronous: signals are not seen until it returns (use {@link trainSegmenterInterruptible} in a CLI).
 * Throws when shapes disagree or N = 0.
 */
export function trainSegmenter(net: UNet, images: tf.Tensor4D, masks: tf.Tensor4D, cfg: SegTrainConfig): SegTrainResult {
  const gen = trainSteps(net, images, masks, cfg);
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link trainSegmenter} with a safe point after every step (`await interruptPoint()`): after
 * SIGINT/SIGTERM/SIGHUP (while `watchInterrupts` is active) it frees its state and throws
 * `InterruptedError`; the network then holds the weights of the last finished step.
 */
export async function trainSegmenterInterruptible(net: UNet, images: tf.Tensor4D, masks: tf.Tensor4D, cfg: SegTrainConfig): Promise<SegTrainResult> {
  const gen = trainSteps(net, images, masks, cfg);
  try {
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      await interruptPoint("segment training stopped");
    }
  } finally {
    gen.return(undefined as unknown as SegTrainResult);
  }
}

/**
 * Probabilities [N,H,W,1] for images [N,H,W,3], in batches (inference-mode BN). With a skip cache,
 * `images` may be null and `idx` picks the cached images to decode. Caller disposes.
 */
export function predictProbabilities(net: UNet, images: tf.Tensor4D | null, batchSize = 8, cache?: SkipCache, idx?: number[]): tf.Tensor4D {
  const rows = idx ?? Array.from({ length: images ? images.shape[0] : cache?.length ?? 0 }, (_, i) => i);
  if (!images && !cache) throw new Error("predictProbabilities: need images or a skip cache");
  const n = rows.length;
  if (n === 0) throw new Error("predictProbabilities: no images");
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i += batchSize) {
    const sel = rows.slice(i, i + batchSize);
    parts.push(tf.tidy(() => {
      if (cache) return net.decode(gatherSkips(cache, sel), false);
      return net.predict(tf.gather(images!, tf.tensor1d(sel, "int32")) as tf.Tensor4D, false);
    }));
  }
  if (parts.length === 1) return parts[0];
  const out = tf.concat(parts, 0) as tf.Tensor4D;
  tf.dispose(parts);
  return out;
}
