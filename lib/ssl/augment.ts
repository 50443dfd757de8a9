/**
 * The paper's SSL augmentations as batched, seeded tensor ops (one random draw per image from an Rng):
 * horizontal flip (p = 0.5); a square crop of side uniform in [25 %, 50 %) of the image at a random
 * position, resized back (bilinear), or the constant-25 % / constant-50 % / no-crop variants; colour
 * jitter with probability 0.8: contrast factor in [0.2, 1.8], saturation factor in [0.2, 1.8], hue shift
 * in [−0.2, 0.2] (fraction of the hue circle), applied in that order, then clipped to [0, 1].
 *
 * Contrast follows `tf.image.adjust_contrast` (per image and channel: (x − mean)·c + mean); saturation and
 * hue follow `tf.image.adjust_saturation` / `adjust_hue` (in HSV: s·f clipped to [0, 1]; h + δ mod 1).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng";

/** Crop variants of the paper's hyperparameter study. */
export type CropMode = "random" | "constant25" | "constant50" | "none";

/** Augmentation settings; every field defaults to the paper's value. */
export interface AugmentConfig {
  /** Probability of a horizontal flip (default 0.5). */
  flipProb?: number;
  /** Crop variant (default "random": side in [cropMin, cropMax) of the image side). */
  crop?: CropMode;
  /** Smallest crop side as a fraction of the image side, for "random" (default 0.25). */
  cropMin?: number;
  /** Crop side upper bound (exclusive) for "random" (default 0.5). */
  cropMax?: number;
  /** Probability of colour jitter (default 0.8). */
  jitterProb?: number;
  /** Contrast factor range (default [0.2, 1.8]). */
  contrast?: [number, number];
  /** Saturation factor range (default [0.2, 1.8]). */
  saturation?: [number, number];
  /** Maximum absolute hue shift, fraction of the hue circle (default 0.2). */
  hue?: number;
}

/** The paper's augmentation settings, filled in. */
export function resolveAugment(c: AugmentConfig = {}): Required<AugmentConfig> {
  const r: Required<AugmentConfig> = {
    flipProb: c.flipProb ?? 0.5, crop: c.crop ?? "random", cropMin: c.cropMin ?? 0.25, cropMax: c.cropMax ?? 0.5,
    jitterProb: c.jitterProb ?? 0.8, contrast: c.contrast ?? [0.2, 1.8], saturation: c.saturation ?? [0.2, 1.8], hue: c.hue ?? 0.2,
  };
  for (const [k, v] of [["flipProb", r.flipProb], ["jitterProb", r.jitterProb]] as const) {
    if (!(v >= 0 && v <= 1)) throw new Error(`augment: ${k} must be in [0, 1], got ${v}`);
  }
  if (!(r.cropMin > 0 && r.cropMin <= r.cropMax && r.cropMax <= 1)) {
    throw new Error(`augment: need 0 < cropMin <= cropMax <= 1, got ${r.cropMin}, ${r.cropMax}`);
  }
  if (!["random", "constant25", "constant50", "none"].includes(r.crop)) throw new Error(`augment: unknown crop mode '${r.crop}'`);
  return r;
}

/** The random choices for one batch (exposed for tests and logging). */
export interface AugmentDraw {
  flip: boolean[];
  /** Normalised crop boxes [y1, x1, y2, x2] per image, or null for no crop. */
  boxes: number[][] | null;
  jitter: boolean[];
  contrast: number[];
  saturation: number[];
  hue: number[];
}

/** Draw the per-image random choices for a batch of `n` images from `rng`. */
export function drawAugment(n: number, cfg: AugmentConfig, rng: Rng): AugmentDraw {
  const c = resolveAugment(cfg);
  const d: AugmentDraw = { flip: [], boxes: c.crop === "none" ? null : [], jitter: [], contrast: [], saturation: [], hue: [] };
  for (let i = 0; i < n; i++) {
    d.flip.push(rng.bernoulli(c.flipProb));
    if (d.boxes) {
      const side = c.crop === "random" ? rng.uniform(c.cropMin, c.cropMax) : c.crop === "constant25" ? 0.25 : 0.5;
      const y = rng.uniform(0, 1 - side);
      const x = rng.uniform(0, 1 - side);
      d.boxes.push([y, x, y + side, x + side]);
    }
    d.jitter.push(rng.bernoulli(c.jitterProb));
    d.contrast.push(rng.uniform(c.contrast[0], c.contrast[1]));
    d.saturation.push(rng.uniform(c.saturation[0], c.saturation[1]));
    d.hue.push(rng.uniform(-c.hue, c.hue));
  }
  return d;
}

