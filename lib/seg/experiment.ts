/**
 * The segmentation experiment behind `nanomorph segment`, callable from notebooks: draw a train/test
 * split of image/mask pairs, train a U-Net decoder on a (frozen) encoder, save the model, predict the
 * held-out images at native resolution, score them (soft and thresholded Dice/IoU, at the network's and
 * at native resolution), beside Otsu (polarity chosen on the training pairs) and the all-foreground
 * floor. Every input is read before `out` is opened; the run replaces an earlier one there only when it
 * finishes (util/output_run), and SIGINT/SIGTERM/SIGHUP stop it at the next step.
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/index";
import { loadEncoder } from "../models/load";
import { pairImagesMasks } from "../data/folders";
import { maskProblems, type MaskRule } from "../data/masks";
import { loadSegmentConfig } from "./config";
import { profileName, profileIsExplicit } from "../config/index";
import { otsuBaseline, type OtsuBaselineResult } from "./otsu_baseline";
import { UNet } from "./unet";
import { trainSegmenterInterruptible, predictProbabilities } from "./train";
import { segScores, batchScores, type SegScores } from "./metrics";
import { epochsFor } from "./schedule";
import { preparePairs, nativeProbabilities, writePredictedMask, predictedMaskName, readMaskForSeg, type FitMode, type PreparedPairs } from "./pairs";
import { summarize } from "../stats/quantiles";
import { saveSegmentModel } from "./model_file";
import { Rng } from "../util/rng";
import { resultsDir } from "../util/paths";
import { writeJsonAtomic } from "../util/fsx";
import { checkOutputDir } from "../util/output_dir";
import { OutputRun } from "../util/output_run";
import { watchInterrupts, interruptPoint } from "../util/interrupt";
import { UsageError } from "../util/errors";
import { calibrationColumns, readCalibrationReport, type CalibrationColumns } from "../data/calibration";

/** Options of {@link runSegmentExperiment}; what is left out comes from configs/segment.json for the profile. */
export interface SegmentExperimentOptions {
  /** Micrographs (any size; jpg/png/tif, 8 or 16 bit). */
  images: string;
  /** Masks paired by file stem (binary, the paper's colour labels, or 16-bit label maps). */
  masks: string;
  /** Mask foreground rule (default "auto"). */
  rule?: MaskRule;
  /** Swap mask foreground and background. */
  invert?: boolean;
  /** Encoder spec (imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5). */
  encoder?: string;
  preprocess?: "unit" | "caffe";
  /** Training pairs, drawn with `seed` (default 80 % of the pairs). */
  train?: number;
  /** Seed of the draw and of the decoder (default 42). */
  seed?: number;
  /** Network input side, px, a multiple of 32. */
  size?: number;
  /** resize (default): whole micrograph resized; tile: tiles at native resolution. */
  fit?: FitMode;
  /** Epochs (default: the paper's schedule for the number of training pairs). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  loss?: "dice" | "bce+dice";
  /** Decoder filters, deepest first (4 numbers). */
  filters?: number[];
  /** Train the encoder too. */
  unfreeze?: boolean;
  /** Threshold of written masks and hard scores, in (0, 1). */
  threshold?: number;
  /** Output folder (default results/segment): predicted masks, segment.json, model/. */
  out?: string;
  /** Progress and notes (default stderr). */
  log?: (line: string) => void;
}

/** Per-image result of the segmentation experiment. */
export interface SegmentImageResult extends SegScores {
  image: string;
  mask: string;
  predicted: string;
  /** Dice of the trivial all-foreground prediction on this image (a floor for context). */
  allForegroundDice: number;
  /** The model's scores at the image's native resolution (equal to the scores above in tile mode). */
  native: SegScores;
  /** Dice of Otsu thresholding on this image (native resolution, polarity chosen on the training pairs). */
  otsuDice: number;
  /** The image's pixel size from its metadata (file tags or sidecar; "" when none) and where it came from (lib/data/calibration). */
  nmPerPx: number | "";
  calibrationSource: CalibrationColumns["calibrationSource"];
  calibrationFrom: string;
}

