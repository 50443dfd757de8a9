import { Rng } from "../util/rng";
import type { LabelledImage } from "./labelled_set";

/** Augmentation of training crops. Defaults in brackets. */
export interface CropOptions {
  /** Crop side, px [160]; must suit the network (a multiple of its `multiple`). */
  size?: number;
  /** Scale range: a crop samples the image at a zoom drawn log-uniformly in [1/s, s] [1.3]; 1 = native only. */
  scale?: number;
  /** Random flips and 90° turns [true]. */
  dihedral?: boolean;
  /** Random gamma in [1/g, g] on the grey values [1.4]. */
  gamma?: number;
  /** Probability of inverting the grey values [0]. */
  invert?: number;
}

/** A batch of crops as flat arrays: grey [B·S·S] in [0,1], classes [B·S·S] (255 = ignore), distance [B·S·S] in [0,1]. */
export interface CropBatch {
  size: number;
  count: number;
  grey: Float32Array;
  classes: Uint8Array;
  distance: Float32Array;
}

/** Label meaning "no loss here" (crop area outside a small image). */
export const IGNORE = 255;

/**
 * Draw `count` random crops (image uniformly from `images`, then position, zoom, dihedral transform and
 * gamma from `rng`). Grey is sampled bilinearly, classes nearest, distance bilinearly; pixels outside
 * the image get grey of the nearest edge and the IGNORE class. Throws on an empty image list.
 */
export function sampleCrops(images: readonly LabelledImage[], count: number, rng: Rng, opts: CropOptions = {}): CropBatch {
  if (!images.length) throw new Error("sampleCrops: no labelled images");
  const S = opts.size ?? 160, sMax = opts.scale ?? 1.3, gMax = opts.gamma ?? 1.4, pInv = opts.invert ?? 0;
  const dihedral = opts.dihedral ?? true;
  const grey = new Float32Array(count * S * S), classes = new Uint8Array(count * S * S), distance = new Float32Array(count * S * S);
  for (let b = 0; b < count; b++) {
    const im = images[rng.int(images.length)];
    const z = sMax > 1 ? Math.exp(rng.uniform(-Math.log(sMax), Math.log(sMax))) : 1; // source px per crop px
    const span = S * z;
    const x0 = im.width > span ? rng.uniform(0, im.width - span) : (im.width - span) / 2;
    const y0 = im.height > span ? rng.uniform(0, im.height - span) : (im.height - span) / 2;
    const t = dihedral ? rng.int(8) : 0;
    const g = gMax > 1 ? Math.exp(rng.uniform(-Math.log(gMax), Math.log(gMax))) : 1;
    const inv = pInv > 0 && rng.bernoulli(pInv);
    const { width: w, height: h } = im;
    const o = b * S * S;
    for (let v = 0; v < S; v++) {
      for (let u = 0; u < S; u++) {
        // Dihedral: transpose (t & 4), then flip u (t & 1) and v (t & 2).
        let cu = u, cv = v;
        if (t & 4) { cu = v; cv = u; }
        if (t & 1) cu = S - 1 - cu;
        if (t & 2) cv = S - 1 - cv;
        const sx = x0 + (cu + 0.5) * z - 0.5, sy = y0 + (cv + 0.5) * z - 0.5;
        const q = o + v * S + u;
        const inside = sx >= -0.5 && sy >= -0.5 && sx <= w - 0.5 && sy <= h - 0.5;
        const cx = Math.min(w - 1, Math.max(0, sx)), cy = Math.min(h - 1, Math.max(0, sy));
        const xa = Math.floor(cx), ya = Math.floor(cy), xb = Math.min(w - 1, xa + 1), yb = Math.min(h - 1, ya + 1);
        const fx = cx - xa, fy = cy - ya;
        const bil = (a: Uint8Array): number =>
          (a[ya * w + xa] * (1 - fx) + a[ya * w + xb] * fx) * (1 - fy) + (a[yb * w + xa] * (1 - fx) + a[yb * w + xb] * fx) * fy;
        let gv = bil(im.grey) / 255;
        gv = Math.pow(gv, g);
        grey[q] = inv ? 1 - gv : gv;
        if (!inside) { classes[q] = IGNORE; distance[q] = 0; continue; }
        const nx = Math.round(cx), ny = Math.round(cy);
        classes[q] = im.targets.classes[ny * w + nx];
        distance[q] = bil(im.targets.distance) / 255;
      }
    }
  }
  return { size: S, count, grey, classes, distance };
}
