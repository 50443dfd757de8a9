import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { type Command, parse, UsageError, numberArg, numberListArg } from "./args";
import { initBackend } from "../backend/index";
import { loadEncoder } from "../models/load";
import { pairImagesMasks } from "../data/folders";
import { maskProblems, type MaskRule } from "../data/masks";
import { loadSegmentConfig } from "../seg/config";
import { profileName, profileIsExplicit } from "../config/index";
import { otsuBaseline, type OtsuBaselineResult } from "../seg/otsu_baseline";
import { UNet } from "../seg/unet";
import { trainSegmenterInterruptible, predictProbabilities } from "../seg/train";
import { segScores, batchScores, type SegScores } from "../seg/metrics";
import { epochsFor } from "../seg/schedule";
import { preparePairs, nativeProbabilities, writePredictedMask, predictedMaskName, readMaskForSeg, type FitMode, type PreparedPairs } from "../seg/pairs";
import { summarize } from "../stats/quantiles";
import { saveSegmentModel } from "../seg/model_file";
import { Rng } from "../util/rng";
import { resultsDir } from "../util/paths";
import { writeJsonAtomic } from "../util/fsx";
import { checkOutputDir } from "../util/output_dir";
import { OutputRun } from "../util/output_run";
import { watchInterrupts, interruptPoint } from "../util/interrupt";
import { calibrationColumns, readCalibrationReport, type CalibrationColumns } from "../data/calibration";

const HELP = `usage: nanomorph segment --images DIR --masks DIR [options]

Train a U-Net (frozen encoder + Conv2DTranspose/BN/ReLU decoder, the paper's design) on N image/mask
pairs, predict the rest, write the predicted masks and print per-image and median Dice/IoU.
Scores are the paper's soft Dice/IoU on the sigmoid output plus the same thresholded at 0.5; in resize
mode they are computed at the network resolution (as the paper), in tile mode at native resolution; the
native-resolution scores are reported in both modes. Beside them: Otsu thresholding of the same held-out
images at native resolution (polarity chosen on the training pairs), the baseline a model must beat.
Without a profile the 'quality' settings apply (measured on real micrographs, see the README); the
settings in use are printed at start.

  --images DIR       micrographs (any size; jpg/png/tif, 8 or 16 bit)
  --masks DIR        masks paired by file stem (x.png ↔ x.png / x_label.png / x_mask.png): binary PNGs,
                     the paper's colour labels (G ≠ B) or 16-bit label maps (nonzero = foreground)
  --rule R           mask foreground rule: auto (default) | colour | nonzero | half
  --invert           swap mask foreground and background (e.g. ISBI labels store cells white and
                     membranes black: --invert segments the membranes)
  --encoder SPEC     imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5
                     (default from configs/segment.json)
  --preprocess P     encoder input: unit ([0,1], the paper's) | caffe (ImageNet mean subtraction)
                     (default from the profile)
  --train N          training pairs, drawn at random with --seed (default 80% of the pairs)
  --seed S           seed of the train/test draw and of the decoder (default 42)
  --size PX          network input side, divisible by 32 (default from the profile; paper 224)
  --fit MODE         resize (default): whole micrograph resized to size²; tile: size² tiles at native
                     resolution, predictions stitched back
  --epochs E         epochs (default: the paper's schedule for N labelled images)
  --batch B          batch size (default 4)
  --lr X             Adam learning rate (default 1e-3)
  --loss L           dice (default, paper) | bce+dice
  --filters LIST     decoder filters, deepest first (default from the profile / encoder)
  --unfreeze         train the encoder too
  --threshold T      threshold of written masks and hard scores (default 0.5)
  --out DIR          where predicted masks (<stem>_pred.png), segment.json and the trained model go
                     (default results/segment). The model is DIR/model/ (manifest.json + weights: the
                     encoder's and the decoder's, and the size/fit/preprocess/threshold to apply it).
                     An earlier run there is replaced only when this one finishes (a failed or
                     interrupted run leaves it whole; DIR/segment.status.json says what happened);
                     two runs cannot share one DIR. Apply it with
                     \`nanomorph particles --images DIR2 --segment DIR\`
  --json             print { "images": [...], "median": {...}, ... } on stdout

example: nanomorph segment --images em/image --masks em/label --encoder imagenet --train 20 --size 128 --epochs 10`;