/** Most epochs `segment` accepts (a typo like 1e12 would otherwise run for centuries). */
export const MAX_EPOCHS = 100000;
/** Largest network input side `segment` accepts, px. */
export const MAX_SIZE = 4096;
/** Top-level names in `segment --out` that belong to a segment run (replaced together). */
export const SEGMENT_OUTPUTS = /^(.+_pred\.png|segment\.json|model)$/;

/** What `segment` writes to segment.json (see docs/ARCHITECTURE.md). */
export interface SegmentReport {
  images: SegmentImageResult[];
  median: { dice: number; iou: number; diceT: number; iouT: number; allForegroundDice: number; native: { dice: number; iou: number; diceT: number; iouT: number } };
  baseline: { otsu: { polarity: OtsuBaselineResult["polarity"]; trainMedianDice: OtsuBaselineResult["trainMedianDice"]; median: OtsuBaselineResult["median"] } };
  train: { n: number; files: string[]; epochs: number; finalLoss: number; seconds: number };
  /** The saved model folder (`--out`/model). */
  model: string;
  /** Masks that make Dice meaningless (empty, all foreground, not binary); no Otsu verdict when any. */
  warnings: string[];
  settings: Record<string, unknown>;
  seconds: number;
}

/** What {@link runSegmentExperiment} returns: the report written to segment.json and the summary lines. */
export interface SegmentExperimentResult {
  report: SegmentReport;
  /** Human-readable conclusions (medians, the Otsu verdict or why there is none, timing). */
  summary: string[];
  /** The output folder. */
  out: string;
}

/**
 * Run the segmentation experiment.
 * @throws UsageError naming the option for a value that does not fit the data (e.g. --train ≥ the pairs);
 * InterruptedError on SIGINT/SIGTERM/SIGHUP (the earlier run in `out` is left whole)
 */
