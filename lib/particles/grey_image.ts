import { decodeImage } from "../data/decode";

/** Grey values of a micrograph at native size: row-major, in [0,1] (colour averaged). */
export interface GreyImage {
  width: number;
  height: number;
  grey: Float32Array;
  /** Pixels with no value (NaN/Inf in a float file; 1 = missing), absent when none: never foreground. */
  missing?: Uint8Array;
}

/** Decode an image file to grey at native size. Throws `ImageDecodeError` naming the file. */
export async function readGrey(file: string): Promise<GreyImage> {
  const img = await decodeImage(file, { channels: "native" });
  const full = img.depth === 16 ? 65535 : 255;
  const n = img.width * img.height, c = img.channels;
  const grey = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += img.data[i * c + k];
    grey[i] = s / (c * full);
  }
  return img.missing ? withMissing({ width: img.width, height: img.height, grey }, img.missing) : { width: img.width, height: img.height, grey };
}

/**
 * `g` with the pixels of `boxes` (x0/y0 inclusive, x1/y1 exclusive; clipped to the image) missing as
 * well: not sample, never foreground, and no pull on the threshold (a burnt-in scale bar and its label,
 * whose black and white would otherwise be one of Otsu's two classes). Returns `g` itself when no box
 * covers a pixel.
 */
export function withMissingBoxes(g: GreyImage, boxes: ReadonlyArray<{ x0: number; y0: number; x1: number; y1: number }>): GreyImage {
  const { width: w, height: h } = g;
  const missing = g.missing ? Uint8Array.from(g.missing) : new Uint8Array(w * h);
  let any = false;
  for (const b of boxes) {
    const x0 = Math.max(0, b.x0), x1 = Math.min(w, b.x1);
    for (let y = Math.max(0, b.y0); y < Math.min(h, b.y1); y++) if (x1 > x0) { missing.fill(1, y * w + x0, y * w + x1); any = true; }
  }
  return any ? withMissing({ width: w, height: h, grey: Float32Array.from(g.grey) }, missing) : g;
}

/** Missing pixels get the mean of the others, so they pull neither the threshold nor the smoothing; `g.grey` is filled in place. */
function withMissing(g: GreyImage, missing: Uint8Array): GreyImage {
  const grey = g.grey, n = grey.length;
  let sum = 0, k = 0;
  for (let i = 0; i < n; i++) if (!missing[i]) { sum += grey[i]; k++; }
  const fill = k ? sum / k : 0;
  for (let i = 0; i < n; i++) if (missing[i]) grey[i] = fill;
  return { width: g.width, height: g.height, grey, missing };
}