const OPTIONS = {
  images: { type: "string" }, masks: { type: "string" }, rule: { type: "string" }, encoder: { type: "string" },
  train: { type: "string" }, seed: { type: "string" }, size: { type: "string" }, fit: { type: "string" },
  epochs: { type: "string" }, batch: { type: "string" }, lr: { type: "string" }, loss: { type: "string" },
  preprocess: { type: "string" }, filters: { type: "string" }, unfreeze: { type: "boolean" }, invert: { type: "boolean" }, threshold: { type: "string" }, out: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Per-image result line of `nanomorph segment`. */
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

export const command: Command = {
  name: "segment",
  summary: "train a U-Net on N image/mask pairs, predict the rest, report Dice/IoU",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.images || !v.masks) throw new UsageError(`segment: --images DIR and --masks DIR are required\n\n${HELP}`);
    const cfg = loadSegmentConfig();
    const pairs = pairImagesMasks(path.resolve(v.images as string), path.resolve(v.masks as string));
    const total = pairs.images.length;
    if (total < 2) throw new UsageError(`segment: need at least 2 image/mask pairs, found ${total}`);
    const nTrain = numberArg("train", v.train as string | undefined, Math.max(1, Math.round(0.8 * total)));
    if (!(Number.isInteger(nTrain) && nTrain >= 1 && nTrain < total)) throw new UsageError(`--train must be an integer in 1..${total - 1}, got '${v.train}'`);
    const seed = numberArg("seed", v.seed as string | undefined, 42);
    const size = numberArg("size", v.size as string | undefined, cfg.size);
    if (!(Number.isInteger(size) && size >= 32 && size % 32 === 0)) throw new UsageError(`--size must be a multiple of 32, got '${v.size}'`);
    const fit = ((v.fit as string | undefined) ?? "resize") as FitMode;
    if (fit !== "resize" && fit !== "tile") throw new UsageError(`--fit must be resize or tile, got '${v.fit}'`);
    const rule = ((v.rule as string | undefined) ?? "auto") as MaskRule;
    if (!["auto", "colour", "nonzero", "half"].includes(rule)) throw new UsageError(`--rule must be auto, colour, nonzero or half, got '${v.rule}'`);
    const epochs = numberArg("epochs", v.epochs as string | undefined, epochsFor(nTrain, cfg.epochs));
    if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= MAX_EPOCHS)) throw new UsageError(`--epochs must be an integer in 1..${MAX_EPOCHS}, got '${v.epochs}'`);
    const loss = (v.loss as string | undefined) ?? cfg.loss;
    if (loss !== "dice" && loss !== "bce+dice") throw new UsageError(`--loss must be dice or bce+dice, got '${v.loss}'`);
    const threshold = numberArg("threshold", v.threshold as string | undefined, cfg.threshold);
    if (!(threshold > 0 && threshold < 1)) throw new UsageError(`--threshold must be in (0, 1) (a probability), got '${v.threshold}'`);
    const batchSize = numberArg("batch", v.batch as string | undefined, cfg.batchSize);
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 4096)) throw new UsageError(`--batch must be an integer in 1..4096, got '${v.batch}'`);
    if (size > MAX_SIZE) throw new UsageError(`--size must be at most ${MAX_SIZE} px, got '${v.size}'`);
    const learningRate = numberArg("lr", v.lr as string | undefined, cfg.learningRate);
    if (!(learningRate > 0)) throw new UsageError(`--lr must be a positive number (Adam learning rate, e.g. 1e-3), got '${v.lr}'`);
    const filters = v.filters ? numberListArg("filters", v.filters as string, []) : cfg.filters ?? undefined;
    if (filters && filters.length !== 4) throw new UsageError(`--filters needs 4 numbers, got '${v.filters}'`);
    if (filters && !filters.every((f) => Number.isInteger(f) && f >= 1 && f <= 4096)) throw new UsageError(`--filters must be 4 integers in 1..4096, got '${v.filters}'`);
    const spec = (v.encoder as string | undefined) ?? cfg.encoder;
    const preprocess = ((v.preprocess as string | undefined) ?? cfg.preprocess) as "unit" | "caffe";
    if (preprocess !== "unit" && preprocess !== "caffe") throw new UsageError(`--preprocess must be unit or caffe, got '${v.preprocess}'`);
    // --out is checked (creatable, writable, not an input) before any work, so a typo or an unwritable
    // folder does not cost a finished training; nothing of an earlier run there is touched until this
    // run has written all of its outputs (OutputRun: a staging folder, then a swap).
    const outDir = (v.out as string | undefined) ?? resultsDir("segment");
    const outOptions = { option: "segment --out", command: "segment", inputs: [v.images as string, v.masks as string], outputs: SEGMENT_OUTPUTS };
    checkOutputDir(outDir, outOptions);

    const order = new Rng(seed).fork("segment-train").shuffle(Array.from({ length: total }, (_, i) => i));
    const trainIdx = order.slice(0, nTrain).sort((a, b) => a - b);
    const testIdx = order.slice(nTrain).sort((a, b) => a - b);
    const profile = profileName();
    const started = Date.now();
    const backend = await initBackend();
    // The settings in use, always (stderr, so --json output stays clean): a user must see what ran.
    console.error(`segment: profile ${profile}${profileIsExplicit() ? "" : " (default; NANOMORPH_PROFILE or --profile changes it)"}; ` +
      `encoder ${spec}; preprocess ${preprocess}; ${fit} ${size}px; ${epochs} epochs; loss ${loss}; lr ${learningRate}; batch ${batchSize}; ` +
      `filters ${filters ? filters.join("/") : "encoder default"}; backend ${backend.name}`);
    console.error(`segment: ${total} pairs → ${nTrain} train / ${testIdx.length} test (seed ${seed})`);
    // Inputs are read (encoder, every image and mask) before the run opens --out: a bad encoder spec or
    // a mask of the wrong size fails here, with the earlier run untouched.
    const encoder = await loadEncoder(spec, { seed: cfg.encoderSeed, preprocess });
    let net: UNet | null = null;
    let train: PreparedPairs | null = null;
    let test: PreparedPairs | null = null;
    const invert = v.invert === true;
    const results: SegmentImageResult[] = [];
    let trainInfo: { losses: number[]; steps: number; seconds: number } = { losses: [], steps: 0, seconds: 0 };
    let modelDir = "";
    let decoderFilters: number[] = [];
    // SIGINT/SIGTERM/SIGHUP stop training at the next step; the run is then aborted (earlier run kept).
    const stopWatching = watchInterrupts();
    let run: OutputRun | null = null;
    try {
      net = new UNet(encoder, { filters, trainEncoder: v.unfreeze === true, seed });
      decoderFilters = net.filters;
      train = await preparePairs(trainIdx.map((i) => pairs.images[i]), trainIdx.map((i) => pairs.masks[i]), size, fit, rule, invert);
      test = await preparePairs(testIdx.map((i) => pairs.images[i]), testIdx.map((i) => pairs.masks[i]), size, fit, rule, invert);
      await interruptPoint("segment stopped before training");
      run = OutputRun.begin(outDir, outOptions);
      for (const n of run.notes) console.error(`segment: ${n}`);
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
      if (run) console.error(run.abort(e));
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
      if (v.json) summary.push(`the trained model in ${modelDir}`);
      await interruptPoint("segment stopped while scoring");
      writeJsonAtomic(run.path("segment.json"), report);
      run.commit();
    } catch (e) {
      console.error(run.abort(e));
      throw e;
    } finally {
      stopWatching();
    }
    const otsu = report.baseline.otsu;
    if (v.json) {
      for (const line of summary) console.error(`segment: ${line}`);
      console.log(JSON.stringify(report));
      return 0;
    }
    const at = `@${String(threshold).replace(/^0\./, ".")}`;
    console.log("image".padEnd(24) + ["dice", "iou", `dice${at}`, `iou${at}`, "otsu"].map((h) => h.padEnd(8)).join(""));
    for (const r of results) console.log(r.image.padEnd(24) + [r.dice, r.iou, r.diceT, r.iouT, r.otsuDice].map((x) => x.toFixed(4).padEnd(8)).join(""));
    console.log("median".padEnd(24) + [report.median.dice, report.median.iou, report.median.diceT, report.median.iouT, otsu.median.dice].map((x) => x.toFixed(4).padEnd(8)).join(""));
    console.log("\n" + summary.join("\n"));
    console.log(`\npredicted masks and segment.json in ${out}; the trained model in ${modelDir} (apply it: nanomorph particles --images DIR --segment ${out})`);
    return 0;
  },
};
