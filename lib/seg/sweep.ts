import * as tf from "@tensorflow/tfjs";
import type { Encoder } from "../models/encoder";
import { UNet, type UNetConfig } from "./unet";
import { trainSegmenter, predictProbabilities, computeSkipCache, disposeSkipCache, type SegTrainConfig } from "./train";
import { batchScores, type ScoreOptions } from "./metrics";
import { epochsFor, type EpochSchedule, PAPER_EPOCHS } from "./schedule";
import { stratifiedSplit, drawPerClass } from "../stats/splits";

/**
 * Label sweep of the paper's segmentation study: for every split seed a stratified train/test split
 * (default 80/20, seed 42 in the paper), then for every n a U-Net trained on n labelled images per
 * class from the training part (epochs from the schedule), scored on every test image.
 * With a frozen encoder the skip maps of all images are computed once for the whole sweep.
 */
export interface SegSweepConfig {
  /** Labelled images per class, e.g. [1, 2, 4, 8, 16, 32, 80] (paper). */
  labelsPerClass: number[];
  /** Split seeds. Default [42] (paper). */
  splitSeeds?: number[];
  /** Test fraction of the stratified split. Default 0.2 (paper: 160 / 40). */
  testFraction?: number;
  /** Epochs per n. Default the paper's {80:20, 32:30, 16:40, 8:60, 4:120, 2:120, 1:120}. */
  epochs?: EpochSchedule;
  /** Training options other than epochs (batch 4, Adam 1e-3, Dice loss by default). */
  train?: Omit<SegTrainConfig, "epochs" | "skipCache">;
  /** Decoder options. */
  unet?: UNetConfig;
  /** Score options (smooth 1e-6, threshold 0.5). */
  scores?: ScoreOptions;
  /** Called after each run (for progress or incremental saving). */
  onRun?: (rows: SegRunRecord[]) => void;
  /** Called after each run with the test rows and their probabilities [T·H·W] (e.g. to draw overlays). */
  onPredictions?: (run: SegRunPredictions) => void;
}

/** Test predictions of one sweep run. */
export interface SegRunPredictions {
  splitSeed: number;
  n: number;
  /** Row indices (into the sweep data) of the test images, in the order of `probs`. */
  test: number[];
  /** Probabilities, test.length × H × W, row-major. */
  probs: Float32Array;
  height: number;
  width: number;
}

/** Images, masks and class labels for a sweep (tensors are not disposed by the sweep). */
export interface SegData {
  /** [N,H,W,3] in [0,1]. */
  images: tf.Tensor4D;
  /** [N,H,W,1] in {0,1}. */
  masks: tf.Tensor4D;
  /** Class index per image. */
  labels: number[];
  /** Class names. */
  classes: string[];
  /** Source file per image (for the result rows). */
  files: string[];
}

/** One test image scored after one training run. */
export interface SegRunRecord {
  encoder: string;
  splitSeed: number;
  /** Labelled images per class. */
  n: number;
  /** Test image (file name) and its class. */
  image: string;
  class: string;
  dice: number;
  iou: number;
  diceT: number;
  iouT: number;
  epochs: number;
  /** Final epoch's mean training loss. */
  finalLoss: number;
  trainSeconds: number;
}

/** Run the sweep. Throws when a class has fewer than n training images. */
export function segmentationSweep(encoder: Encoder, data: SegData, cfg: SegSweepConfig): SegRunRecord[] {
  const N = data.images.shape[0];
  if (data.masks.shape[0] !== N || data.labels.length !== N || data.files.length !== N) {
    throw new Error(`segmentationSweep: ${N} images but ${data.masks.shape[0]} masks, ${data.labels.length} labels, ${data.files.length} files`);
  }
  const rows: SegRunRecord[] = [];
  const seeds = cfg.splitSeeds ?? [42];
  const probe = new UNet(encoder, cfg.unet);
  const cache = probe.trainEncoder ? null : computeSkipCache(probe, data.images);
  probe.dispose();
  try {
    for (const seed of seeds) {
      const split = stratifiedSplit(data.labels, seed, cfg.testFraction ?? 0.2);
      for (const n of cfg.labelsPerClass) {
        const labelled = drawPerClass(data.labels, split.train, n, seed, data.classes);
        const epochs = epochsFor(n, cfg.epochs ?? PAPER_EPOCHS);
        const net = new UNet(encoder, { ...cfg.unet, seed: (cfg.unet?.seed ?? 0) + seed * 1000 + n });
        const run = tf.tidy(() => {
          const idx = tf.tensor1d(labelled, "int32");
          return { x: tf.gather(data.images, idx) as tf.Tensor4D, y: tf.gather(data.masks, idx) as tf.Tensor4D };
        });
        try {
          const res = trainSegmenter(net, run.x, run.y, {
            ...cfg.train, epochs, seed: seed * 1000 + n, label: `segment n=${n} split=${seed}`,
            skipCache: cache ? labelled.map((i) => cache[i]) : undefined,
          });
          const probs = predictProbabilities(net, cache ? null : data.images, 8, cache ?? undefined, split.test);
          const truth = tf.tidy(() => tf.gather(data.masks, tf.tensor1d(split.test, "int32")) as tf.Tensor4D);
          const scores = batchScores(truth, probs, cfg.scores);
          if (cfg.onPredictions) {
            cfg.onPredictions({ splitSeed: seed, n, test: split.test, probs: probs.dataSync() as Float32Array, height: probs.shape[1], width: probs.shape[2] });
          }
          tf.dispose([probs, truth]);
          const batch = split.test.map((t, k) => ({
            encoder: encoder.name, splitSeed: seed, n, image: data.files[t], class: data.classes[data.labels[t]],
            ...scores[k], epochs, finalLoss: res.losses[res.losses.length - 1], trainSeconds: res.seconds,
          }));
          rows.push(...batch);
          cfg.onRun?.(batch);
        } finally {
          tf.dispose([run.x, run.y]);
          net.dispose();
        }
      }
    }
  } finally {
    if (cache) disposeSkipCache(cache);
  }
  return rows;
}
