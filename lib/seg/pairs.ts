import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import sharp from "sharp";
import { decodeImage } from "../data/decode";
import { toFloatPixels, loadImages } from "../data/images";
import { readMask, resizeMaskNearest, type MaskRule, type BinaryMask } from "../data/masks";
import { extractTiles, stitchTiles, type Tiles } from "./tiles";
import { writeFileAtomic } from "../util/fsx";

/**
 * Image/mask pairs as network input for `nanomorph segment`: either every micrograph resized to
 * size×size (images lanczos3 via lib/data, masks nearest-neighbour), or cut into size×size tiles at
 * native resolution (`tiles.ts`), so micrographs of any size work.
 */
export type FitMode = "resize" | "tile";

/** Network-ready pairs plus what is needed to map predictions back to each source image. */
export interface PreparedPairs {
  /** [T,size,size,3] in [0,1]: one row per image (resize) or per tile (tile). Caller disposes. */
  x: tf.Tensor4D;
  /** [T,size,size,1] in {0,1}, or null when masks were not given. Caller disposes. */
  y: tf.Tensor4D | null;
  /** Rows of x belonging to each source image. */
  rows: number[][];
  /** Native size of each image [height, width]. */
  sizes: Array<[number, number]>;
  /** Tile layout per image (tile mode only). */
  layouts: Tiles[] | null;
}

/** Read a mask at native size, optionally inverted (foreground ↔ background). */
export async function readMaskForSeg(file: string, rule: MaskRule = "auto", invert = false): Promise<BinaryMask> {
  const m = await readMask(file, undefined, rule);
  if (invert) for (let i = 0; i < m.data.length; i++) m.data[i] = 1 - m.data[i];
  return m;
}

/** Smallest image side segmentation accepts (px): below it there is nothing to segment. */
export const MIN_SEG_SIDE = 8;

/** Throw naming the files when an image is tiny or its mask has another size (resizing would stretch it). */
function checkPair(image: string, img: { width: number; height: number }, mask: string | null, m: { width: number; height: number } | null): void {
  if (img.width < MIN_SEG_SIDE || img.height < MIN_SEG_SIDE) {
    throw new Error(`preparePairs: image ${image} is ${img.width}×${img.height} px; segmentation needs at least ${MIN_SEG_SIDE}×${MIN_SEG_SIDE} (remove it or its pair)`);
  }
  if (m && (m.width !== img.width || m.height !== img.height)) {
    throw new Error(`preparePairs: mask ${mask} is ${m.width}×${m.height} but image ${image} is ${img.width}×${img.height}; ` +
      "a mask must have its image's size (check the pairing, or export the mask at the image's resolution)");
  }
}

/**
 * Load images (and masks when given) in the chosen mode; `invert` swaps mask foreground and background
 * (e.g. membrane masks stored as white cells). Throws naming a file that cannot be read.
 */
export async function preparePairs(images: string[], masks: string[] | null, size: number, mode: FitMode, rule: MaskRule = "auto", invert = false): Promise<PreparedPairs> {
  if (masks && masks.length !== images.length) throw new Error(`preparePairs: ${images.length} images but ${masks.length} masks`);
  const sizes: Array<[number, number]> = [];
  if (mode === "resize") {
    const x = await loadImages(images, size);
    let y: tf.Tensor4D | null = null;
    const per = size * size;
    const ybuf = masks ? new Float32Array(masks.length * per) : null;
    for (let i = 0; i < images.length; i++) {
      const m = masks ? await readMaskForSeg(masks[i], rule, invert) : null;
      const info = await decodeImage(images[i], { channels: "native" });
      checkPair(images[i], info, masks ? masks[i] : null, m);
      if (m && ybuf) ybuf.set(resizeMaskNearest(m, size).data, i * per);
      sizes.push([info.height, info.width]);
    }
    if (ybuf) y = tf.tensor4d(ybuf, [images.length, size, size, 1]);
    return { x, y, rows: images.map((_, i) => [i]), sizes, layouts: null };
  }
  if (mode !== "tile") throw new Error(`preparePairs: unknown mode '${mode as string}' (resize, tile)`);
  const xs: Float32Array[] = [], ys: Float32Array[] = [], rows: number[][] = [], layouts: Tiles[] = [];
  for (let i = 0; i < images.length; i++) {
    const img = await decodeImage(images[i], { channels: 3 });
    const t = extractTiles(toFloatPixels(img.data, img.depth), img.height, img.width, 3, size);
    const m = masks ? await readMaskForSeg(masks[i], rule, invert) : null;
    checkPair(images[i], img, masks ? masks[i] : null, m);
    if (m) ys.push(...extractTiles(Float32Array.from(m.data), m.height, m.width, 1, size).tiles);
    rows.push(t.tiles.map((_, k) => xs.length + k));
    xs.push(...t.tiles);
    layouts.push(t);
    sizes.push([img.height, img.width]);
  }
  const stack = (arrs: Float32Array[], c: number): tf.Tensor4D => {
    const buf = new Float32Array(arrs.length * size * size * c);
    arrs.forEach((a, k) => buf.set(a, k * a.length));
    return tf.tensor4d(buf, [arrs.length, size, size, c]);
  };
  return { x: stack(xs, 3), y: masks ? stack(ys, 1) : null, rows, sizes, layouts };
}

/**
 * Probability map of source image `i` at its native size from network output probs [T,size,size,1]:
 * stitched tiles, or the resized map scaled back (bilinear). Returns H×W floats in [0,1].
 */
export async function nativeProbabilities(probs: Float32Array, size: number, prepared: PreparedPairs, i: number): Promise<Float32Array> {
  const per = size * size;
  const [h, w] = prepared.sizes[i];
  if (prepared.layouts) {
    return stitchTiles(prepared.rows[i].map((r) => probs.subarray(r * per, (r + 1) * per)), prepared.layouts[i]);
  }
  const r = prepared.rows[i][0];
  const src = probs.subarray(r * per, (r + 1) * per);
  if (h === size && w === size) return Float32Array.from(src);
  const u16 = new Uint16Array(per);
  for (let k = 0; k < per; k++) u16[k] = Math.round(Math.min(1, Math.max(0, src[k])) * 65535);
  const { data } = await sharp(u16, { raw: { width: size, height: size, channels: 1 } })
    .resize(w, h, { fit: "fill", kernel: "linear" }).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
  const out16 = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  const out = new Float32Array(h * w);
  for (let k = 0; k < out.length; k++) out[k] = out16[k] / 65535;
  return out;
}

/** Write a probability map as a binary mask PNG (255 where p ≥ threshold), atomically. */
export async function writePredictedMask(file: string, probs: Float32Array, height: number, width: number, threshold = 0.5): Promise<void> {
  const buf = Buffer.alloc(height * width);
  for (let k = 0; k < buf.length; k++) buf[k] = probs[k] >= threshold ? 255 : 0;
  const png = await sharp(buf, { raw: { width, height, channels: 1 } }).toColourspace("b-w").png().toBuffer();
  writeFileAtomic(file, png);
}

/** Output file name of the predicted mask for an image: `<stem>_pred.png`. */
export function predictedMaskName(imageFile: string): string {
  return `${path.basename(imageFile, path.extname(imageFile))}_pred.png`;
}
