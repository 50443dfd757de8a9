import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { ensureDataset, nanowireMaskPairs } from "../data/dataset";
import { loadImages } from "../data/images";
import { loadMasks } from "../data/masks";
import type { ProfileName } from "../config/index";
import type { SegData } from "./sweep";

/** The nanowire segmentation set of a profile, as tensors plus the file lists behind them. */
export interface NanowireSegStudy extends SegData {
  /** Dataset folder (synthetic stand-in under the cache). */
  dir: string;
  /** Mask file per image (paper format `_label.png`, G ≠ B). */
  maskFiles: string[];
}

/**
 * Load the nanowire images that have masks (default classes dispersed + network, as the paper) at
 * `size`×`size`: images in [0,1] via lib/data, masks binarised with the paper's colour rule then
 * resized nearest-neighbour. Generates the synthetic set on first use (sizes from configs/data.json).
 * Caller disposes `images` and `masks`.
 */
export async function nanowireSegStudy(size: number, classes: string[] = ["dispersed", "network"], profile?: ProfileName): Promise<NanowireSegStudy> {
  const dir = await ensureDataset("nanowire", profile ? { profile } : {});
  const pairs = nanowireMaskPairs(dir, classes, "label");
  const labels = pairs.images.map((f) => {
    const c = classes.indexOf(path.basename(path.dirname(f)));
    if (c < 0) throw new Error(`nanowireSegStudy: ${f} is not in a class folder of ${classes.join(", ")}`);
    return c;
  });
  const images = await loadImages(pairs.images, size);
  let masks: tf.Tensor4D;
  try {
    masks = await loadMasks(pairs.masks, size);
  } catch (e) {
    images.dispose();
    throw e;
  }
  return { dir, images, masks, labels, classes, files: pairs.images.map((f) => path.basename(f)), maskFiles: pairs.masks };
}
