import * as fs from "fs";
import * as path from "path";
import { decodeImage } from "../data/decode";
import type { Calibration } from "../data/calibration";
import { makeMask } from "../image/mask";
import { instancesFromLabelMap, type InstanceLabels } from "./instances";
import { extractParticles, measureInstances, type ExtractOptions } from "./extract";
import { foregroundMask } from "./image_particles";
import { matchParticles, poolMatches, type MatchOptions, type MatchResult } from "./match";

/** Read an instance label map (8/16-bit PNG, 0 = background, one value per particle) at native size. Throws naming the file. */
export async function readInstanceMap(file: string): Promise<InstanceLabels> {
  const img = await decodeImage(file, { channels: "native" });
  if (img.channels !== 1) throw new Error(`instance map ${file} has ${img.channels} channels; expected one grey channel of instance ids`);
  return instancesFromLabelMap(img.data, img.width, img.height, 0);
}

/** One micrograph with its ground-truth instance map. */
export interface TruthPair {
  id: string;
  image: string;
  segmap: string;
}

/**
 * The EMPS layout (`images/<id>.jpg` with `segmaps/<id>.png`), sorted by id, optionally only `ids`.
 * Throws naming the folder when it lacks either sub-folder, or an id without both files.
 */
export function listTruthPairs(dir: string, ids?: readonly string[]): TruthPair[] {
  const imgDir = path.join(dir, "images"), segDir = path.join(dir, "segmaps");
  if (!fs.existsSync(imgDir) || !fs.existsSync(segDir)) throw new Error(`${dir} needs images/ and segmaps/ sub-folders (the EMPS layout)`);
  const all = fs.readdirSync(imgDir).filter((f) => /\.(jpe?g|png|tiff?)$/i.test(f)).map((f) => f.replace(/\.[^.]+$/, "")).sort();
  const want = ids ? ids.slice() : all;
  return want.map((id) => {
    const image = fs.readdirSync(imgDir).find((f) => f.replace(/\.[^.]+$/, "") === id);
    const segmap = path.join(segDir, `${id}.png`);
    if (!image || !fs.existsSync(segmap)) throw new Error(`${dir}: id '${id}' lacks images/${id}.* or segmaps/${id}.png`);
    return { id, image: path.join(imgDir, image), segmap };
  });
}

/** How the prediction side's foreground is made in {@link evaluateAgainstTruth}. */
export type TruthEvalMode = "truth-mask" | "otsu";

/** Per-image result of a truth comparison. */
export interface TruthEval {
  id: string;
  match: MatchResult;
}

/**
 * Compare the particle pipeline with ground truth on one pair: the prediction's foreground is either
 * the binarised truth map (`truth-mask`: tests only the watershed separation and measurements) or
 * Otsu's threshold of the image (`otsu`: the whole pipeline); the truth instances are filtered by the
 * same border/min-area rules and matched at IoU ≥ 0.5 (see `matchParticles`). Lengths in px unless
 * `calibration`.
 */
export async function evaluateAgainstTruth(pair: TruthPair, mode: TruthEvalMode, opts: ExtractOptions & MatchOptions = {}, calibration: Calibration | null = null): Promise<TruthEval> {
  const truthInst = await readInstanceMap(pair.segmap);
  const truth = measureInstances(truthInst, calibration, opts);
  const mask = mode === "truth-mask"
    ? makeMask(truthInst.width, truthInst.height, truthInst.labels.map((l) => (l >= 0 ? 1 : 0)))
    : await foregroundMask(pair.image, { kind: "otsu" });
  if (mask.width !== truthInst.width || mask.height !== truthInst.height) {
    throw new Error(`image ${pair.image} is ${mask.width}x${mask.height} but its segmap ${pair.segmap} is ${truthInst.width}x${truthInst.height}`);
  }
  const pred = extractParticles(mask, calibration, opts);
  return { id: pair.id, match: matchParticles(pred, truth, opts) };
}

/** Evaluate several pairs one after another and pool them (counts summed, diameters concatenated). */
export async function evaluateTruthSet(pairs: readonly TruthPair[], mode: TruthEvalMode, opts: ExtractOptions & MatchOptions = {}): Promise<{ perImage: TruthEval[]; pooled: MatchResult }> {
  const perImage: TruthEval[] = [];
  for (const p of pairs) perImage.push(await evaluateAgainstTruth(p, mode, opts));
  return { perImage, pooled: poolMatches(perImage.map((e) => e.match)) };
}

/** `n` pairs spread over the sorted ids (every k-th, k = ⌊total / n⌋), so a subset covers the whole set. */
export function spreadSubset(pairs: readonly TruthPair[], n: number): TruthPair[] {
  if (n >= pairs.length) return pairs.slice();
  const k = Math.max(1, Math.floor(pairs.length / n));
  return pairs.filter((_, i) => i % k === 0).slice(0, n);
}