/** Channel-wise RGB → HSV on separate [..., 1] tensors (h in [0, 1)). */
function hsvParts(r: tf.Tensor, g: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const v = tf.maximum(tf.maximum(r, g), b);
  const mn = tf.minimum(tf.minimum(r, g), b);
  const delta = tf.sub(v, mn);
  const safeDelta = tf.where(tf.greater(delta, 0), delta, tf.onesLike(delta));
  const s = tf.where(tf.greater(v, 0), tf.div(delta, tf.where(tf.greater(v, 0), v, tf.onesLike(v))), tf.zerosLike(v));
  // Hue sextant: max = r → (g − b)/Δ, max = g → 2 + (b − r)/Δ, else 4 + (r − g)/Δ; then /6 mod 1.
  const hr = tf.div(tf.sub(g, b), safeDelta);
  const hg = tf.add(tf.div(tf.sub(b, r), safeDelta), 2);
  const hb = tf.add(tf.div(tf.sub(r, g), safeDelta), 4);
  let h = tf.where(tf.equal(v, r), hr, tf.where(tf.equal(v, g), hg, hb));
  h = tf.where(tf.greater(delta, 0), h, tf.zerosLike(h));
  h = tf.div(h, 6);
  return [tf.sub(h, tf.floor(h)), s, v];
}

/** Channel-wise HSV → RGB: channel n uses k = (n + 6h) mod 6, v − v·s·clip(min(k, 4 − k), 0, 1). */
function rgbParts(h: tf.Tensor, s: tf.Tensor, v: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const vs = tf.mul(v, s);
  const h6 = tf.mul(h, 6);
  const chan = (n: number): tf.Tensor => {
    const k6 = tf.add(h6, n);
    const k = tf.sub(k6, tf.mul(tf.floor(tf.div(k6, 6)), 6));
    return tf.sub(v, tf.mul(vs, tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1)));
  };
  return [chan(5), chan(3), chan(1)];
}

/** RGB [..., 3] in [0,1] → HSV [..., 3] with h in [0, 1). */
export function rgbToHsv(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.concat(hsvParts(...(tf.split(x, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor])), -1));
}

/** HSV [..., 3] (h in [0,1)) → RGB [..., 3]. */
export function hsvToRgb(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.concat(rgbParts(...(tf.split(x, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor])), -1));
}

/**
 * Augment a batch `x` [N,H,W,3] in [0,1] with the draws `d`. Returns a new tensor in [0,1] (never
 * disposes `x`). Images whose jitter draw is false keep their colours exactly.
 */
export function applyAugment(x: tf.Tensor4D, d: AugmentDraw): tf.Tensor4D {
  const [n, hgt, wid] = x.shape;
  if (d.flip.length !== n) throw new Error(`applyAugment: draws are for ${d.flip.length} images, batch has ${n}`);
  return tf.tidy(() => {
    const col = (xs: number[]): tf.Tensor4D => tf.tensor4d(xs, [n, 1, 1, 1]);
    // Per-image selection as an arithmetic blend a·m + b·(1 − m) with m ∈ {0, 1} of shape [N,1,1,1]:
    // exact for finite values, and it broadcasts (tf.where would need the mask tiled to the full shape).
    const blend = (xs: boolean[], a: tf.Tensor, b: tf.Tensor): tf.Tensor4D => {
      const m = tf.tensor4d(xs.map(Number), [n, 1, 1, 1]);
      return tf.add(tf.mul(a, m), tf.mul(b, tf.sub(1, m))) as tf.Tensor4D;
    };
    let y: tf.Tensor4D = x;
    if (d.flip.every(Boolean)) y = tf.reverse(y, 2);
    else if (d.flip.some(Boolean)) y = blend(d.flip, tf.reverse(y, 2), y);
    if (d.boxes) {
      y = tf.image.cropAndResize(y, tf.tensor2d(d.boxes, [n, 4]), tf.range(0, n, 1, "int32") as tf.Tensor1D, [hgt, wid], "bilinear");
    }
    if (d.jitter.some(Boolean)) {
      // Contrast: per image and channel, (x − mean)·c + mean.
      const mean = tf.mean(y, [1, 2], true);
      let j: tf.Tensor = tf.add(tf.mul(tf.sub(y, mean), col(d.contrast)), mean);
      // Saturation and hue in HSV (on the contrast-adjusted values, clipped to the valid RGB range first).
      const [h, s, v] = hsvParts(...(tf.split(tf.clipByValue(j, 0, 1), 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor]));
      const s2 = tf.clipByValue(tf.mul(s, col(d.saturation)), 0, 1);
      const hShift = tf.add(h, col(d.hue));
      const h2 = tf.sub(hShift, tf.floor(hShift));
      j = tf.concat(rgbParts(h2, s2, v), -1);
      y = d.jitter.every(Boolean) ? (j as tf.Tensor4D) : blend(d.jitter, j, y);
    }
    return tf.clipByValue(y, 0, 1);
  });
}

/** Draw and apply in one call: a seeded augmented copy of `x`. */
export function augmentBatch(x: tf.Tensor4D, cfg: AugmentConfig, rng: Rng): tf.Tensor4D {
  return applyAugment(x, drawAugment(x.shape[0], cfg, rng));
}
