import * as tf from "@tensorflow/tfjs";
import { decodeImage, DecodedImage, ImageDecodeError } from "./decode";
import { Progress } from "../util/progress";

/**
 * How mask pixels become foreground:
 * - `colour`: the paper's annotation rule, RGB pixel is foreground where G ≠ B;
 * - `nonzero`: any nonzero sample (plain binary masks, label/instance maps of any depth);
 * - `half`: value above half the range (binary masks saved as JPEG, whose edges carry noise);
 * - `auto` (default): `colour` when the file is colour and some pixel has unequal channels, else `nonzero`.
 */
export type MaskRule = "auto" | "colour" | "nonzero" | "half";

/** A binary mask at some size: row-major, 1 = foreground. */
export interface BinaryMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Options for {@link loadMasks}. */
export interface LoadMasksOptions {
  /** Foreground rule (see {@link MaskRule}). Default "auto". */
  rule?: MaskRule;
  /** Show a progress bar for more than this many files. Default 32. */
  progressAbove?: number;
}

/** Which rule `auto` resolves to for a decoded mask. */
export function resolveMaskRule(img: DecodedImage, rule: MaskRule = "auto"): Exclude<MaskRule, "auto"> {
  if (rule !== "auto") return rule;
  if (img.channels < 3) return "nonzero";
  const d = img.data;
  for (let i = 0; i < d.length; i += img.channels) {
    if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) return "colour";
  }
  return "nonzero";
}

/**
 * Binarise a decoded mask at its native size with a rule (see {@link MaskRule}). For `nonzero` and
 * `half` on colour input, a pixel is foreground when any channel qualifies.
 */
export function binariseMask(img: DecodedImage, rule: MaskRule = "auto"): BinaryMask {
  const r = resolveMaskRule(img, rule);
  const { data: d, channels: c, width, height } = img;
  const n = width * height;
  const out = new Uint8Array(n);
  if (r === "colour") {
    if (c < 3) throw new Error(`binariseMask: the colour rule (G != B) needs an RGB mask, this one has ${c} channel(s)`);
    for (let i = 0; i < n; i++) out[i] = d[i * c + 1] !== d[i * c + 2] ? 1 : 0;
  } else {
    const thr = r === "half" ? (img.depth === 16 ? 32767 : 127) : 0;
    for (let i = 0; i < n; i++) {
      let fg = 0;
      for (let k = 0; k < c; k++) if (d[i * c + k] > thr) fg = 1;
      out[i] = fg;
    }
  }
  return { data: out, width, height };
}

/**
 * Nearest-neighbour resize of a binary mask to `size`×`size`: output pixel (y, x) takes source pixel
 * (floor((y + 0.5)·H/size), floor((x + 0.5)·W/size)), so labels are never blended.
 */
export function resizeMaskNearest(m: BinaryMask, size: number): BinaryMask {
  if (m.width === size && m.height === size) return { data: m.data.slice(), width: size, height: size };
  const out = new Uint8Array(size * size);
  const xs = new Int32Array(size);
  for (let x = 0; x < size; x++) xs[x] = Math.min(m.width - 1, Math.floor(((x + 0.5) * m.width) / size));
  for (let y = 0; y < size; y++) {
    const sy = Math.min(m.height - 1, Math.floor(((y + 0.5) * m.height) / size));
    const row = sy * m.width;
    for (let x = 0; x < size; x++) out[y * size + x] = m.data[row + xs[x]];
  }
  return { data: out, width: size, height: size };
}

/**
 * Read one mask file as a binary mask, at native size or nearest-neighbour resized to `size`.
 * 16-bit label maps keep their values (a label 1 of 65535 stays foreground). Throws
 * {@link ImageDecodeError} naming the file.
 */
export async function readMask(file: string, size?: number, rule: MaskRule = "auto"): Promise<BinaryMask> {
  const img = await decodeImage(file, { channels: "native" });
  let m: BinaryMask;
  try {
    m = binariseMask(img, rule);
  } catch (e) {
    throw new ImageDecodeError(file, (e as Error).message);
  }
  return size === undefined ? m : resizeMaskNearest(m, size);
}

/**
 * Load masks into a [N,size,size,1] float32 tensor of 0/1 (caller disposes). Masks are binarised at
 * native size (see {@link MaskRule}) and then resized nearest-neighbour. Throws, naming the file, for
 * any unreadable mask (a missing mask is never replaced by an empty one).
 */
export async function loadMasks(files: string[], size: number, opts: LoadMasksOptions = {}): Promise<tf.Tensor4D> {
  if (!(Number.isInteger(size) && size > 0)) throw new Error(`loadMasks: size must be a positive integer, got ${size}`);
  if (files.length === 0) throw new Error("loadMasks: no files given");
  const per = size * size;
  const out = new Float32Array(files.length * per);
  const bar = files.length > (opts.progressAbove ?? 32) ? new Progress({ label: "decode masks", total: files.length, unit: "img" }) : null;
  for (let i = 0; i < files.length; i++) {
    const m = await readMask(files[i], size, opts.rule ?? "auto");
    for (let k = 0; k < per; k++) out[i * per + k] = m.data[k];
    bar?.tick(1);
  }
  bar?.finish();
  return tf.tensor4d(out, [files.length, size, size, 1], "float32");
}

/**
 * Problems that make a mask useless for training or scoring, one sentence each naming the file:
 * no foreground at all, foreground everywhere (after `rule` and `invert`), or, for an 8-bit grey
 * mask read with the `nonzero` rule (first channel), many intermediate grey levels (a blurred or anti-aliased mask:
 * every grey pixel would count as foreground). Returns [] for a usable mask.
 * @throws ImageDecodeError naming an unreadable file
 */
export async function maskProblems(file: string, rule: MaskRule = "auto", invert = false): Promise<string[]> {
  const img = await decodeImage(file, { channels: "native" });
  const m = binariseMask(img, rule);
  let fg = 0;
  for (let i = 0; i < m.data.length; i++) fg += m.data[i];
  if (invert) fg = m.data.length - fg;
  const problems: string[] = [];
  if (fg === 0) problems.push(`mask ${file} has no foreground pixel${invert ? " (after --invert)" : ""}`);
  else if (fg === m.data.length) problems.push(`mask ${file} is foreground everywhere${invert ? " (after --invert)" : ""}`);
  if (resolveMaskRule(img, rule) === "nonzero" && img.depth !== 16) {
    const levels = new Set<number>();
    let mid = 0;
    const max = 255;
    for (let i = 0; i < img.data.length; i += img.channels) {
      const v = img.data[i];
      levels.add(v);
      if (v > 0 && v < max) mid++;
    }
    // A label map has a few levels; a blurred or JPEG-saved mask has many, on a band of edge pixels.
    if (levels.size > 8 && mid >= 0.01 * m.data.length) {
      problems.push(`mask ${file} is not binary (${levels.size} grey levels, ${(100 * mid / m.data.length).toFixed(1)}% of pixels between black and white): ` +
        "with the nonzero rule every grey pixel is foreground; use --rule half to threshold at half range, or export a binary mask");
    }
  }
  return problems;
}
