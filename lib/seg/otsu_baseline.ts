import * as path from "path";
import { decodeImage } from "../data/decode";
import type { MaskRule } from "../data/masks";
import { otsuThreshold } from "../image/otsu";
import { readMaskForSeg } from "./pairs";
import { segScores } from "./metrics";

/**
 * Otsu thresholding as a baseline for `nanomorph segment`: what a user gets without training anything.
 * Each held-out micrograph is thresholded at its own Otsu cut, at native resolution, and scored against
 * its mask. Which side of the cut is foreground is chosen once, on the TRAINING pairs (the rule with the
 * higher median training Dice), never on the test masks, so the baseline sees exactly the labels the
 * network sees: "bright" (above the cut), "dark" (at or below it) or "minority" (per image, the side
 * holding fewer pixels: objects on a support, whichever contrast). "minority" is a candidate because
 * real sets mix bright-field (dark particles) and dark-field/HAADF (bright particles) micrographs,
 * where any fixed side loses whole images; offering it keeps the baseline as strong as Otsu can be.
 */
export type OtsuSide = "bright" | "dark" | "minority";

/** Every polarity rule {@link chooseOtsuSide} tries, in tie-break order (first wins a tie). */
export const OTSU_SIDES: readonly OtsuSide[] = ["dark", "bright", "minority"];

/** One grey image and its 0/1 truth, both row-major `width*height`. */
export interface GreyPair {
  grey: Float32Array;
  truth: Uint8Array;
  width: number;
  height: number;
}

/** Otsu score of one image. */
export interface OtsuImageScore {
  /** Image file name (basename) when known, else its index. */
  image: string;
  /** The image's Otsu cut, in the grey units of {@link readGreyForMask} ([0,1]). */
  threshold: number;
  dice: number;
  iou: number;
}

/** Result of {@link otsuBaseline}: polarity picked on the training pairs, scores on the test pairs. */
export interface OtsuBaselineResult {
  polarity: OtsuSide;
  /** Median training Dice of each polarity (what chose `polarity`). */
  trainMedianDice: Record<OtsuSide, number>;
  /** Per test image. */
  images: OtsuImageScore[];
  /** Median over the test images. */
  median: { dice: number; iou: number };
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Dice/IoU of Otsu's mask of `p.grey` (foreground = above the cut for "bright", at or below for "dark",
 * the smaller of the two for "minority", ties to bright) against `p.truth`, with the paper's smoothing
 * `smooth` (default 1e-6). Throws on a size mismatch.
 */
export function otsuScore(p: GreyPair, side: OtsuSide, smooth = 1e-6): { threshold: number; dice: number; iou: number } {
  const n = p.width * p.height;
  if (p.grey.length !== n || p.truth.length !== n) throw new Error(`otsuScore: grey has ${p.grey.length} and truth ${p.truth.length} values for ${p.width}×${p.height}`);
  const t = otsuThreshold(p.grey);
  let above = 0;
  for (let i = 0; i < n; i++) if (p.grey[i] > t) above++;
  const bright = side === "bright" || (side === "minority" && above <= n - above);
  const pred = new Uint8Array(n);
  for (let i = 0; i < n; i++) pred[i] = (p.grey[i] > t) === bright ? 1 : 0;
  const s = segScores(p.truth, pred, { smooth, threshold: 0.5 });
  return { threshold: t, dice: s.diceT, iou: s.iouT };
}

/**
 * Pick the Otsu polarity rule on training pairs: the one of {@link OTSU_SIDES} whose median Dice is
 * highest (ties: the earlier, "dark" first since a bright-field micrograph shows particles dark).
 * Throws when `train` is empty.
 */
export function chooseOtsuSide(train: GreyPair[], smooth = 1e-6): { side: OtsuSide; medianDice: Record<OtsuSide, number> } {
  if (!train.length) throw new Error("chooseOtsuSide: no training pairs");
  const medianDice = {} as Record<OtsuSide, number>;
  let side: OtsuSide = OTSU_SIDES[0];
  for (const s of OTSU_SIDES) {
    medianDice[s] = median(train.map((p) => otsuScore(p, s, smooth).dice));
    if (medianDice[s] > medianDice[side]) side = s;
  }
  return { side, medianDice };
}

/** Otsu baseline from pairs in memory: polarity from `train`, scores on `test` (`names` label the test rows). */
export function otsuBaselineOf(train: GreyPair[], test: GreyPair[], names?: string[], smooth = 1e-6): OtsuBaselineResult {
  const { side, medianDice } = chooseOtsuSide(train, smooth);
  const images = test.map((p, k) => ({ image: names?.[k] ?? String(k), ...otsuScore(p, side, smooth) }));
  return {
    polarity: side,
    trainMedianDice: medianDice,
    images,
    median: { dice: median(images.map((r) => r.dice)), iou: median(images.map((r) => r.iou)) },
  };
}

/**
 * Read an image as grey values in [0,1] (mean of R, G, B over the format's full scale) and its mask by
 * `rule` (inverted when `invert`), at the mask's native size. An image whose size differs from its mask
 * is sampled nearest-neighbour onto the mask grid (resize mode accepts such pairs). Throws naming a file
 * that cannot be read.
 */
export async function readGreyForMask(imageFile: string, maskFile: string, rule: MaskRule = "auto", invert = false): Promise<GreyPair> {
  const m = await readMaskForSeg(maskFile, rule, invert);
  const img = await decodeImage(imageFile, { channels: 3 });
  const scale = img.depth === 16 ? 1 / 65535 : 1 / 255;
  const W = m.width, H = m.height;
  const grey = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / H));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / W));
      const o = (sy * img.width + sx) * 3;
      grey[y * W + x] = ((img.data[o] + img.data[o + 1] + img.data[o + 2]) / 3) * scale;
    }
  }
  return { grey, truth: Uint8Array.from(m.data), width: W, height: H };
}

/**
 * The Otsu baseline of a `segment` run from files: polarity chosen on the training pairs, Dice/IoU of
 * each test image at native resolution. Throws naming a file that cannot be read.
 */
export async function otsuBaseline(
  train: { images: string[]; masks: string[] },
  test: { images: string[]; masks: string[] },
  opts: { rule?: MaskRule; invert?: boolean; smooth?: number } = {},
): Promise<OtsuBaselineResult> {
  const rule = opts.rule ?? "auto", invert = opts.invert ?? false, smooth = opts.smooth ?? 1e-6;
  const trainPairs: GreyPair[] = [];
  for (let i = 0; i < train.images.length; i++) trainPairs.push(await readGreyForMask(train.images[i], train.masks[i], rule, invert));
  const { side, medianDice } = chooseOtsuSide(trainPairs, smooth);
  // Test images one at a time: only the scores are kept, so a large held-out set stays small in memory.
  const images: OtsuImageScore[] = [];
  for (let i = 0; i < test.images.length; i++) {
    const p = await readGreyForMask(test.images[i], test.masks[i], rule, invert);
    images.push({ image: path.basename(test.images[i]), ...otsuScore(p, side, smooth) });
  }
  return { polarity: side, trainMedianDice: medianDice, images, median: { dice: median(images.map((r) => r.dice)), iou: median(images.map((r) => r.iou)) } };
}
