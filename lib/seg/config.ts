import { loadConfig, type ProfileName } from "../config/index";
import type { SegLossName } from "./losses";
import type { EpochSchedule } from "./schedule";

/**
 * Segmentation run settings, `configs/segment.json` per profile (defaults are the paper's):
 * encoder "imagenet" (the paper's Barlow-TEM encoder is a ResNet50; any checkpoint/.h5 path works),
 * input 224, decoder filters 1024/512/256/128 (null = the UNet default for the encoder), batch 4,
 * Adam 1e-3, Dice loss with smooth 1e-6, frozen encoder, classes dispersed + network, n per class
 * {1,2,4,8,16,32,80}, split seed 42, 80/20 split, epochs {80:20, 32:30, 16:40, 8:60, 4:120, 2:120, 1:120}.
 *
 * Porting note: the ci and laptop profiles train with BCE + Dice. With 1 − Dice alone the decoder first
 * drifts to predicting foreground everywhere (the Dice gradient pushes the output bias up while
 * foreground is a minority) and sits on that plateau, sigmoid saturated, for about a hundred steps. On the
 * ci stand-in set at 64 px (n = 4/class, 2 steps per epoch): lr 1e-3 kept the loss at 0.63–0.64 (the
 * all-foreground value) for ~55 epochs, then it fell to 0.18 by epoch 120 (test Dice 0.64 soft / 0.70
 * thresholded); 15–30 epochs end on the plateau (test Dice 0.42 = all-foreground). BCE + Dice at lr 0.01
 * learns from the first epochs (test Dice 0.66 / 0.72 after 30). The paper profile keeps the paper's loss.
 *
 * The `quality` profile (what `segment` uses with no profile named) was chosen by measurement on real
 * micrographs (EMPS particles, ISBI membranes) against an Otsu baseline: 128 px, filters 128/64/32/16,
 * BCE + Dice, lr 3e-3, caffe preprocessing, 20 epochs for 16–31 pairs. lr 1e-3 / 1e-2, Dice alone, unit
 * preprocessing, 40 epochs and 160 px each scored lower (README, "How the defaults were chosen").
 */
export interface SegmentConfig {
  encoder: string;
  /**
   * Encoder input preprocessing: "unit" ([0,1], the paper's) or "caffe" (Keras ImageNet BGR mean
   * subtraction, what stock ImageNet weights expect). The ci/laptop profiles use caffe with the stock
   * imagenet encoder.
   */
  preprocess: "unit" | "caffe";
  /** Input side (divisible by 32). */
  size: number;
  /** Decoder filters, deepest first, or null for the encoder's default. */
  filters: number[] | null;
  batchSize: number;
  learningRate: number;
  loss: SegLossName;
  smooth: number;
  threshold: number;
  trainEncoder: boolean;
  /** Classes with masks used by the sweep (nanowire set). */
  classes: string[];
  labelsPerClass: number[];
  /** Number of split seeds, starting at firstSplitSeed. */
  splits: number;
  firstSplitSeed: number;
  testFraction: number;
  epochs: EpochSchedule;
  /** Seed of random encoder initialisation (resnet8/18/50). */
  encoderSeed: number;
}

/** Load and check `configs/segment.json` for a profile. Throws naming the bad field. */
export function loadSegmentConfig(profile?: ProfileName): SegmentConfig {
  const c = loadConfig<SegmentConfig>("segment", profile);
  const bad = (field: string, v: unknown): never => { throw new Error(`configs/segment.json: ${field} is invalid (${JSON.stringify(v)})`); };
  if (!(Number.isInteger(c.size) && c.size >= 32 && c.size % 32 === 0)) bad("size", c.size);
  if (c.filters !== null && !(Array.isArray(c.filters) && c.filters.length === 4)) bad("filters", c.filters);
  if (c.loss !== "dice" && c.loss !== "bce+dice") bad("loss", c.loss);
  if (c.preprocess !== "unit" && c.preprocess !== "caffe") bad("preprocess", c.preprocess);
  if (!Array.isArray(c.labelsPerClass) || !c.labelsPerClass.every((n) => Number.isInteger(n) && n >= 1)) bad("labelsPerClass", c.labelsPerClass);
  if (!(Number.isInteger(c.splits) && c.splits >= 1)) bad("splits", c.splits);
  if (typeof c.epochs !== "object" || !Object.keys(c.epochs).length) bad("epochs", c.epochs);
  return c;
}

/** Notebook parameters that override a segmentation config; 0, "" or [] keeps the profile's setting. */
export interface SegmentOverrides {
  /** Labelled images per class. [] = the profile's. */
  labelsPerClass?: number[];
  /** Split seeds. 0 = the profile's. */
  splits?: number;
  /** Input size in px (a multiple of 32). 0 = the profile's. */
  size?: number;
  /** Encoder spec (imagenet, resnet8, a checkpoint folder). "" = the profile's. */
  encoder?: string;
}

/**
 * `cfg` with the set overrides applied.
 * @throws naming the parameter for a size that is not a positive multiple of 32, or a non-positive n or split count.
 */
export function withSegmentOverrides(cfg: SegmentConfig, o: SegmentOverrides): SegmentConfig {
  for (const n of o.labelsPerClass ?? []) if (!(Number.isInteger(n) && n >= 1)) throw new Error(`withSegmentOverrides: labelsPerClass must hold positive integers, got ${n}`);
  if (o.splits && !(Number.isInteger(o.splits) && o.splits >= 1)) throw new Error(`withSegmentOverrides: splits must be a positive integer, got ${o.splits}`);
  if (o.size && !(Number.isInteger(o.size) && o.size >= 32 && o.size % 32 === 0)) throw new Error(`withSegmentOverrides: size must be a multiple of 32 (≥ 32), got ${o.size}`);
  return {
    ...cfg,
    labelsPerClass: o.labelsPerClass?.length ? o.labelsPerClass : cfg.labelsPerClass,
    splits: o.splits || cfg.splits,
    size: o.size || cfg.size,
    encoder: o.encoder || cfg.encoder,
  };
}
