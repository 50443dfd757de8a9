import { readGrey, type GreyImage } from "../particles/grey_image";
import { otsuForeground } from "../particles/otsu_foreground";
import { separateParticles } from "../particles/watershed";
import { filteredOtsuParticles } from "../particles/filtered_otsu";
import type { OutlineRefiner } from "../particles/outline_refiner";
import type { ObjectJudge } from "../particles/object_judge";
import type { EdgeGrowthOptions } from "../particles/edge_growth";
import { withoutNotParticles, type ObjectFilter } from "../particles/object_filter";
import type { InstanceLabels } from "../particles/instances";
import { evaluateInstances, summariseInstanceEvals, type InstanceEval, type InstanceEvalSummary } from "../particles/instance_eval";
import type { ExtractOptions, PixelBox } from "../particles/extract";
import { calibrateImage } from "../particles/calibrate";
import { createLabelReader } from "../data/scalebar/read_label";
import { readLabelImage } from "./labelled_set";
import { predictMapsAtScale } from "./predict";
import { decodeInstances, type DecodeOptions, type ParticleMaps } from "./decode";
import type { ParticleModel } from "./model_file";
import { Progress } from "../util/progress";

/** An image with its true labels (instance map or binary mask with separating lines). */
export interface LabelledPair { id: string; image: string; labels: string }

/**
 * Instances of a micrograph (grey at native size; the file for methods that read it themselves;
 * `exclude`: the found scale bars' boxes, for routes that leave them out as `particles` does).
 */
export type InstancePredictor = (grey: GreyImage, file: string, exclude?: PixelBox[]) => Promise<InstanceLabels>;

/** Today's threshold route: Otsu foreground (σ 1, border polarity, opening 3, holes filled) + h-maxima watershed (h 2 px). */
export const otsuPredictor: InstancePredictor = async (g) => separateParticles(otsuForeground(g), { h: 2 });

/**
 * Today's default route (`particles` with its bundled object filter, filtered_otsu.ts): Otsu (σ 1,
 * opening 3, holes filled) + watershed (h 2) on the side the filter prefers, the kept particles grown
 * to their edges (`growth`, default as `particles`) and on by the outline refiner (`refiner`; `particles`
 * uses the bundled one) and, with `judge`, the particles picked by the object judge among several
 * segmentations (`particles` uses the bundled one), without what the filter scores as not particles.
 */
export function otsuFilterPredictor(filter: ObjectFilter, growth: EdgeGrowthOptions = {}, refiner: OutlineRefiner | null = null, judge: ObjectJudge | null = null): InstancePredictor {
  return async (g, _file, exclude) => withoutNotParticles(filteredOtsuParticles(g, filter, null, { h: 2, growth, exclude, refiner, judge }).extracted);
}

/** A particle model's instances of a grey image, with its manifest's decode settings, overridable (synchronous). */
export function modelInstances(model: ParticleModel, decode: DecodeOptions = {}): (g: GreyImage) => InstanceLabels {
  const d = { ...model.manifest.decode, ...decode };
  return (g) => decodeInstances(predictMapsAtScale(model.net, g, d.scale ?? 1), d);
}

/** {@link modelInstances} as an {@link InstancePredictor}. */
export function modelPredictor(model: ParticleModel, decode: DecodeOptions = {}): InstancePredictor {
  const f = modelInstances(model, decode);
  return async (g) => f(g);
}

/** Per-image evaluations and their summary. */
export interface PredictorEval { perImage: InstanceEval[]; summary: InstanceEvalSummary }

/** One labelled micrograph as the evaluations read it (see {@link readLabelledPairs}). */
export interface LabelledImage { pair: LabelledPair; grey: GreyImage; truth: InstanceLabels; exclude: PixelBox[] | undefined }

/**
 * Read each pair's image and labels in turn; with `scaleBars`, also find its burnt-in bars as
 * `particles` does (one OCR worker for all images, terminated when the loop ends) and add their boxes
 * to `exclude`.
 */
export async function* readLabelledPairs(pairs: readonly LabelledPair[], opts: { scaleBars?: boolean; exclude?: PixelBox[] } = {}): AsyncGenerator<LabelledImage> {
  const reader = opts.scaleBars ? await createLabelReader() : undefined;
  try {
    for (const pair of pairs) {
      const grey = await readGrey(pair.image);
      const truth = await readLabelImage(pair.labels);
      const exclude = reader ? [...(opts.exclude ?? []), ...(await calibrateImage(pair.image, { reader })).exclude] : opts.exclude;
      yield { pair, grey, truth, exclude };
    }
  } finally {
    await reader?.terminate();
  }
}

/**
 * Run `predict` on every pair and compare with its labels (see `evaluateInstances`: border and
 * minimum-area rules on both sides, IoU ≥ 0.5 matching). With `scaleBars`, each image's burnt-in bars
 * are found as `particles` finds them, given to `predict`, and particles touching them dropped on both
 * sides (the scale-bar rule of `particles`). Throws naming a pair whose sizes differ.
 */
export async function evaluatePredictor(pairs: readonly LabelledPair[], predict: InstancePredictor, opts: ExtractOptions & { label?: string; progress?: boolean; scaleBars?: boolean } = {}): Promise<PredictorEval> {
  const bar = opts.progress === false ? null : new Progress({ label: opts.label ?? "evaluate", total: pairs.length, unit: "img" });
  const perImage: InstanceEval[] = [];
  for await (const { pair, grey, truth, exclude } of readLabelledPairs(pairs, opts)) {
    perImage.push(evaluateInstances(pair.id, await predict(grey, pair.image, exclude), truth, { ...opts, exclude }));
    bar?.tick(1);
  }
  bar?.finish();
  return { perImage, summary: summariseInstanceEvals(perImage) };
}

/**
 * Compare decode settings of one model on labelled pairs (the maps are predicted once per image and scale):
 * returns each candidate's summary, in the order given. Used to pick the design and thresholds on
 * tuning images, never on the validation images.
 */
export async function compareDecodes(model: ParticleModel, pairs: readonly LabelledPair[], candidates: readonly DecodeOptions[], opts: ExtractOptions = {}): Promise<Array<{ decode: DecodeOptions; summary: InstanceEvalSummary }>> {
  const evals: InstanceEval[][] = candidates.map(() => []);
  const bar = new Progress({ label: "decode settings", total: pairs.length, unit: "img" });
  for (const p of pairs) {
    const g = await readGrey(p.image);
    const truth = await readLabelImage(p.labels);
    // Maps once per image and scale; every candidate of that scale decodes them.
    const maps = new Map<number, ParticleMaps>();
    candidates.forEach((c, i) => {
      const s = c.scale ?? 1;
      if (!maps.has(s)) maps.set(s, predictMapsAtScale(model.net, g, s));
      evals[i].push(evaluateInstances(p.id, decodeInstances(maps.get(s)!, c), truth, opts));
    });
    bar.tick(1);
  }
  bar.finish();
  return candidates.map((decode, i) => ({ decode, summary: summariseInstanceEvals(evals[i]) }));
}
