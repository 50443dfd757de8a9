import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { ensureDataset, nanowireMaskPairs } from "../data/dataset";
import { pairImagesMasks } from "../data/folders";
import { loadImages } from "../data/images";
import { loadMasks, type MaskRule } from "../data/masks";
import type { ProfileName } from "../config/index";
import type { SegData } from "./sweep";

/** A segmentation study's data as tensors plus the file lists behind them. */
export interface NanowireSegStudy extends SegData {
  /** Dataset folder: the images folder given, or the synthetic stand-in set under the cache. */
  dir: string;
  /** Mask file per image. */
  maskFiles: string[];
  /** Image file per row (absolute), index-aligned with `files` (which holds display names). */
  imageFiles: string[];
  /** True when the images came from a folder the user gave. */
  real: boolean;
  /** Which data this is, for the notebook's first output and figure notes. */
  dataLabel: string;
}

/** Where a segmentation study reads its images. Defaults in brackets. */
export interface SegStudyOptions {
  /** Square input size in px (images and masks are resized to it). */
  size: number;
  /**
   * A folder of images (flat, or one subfolder per class) to pair with `masks`. [""/absent: the
   * synthetic nanowire stand-in set of the profile]
   */
  images?: string;
  /** The masks' folder, matched by name (`x.png`, `x_label.png`, `x_mask.png`; see pairImagesMasks). [`images`: masks beside the images] */
  masks?: string;
  /** Foreground rule for real masks (lib/data/masks). ["auto": any non-zero channel; G ≠ B for the paper's colour masks] */
  maskRule?: MaskRule;
  /** Classes of the synthetic set used (the paper's: masks exist for these two). [dispersed, network] */
  classes?: string[];
  /** Profile of the synthetic set. [active profile] */
  profile?: ProfileName;
}

/** Class name given to the images of a flat real folder (no class subfolders). */
export const FLAT_CLASS = "all";

/**
 * The one loader of notebook 05 and `segment`-style studies: a real image/mask folder pair when
 * `images` is given, else the synthetic nanowire set (generated on first use, sizes from
 * configs/data.json). Real images in class subfolders keep those classes (splits are stratified by
 * them); a flat folder is one class named `all`. Images come back [N,size,size,3] in [0,1], masks
 * [N,size,size,1] in {0,1} (binarised at native size, then resized nearest-neighbour). Caller disposes
 * `images` and `masks`.
 * @throws naming the folder when it is missing or holds no image/mask pair, or naming the file for an
 *   image without a mask (pairImagesMasks).
 */
export async function segStudyData(opts: SegStudyOptions): Promise<NanowireSegStudy> {
  if (opts.images) {
    const imagesDir = path.resolve(opts.images);
    const masksDir = path.resolve(opts.masks || opts.images);
    if (!fs.existsSync(imagesDir)) throw new Error(`segStudyData: images folder ${imagesDir} does not exist (give -p images=DIR -p masks=DIR)`);
    const pairs = pairImagesMasks(imagesDir, masksDir);
    if (pairs.images.length < 2) throw new Error(`segStudyData: ${imagesDir} holds ${pairs.images.length} image/mask pair(s) with ${masksDir}; a study needs at least 2`);
    const classOf = (f: string): string => {
      const rel = path.relative(imagesDir, f).split(path.sep);
      return rel.length > 1 ? rel[0] : FLAT_CLASS;
    };
    const classes = [...new Set(pairs.images.map(classOf))].sort();
    const labels = pairs.images.map((f) => classes.indexOf(classOf(f)));
    const { images, masks } = await loadPairs(pairs.images, pairs.masks, opts.size, opts.maskRule ?? "auto");
    return {
      dir: imagesDir, images, masks, labels, classes, real: true,
      files: pairs.images.map((f) => path.relative(imagesDir, f)), imageFiles: pairs.images, maskFiles: pairs.masks,
      dataLabel: `${pairs.images.length} image/mask pairs from ${imagesDir} (masks ${masksDir}; classes ${classes.join(", ")})`,
    };
  }
  const classes = opts.classes ?? ["dispersed", "network"];
  const dir = await ensureDataset("nanowire", opts.profile ? { profile: opts.profile } : {});
  const pairs = nanowireMaskPairs(dir, classes, "label");
  const labels = pairs.images.map((f) => {
    const c = classes.indexOf(path.basename(path.dirname(f)));
    if (c < 0) throw new Error(`segStudyData: ${f} is not in a class folder of ${classes.join(", ")}`);
    return c;
  });
  const { images, masks } = await loadPairs(pairs.images, pairs.masks, opts.size, "auto");
  return {
    dir, images, masks, labels, classes, real: false,
    files: pairs.images.map((f) => path.basename(f)), imageFiles: pairs.images, maskFiles: pairs.masks,
    dataLabel: `synthetic stand-in data (${pairs.images.length} nanowire image/mask pairs; give -p images=DIR -p masks=DIR for real ones)`,
  };
}

async function loadPairs(imageFiles: string[], maskFiles: string[], size: number, rule: MaskRule): Promise<{ images: tf.Tensor4D; masks: tf.Tensor4D }> {
  const images = await loadImages(imageFiles, size);
  try {
    return { images, masks: await loadMasks(maskFiles, size, { rule }) };
  } catch (e) {
    images.dispose();
    throw e;
  }
}

/**
 * The synthetic nanowire segmentation set (kept for callers of the earlier API): `segStudyData`
 * without a real folder. Caller disposes `images` and `masks`.
 */
export async function nanowireSegStudy(size: number, classes: string[] = ["dispersed", "network"], profile?: ProfileName): Promise<NanowireSegStudy> {
  return segStudyData({ size, classes, profile });
}
