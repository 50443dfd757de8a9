import type { Figure } from "../plots/figure";
import { violinBoxByGroup, type GroupedValue } from "../plots/violin";
import { imageGrid } from "../plots/images";
import { overlayMask, type RawImage } from "../plots/png";
import type { SegRunRecord, SegRunPredictions } from "./sweep";
import type { NanowireSegStudy } from "./study";

/** Options of `segScoreFigure`. */
export interface SegScoreFigureOptions {
  /** Title; default "<Dice|IoU> vs labelled images per class". */
  title?: string;
  /** A note appended to the title (e.g. "synthetic stand-in data"). */
  note?: string;
}

/**
 * The paper's segmentation figure: violin + box of a score over test images at each n, soft (as the
 * paper) beside thresholded at 0.5; one group per encoder when several are present.
 */
export function segScoreFigure(rows: readonly SegRunRecord[], metric: "dice" | "iou", opts: SegScoreFigureOptions = {}): Figure {
  const encoders = [...new Set(rows.map((r) => r.encoder))];
  const hard = metric === "dice" ? "diceT" : "iouT";
  const name = metric === "dice" ? "Dice" : "IoU";
  const values: GroupedValue[] = [];
  for (const r of rows) {
    const tag = encoders.length > 1 ? `${r.encoder} ` : "";
    values.push({ x: r.n, group: `${tag}soft`, value: r[metric] });
    values.push({ x: r.n, group: `${tag}≥ 0.5`, value: r[hard] });
  }
  const title = (opts.title ?? `${name} vs labelled images per class`) + (opts.note ? ` — ${opts.note}` : "");
  return violinBoxByGroup(values, { title, xTitle: "number of labelled images per class", yTitle: `${name} score`, yRange: [0, 1], width: 760, height: 420 });
}

/** One row of the overlay panel: the input image, its truth and the predicted probabilities. */
export interface OverlayCase {
  /** Grey or RGB image, values in [0,1], [H,W,C] interleaved. */
  image: RawImage;
  /** Truth, H·W values in {0,1}. */
  truth: ArrayLike<number>;
  /** Predicted probabilities, H·W values in [0,1]. */
  prediction: ArrayLike<number>;
  /** Caption prefix, e.g. the file name and its Dice. */
  label: string;
}

/** Input / ground truth (green overlay) / prediction (magenta overlay) for each case, three per row. */
export function overlayFigure(cases: OverlayCase[], title = "Input, ground truth and prediction"): Figure {
  if (!cases.length) throw new Error("overlayFigure: no cases");
  const imgs: RawImage[] = [], captions: string[] = [];
  for (const c of cases) {
    imgs.push(c.image, overlayMask(c.image, c.truth, [0, 0.9, 0.2], 0.5), overlayMask(c.image, c.prediction, [0.95, 0, 0.8], 0.5));
    captions.push(c.label, "ground truth", "prediction");
  }
  return imageGrid(imgs, { cols: 3, captions, title, tile: 220 });
}

/**
 * Overlay cases for `count` test images of one sweep run (spread over the test list): input from the
 * study tensors, truth, predicted probabilities, and a label with the image's soft Dice from `rows`.
 */
export function overlayCasesFromRun(study: NanowireSegStudy, run: SegRunPredictions, rows: readonly SegRunRecord[], count = 3): OverlayCase[] {
  const px = study.images.dataSync() as Float32Array;
  const mk = study.masks.dataSync() as Float32Array;
  const hw = run.height * run.width;
  const step = Math.max(1, Math.floor(run.test.length / count));
  const picks = run.test.filter((_, k) => k % step === 0).slice(0, count);
  return picks.map((i) => {
    const k = run.test.indexOf(i);
    const row = rows.find((r) => r.n === run.n && r.splitSeed === run.splitSeed && r.image === study.files[i]);
    return {
      image: { width: run.width, height: run.height, channels: 3 as const, data: px.slice(i * hw * 3, (i + 1) * hw * 3) },
      truth: mk.slice(i * hw, (i + 1) * hw),
      prediction: run.probs.slice(k * hw, (k + 1) * hw),
      label: `${study.files[i].replace(/\.[^.]+$/, "")}${row ? `, Dice ${row.dice.toFixed(2)}` : ""}`,
    };
  });
}