export async function runSegmentExperiment(o: SegmentExperimentOptions): Promise<SegmentExperimentResult> {
  const log = o.log ?? ((l: string) => console.error(l));
  const cfg = loadSegmentConfig();
  const pairs = pairImagesMasks(path.resolve(o.images), path.resolve(o.masks));
  const total = pairs.images.length;
  if (total < 2) throw new UsageError(`need at least 2 image/mask pairs, found ${total}`);
  const nTrain = o.train ?? Math.max(1, Math.round(0.8 * total));
  if (!(Number.isInteger(nTrain) && nTrain >= 1 && nTrain < total)) throw new UsageError(`--train must be an integer in 1..${total - 1}, got '${o.train}'`);
  const seed = o.seed ?? 42;
  const size = o.size ?? cfg.size;
  if (!(Number.isInteger(size) && size >= 32 && size % 32 === 0 && size <= MAX_SIZE)) throw new UsageError(`--size must be a multiple of 32 in 32..${MAX_SIZE}, got '${o.size}'`);
  const fit: FitMode = o.fit ?? "resize";
  const rule: MaskRule = o.rule ?? "auto";
  const epochs = o.epochs ?? epochsFor(nTrain, cfg.epochs);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= MAX_EPOCHS)) throw new UsageError(`--epochs must be an integer in 1..${MAX_EPOCHS}, got '${o.epochs}'`);
  const loss = o.loss ?? cfg.loss;
  const threshold = o.threshold ?? cfg.threshold;
  const batchSize = o.batchSize ?? cfg.batchSize;
  const learningRate = o.learningRate ?? cfg.learningRate;
  const filters = o.filters ?? cfg.filters ?? undefined;
  if (filters && filters.length !== 4) throw new UsageError(`--filters needs 4 numbers, got '${filters.join(",")}'`);
  const spec = o.encoder ?? cfg.encoder;
  const preprocess = o.preprocess ?? cfg.preprocess;
  // --out is checked (creatable, writable, not an input) before any work, so a typo or an unwritable
  // folder does not cost a finished training; nothing of an earlier run there is touched until this
  // run has written all of its outputs (OutputRun: a staging folder, then a swap).
  const outDir = o.out ?? resultsDir("segment");
  const outOptions = { option: "segment --out", command: "segment", inputs: [o.images, o.masks], outputs: SEGMENT_OUTPUTS };
  checkOutputDir(outDir, outOptions);

  const order = new Rng(seed).fork("segment-train").shuffle(Array.from({ length: total }, (_, i) => i));
  const trainIdx = order.slice(0, nTrain).sort((a, b) => a - b);
  const testIdx = order.slice(nTrain).sort((a, b) => a - b);
  const profile = profileName();
  const started = Date.now();
  const backend = await initBackend();
  // The settings in use, always (stderr, so --json output stays clean): a user must see what ran.
  log(`segment: profile ${profile}${profileIsExplicit() ? "" : " (default; NANOMORPH_PROFILE or --profile changes it)"}; ` +
    `encoder ${spec}; preprocess ${preprocess}; ${fit} ${size}px; ${epochs} epochs; loss ${loss}; lr ${learningRate}; batch ${batchSize}; ` +
    `filters ${filters ? filters.join("/") : "encoder default"}; backend ${backend.name}`);
  log(`segment: ${total} pairs → ${nTrain} train / ${testIdx.length} test (seed ${seed})`);
  // Inputs are read (encoder, every image and mask) before the run opens --out: a bad encoder spec or
  // a mask of the wrong size fails here, with the earlier run untouched.
  const encoder = await loadEncoder(spec, { seed: cfg.encoderSeed, preprocess });
  let net: UNet | null = null;
  let train: PreparedPairs | null = null;
  let test: PreparedPairs | null = null;
  const invert = o.invert === true;
  const results: SegmentImageResult[] = [];
  let trainInfo: { losses: number[]; steps: number; seconds: number } = { losses: [], steps: 0, seconds: 0 };
  let modelDir = "";
  let decoderFilters: number[] = [];
  // SIGINT/SIGTERM/SIGHUP stop training at the next step; the run is then aborted (earlier run kept).
  const stopWatching = watchInterrupts();
  let run: OutputRun | null = null;
  try {
    net = new UNet(encoder, { filters, trainEncoder: o.unfreeze === true, seed });
    decoderFilters = net.filters;
    train = await preparePairs(trainIdx.map((i) => pairs.images[i]), trainIdx.map((i) => pairs.masks[i]), size, fit, rule, invert);
    test = await preparePairs(testIdx.map((i) => pairs.images[i]), testIdx.map((i) => pairs.masks[i]), size, fit, rule, invert);
    await interruptPoint("segment stopped before training");
    run = OutputRun.begin(outDir, outOptions);
    for (const n of run.notes) log(`segment: ${n}`);
    trainInfo = await trainSegmenterInterruptible(net, train.x, train.y!, {
      epochs, batchSize, learningRate, loss, seed,
    });
    // Saved before scoring (into the run's staging folder; it moves into --out at the end).
    modelDir = run.finalPath(saveSegmentModel(run.staging, net, {
      encoderSpec: spec, preprocess, size, fit, filters: net.filters, kernel: net.kernel, bnEpsilon: net.bnEpsilon,
      threshold, invert, rule, trainEncoder: net.trainEncoder,
    }, {
      profile, pairs: nTrain, files: trainIdx.map((i) => path.basename(pairs.images[i])), epochs, steps: trainInfo.steps,
      loss, learningRate, batchSize, seed, finalLoss: trainInfo.losses[trainInfo.losses.length - 1],
    }));
    const probsT = predictProbabilities(net, test.x, 8);
    const netScores = fit === "resize" ? batchScores(test.y!, probsT, { smooth: cfg.smooth, threshold }) : null;
    const probs = probsT.dataSync() as Float32Array;
    probsT.dispose();
    for (let k = 0; k < testIdx.length; k++) {
      const i = testIdx[k];
      const [h, w] = test.sizes[k];
      const native = await nativeProbabilities(probs, size, test, k);
      const file = run.path(predictedMaskName(pairs.images[i]));
      await writePredictedMask(file, native, h, w, threshold);
      const truth = (await readMaskForSeg(pairs.masks[i], rule, invert)).data;
      const nativeScores = segScores(truth, native, { smooth: cfg.smooth, threshold });
      const scores = netScores ? netScores[k] : nativeScores;
      // Baseline for context: Dice of predicting foreground everywhere (2f / (1 + f), f = foreground fraction).
      let fg = 0;
      for (let q = 0; q < truth.length; q++) fg += truth[q];
      const f = fg / truth.length;
      const cal = await readCalibrationReport(pairs.images[i]);
      results.push({ image: path.basename(pairs.images[i]), mask: path.basename(pairs.masks[i]), predicted: run.finalPath(file), ...scores, allForegroundDice: (2 * f) / (1 + f), native: nativeScores, otsuDice: NaN, ...calibrationColumns(cal.calibration, cal.reason) });
      await interruptPoint("segment stopped while writing predictions");
    }
  } catch (e) {
    stopWatching();
    if (run) log(run.abort(e));
    throw e;
  } finally {
    tf.dispose([...(train ? [train.x] : []), ...(test ? [test.x] : []), ...(train?.y ? [train.y] : []), ...(test?.y ? [test.y] : [])]);
    net?.dispose();
    encoder.dispose();
  }
  const out = run.dir;
  const summary: string[] = [];
  let report: SegmentReport;
  try {
    const otsu: OtsuBaselineResult = await otsuBaseline(
      { images: trainIdx.map((i) => pairs.images[i]), masks: trainIdx.map((i) => pairs.masks[i]) },
      { images: testIdx.map((i) => pairs.images[i]), masks: testIdx.map((i) => pairs.masks[i]) },
      { rule, invert, smooth: cfg.smooth });
    results.forEach((r, k) => { r.otsuDice = otsu.images[k].dice; });
    const med = (k: keyof SegScores): number => summarize(results.map((r) => r[k])).median;
    const medNative = (k: keyof SegScores): number => summarize(results.map((r) => r.native[k])).median;
    // Masks with no foreground or nothing else make Dice meaningless (and Otsu's 0 easy to "beat").
    const degenerate: string[] = [];
    for (const i of [...trainIdx, ...testIdx]) degenerate.push(...await maskProblems(pairs.masks[i], rule, invert));
    report = {
      images: results,
      median: {
        dice: med("dice"), iou: med("iou"), diceT: med("diceT"), iouT: med("iouT"), allForegroundDice: summarize(results.map((r) => r.allForegroundDice)).median,
        native: { dice: medNative("dice"), iou: medNative("iou"), diceT: medNative("diceT"), iouT: medNative("iouT") },
      },
      baseline: { otsu: { polarity: otsu.polarity, trainMedianDice: otsu.trainMedianDice, median: otsu.median } },
      train: { n: nTrain, files: trainIdx.map((i) => path.basename(pairs.images[i])), epochs, finalLoss: trainInfo.losses[trainInfo.losses.length - 1], seconds: trainInfo.seconds },
      model: modelDir,
      warnings: degenerate,
      settings: { profile, encoder: spec, preprocess, size, fit, epochs, loss, learningRate, batchSize, threshold, filters: decoderFilters, seed, invert, backend: backend.name },
      seconds: (Date.now() - started) / 1000,
    };
    const nat = report.median.native;
    summary.push(`median Dice over ${results.length} held-out images: model ${report.median.dice.toFixed(4)} soft / ${report.median.diceT.toFixed(4)} thresholded` +
      `${fit === "resize" ? ` (${size}px; at native resolution ${nat.dice.toFixed(4)} / ${nat.diceT.toFixed(4)})` : ""}; ` +
      `Otsu ${otsu.median.dice.toFixed(4)} (native, ${otsu.polarity} foreground, chosen on the training pairs); ` +
      `all-foreground ${report.median.allForegroundDice.toFixed(4)}`);
    // Say plainly when training did not pay: a user should then threshold, or label more pairs.
    const beats = report.median.dice > otsu.median.dice && report.median.diceT > otsu.median.dice;
    for (const w of degenerate) summary.push(`warning: ${w}`);
    summary.push(degenerate.length ? "no verdict against Otsu: the masks above make Dice meaningless; fix them first"
      : beats ? "the model beats Otsu on median Dice (soft and thresholded)"
        : "warning: the model does not beat Otsu on median Dice here; label more pairs, train longer, or threshold instead");
    summary.push(`${report.seconds.toFixed(0)} s in all (training ${trainInfo.seconds.toFixed(0)} s)`);
    await interruptPoint("segment stopped while scoring");
    writeJsonAtomic(run.path("segment.json"), report);
    run.commit();
  } catch (e) {
    log(run.abort(e));
    throw e;
  } finally {
    stopWatching();
  }
  return { report, summary, out };
}
