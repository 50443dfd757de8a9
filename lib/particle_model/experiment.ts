/**
 * The experiments behind `nanomorph particles train` and `particles eval`, callable from notebooks:
 * pair a folder of micrographs with their label images (optionally only the ids one part of a split
 * file lists), then train a particle model on them or score a particle method against them.
 */
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { UsageError } from "../util/errors";
import { readJson } from "../util/fsx";
import { projectRoot } from "../util/paths";
import type { InstancePredictor, LabelledPair, PredictorEval } from "./evaluate";
import { EDGE_GROWTH_DEFAULTS, type EdgeGrowthOptions } from "../particles/edge_growth";
import { BUNDLED_OUTLINE_REFINER, loadOutlineRefiner, type OutlineRefiner } from "../particles/outline_refiner";
import { BUNDLED_OBJECT_JUDGE, judgeFromOption } from "../particles/object_judge";
import type { EdgeFit } from "./fit_edges";
import { BUNDLED_OBJECT_FILTER, loadObjectFilter, removeNonParticles, type ObjectFilter } from "../particles/object_filter";
import type { ParticleTrainResult } from "./train";
import type { DecodeOptions } from "./decode";

/** A folder of micrographs and the folder of their label images (instance maps or binary masks). */
export interface LabelledFolders {
  images: string;
  labels: string;
  /** JSON file of id lists (e.g. models/particles-emps/split.json); with `part`, only those ids are used. */
  split?: string;
  /** Which list of `split` [train for training, validation for scoring]. Throws without `split`. */
  part?: string;
}

/**
 * The image/label pairs of {@link LabelledFolders}, filtered to `split[part]` when a split is given.
 * Throws a UsageError naming the folder, the split file or the missing ids.
 */
export async function labelledPairs(f: LabelledFolders, defaultPart: string): Promise<{ pairs: LabelledPair[]; part: string | null }> {
  const images = path.resolve(f.images), labels = path.resolve(f.labels);
  for (const [k, d] of [["--images", images], ["--instances", labels]] as const) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`${k} ${d} is not a folder`);
  }
  const { pairLabelFolders } = await import("./labelled_set");
  let pairs: LabelledPair[];
  try {
    pairs = pairLabelFolders(images, labels);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (f.split === undefined) {
    if (f.part !== undefined) throw new UsageError("--part needs --split FILE");
    return { pairs, part: null };
  }
  const part = f.part ?? defaultPart;
  const ids = readJson<Record<string, unknown>>(path.resolve(f.split))[part];
  if (!Array.isArray(ids)) throw new UsageError(`--split ${f.split} has no id list '${part}'`);
  const want = new Set(ids as string[]);
  pairs = pairs.filter((p) => want.has(p.id));
  if (pairs.length !== want.size) throw new UsageError(`--split ${f.split}: ${want.size - pairs.length} ids of '${part}' have no image + labels in ${images}`);
  return { pairs, part };
}

/** The code's commit when run from a git checkout (model provenance), else null. */
export function codeCommit(): string | null {
  try {
    const root = projectRoot();
    const git = (args: string[]): string => execFileSync("git", ["-C", root, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git(["rev-parse", "HEAD"]);
    return git(["status", "--porcelain", "--untracked-files=no"]) ? `${head} (with uncommitted changes)` : head;
  } catch {
    return null;
  }
}

/** A data path for a manifest without this machine's layout: its last two components. */
function shortPath(p: string): string {
  return path.join(path.basename(path.dirname(p)), path.basename(p));
}

/** Options of {@link trainOnFolders}; defaults in brackets. */
export interface TrainOnFoldersOptions extends LabelledFolders {
  /** Model folder to write (manifest + weights; `checkpoint/` while it runs). */
  out: string;
  /** Start from a model: "bundled" or a folder (fine-tuning) [from scratch]. */
  init?: string;
  /** Optimiser steps [3000; 300 with init]. */
  steps?: number;
  /** Crops per step [4]. */
  batch?: number;
  /** Crop side, px, a multiple of 16 [160]. */
  crop?: number;
  /** Crops sample the image at a zoom drawn log-uniformly in [1/zoom, zoom] [1.3]. */
  zoom?: number;
  /** Batch-norm statistics: "learn" re-estimates them from the crops, "freeze" keeps init's ["freeze" with init, else "learn"]. */
  norm?: "learn" | "freeze";
  /** Adam learning rate [1e-3; 3e-4 with init]. */
  lr?: number;
  /** Seed of weights and crops [0]. */
  seed?: number;
  /** Channels per U-Net level, finest first [8,16,32,64,64]; ignored with init. */
  widths?: number[];
  /** Steps between checkpoints [100]. */
  checkpointEvery?: number;
  /** The command line that ran this, recorded in the manifest (paths shortened to their last two parts). */
  argv?: string[];
  /** Line printer for what is loaded [console.error]. */
  log?: (line: string) => void;
}

/**
 * Train (or fine-tune) the particle model on labelled folders and write it to `out`; resumable
 * (lib/particle_model/train). Throws a UsageError on bad folders, split, crop or widths.
 */
export async function trainOnFolders(o: TrainOnFoldersOptions): Promise<ParticleTrainResult> {
  const out = path.resolve(o.out);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  const crop = o.crop ?? 160;
  if (crop % 16 !== 0) throw new UsageError(`--crop must be a multiple of 16 px, got ${crop}`);
  if (o.widths && o.widths.length < 2) throw new UsageError(`--widths must list ≥ 2 positive integers, got '${o.widths.join(",")}'`);
  const { pairs, part } = await labelledPairs(o, "train");
  const { initBackend } = await import("../backend/index");
  await initBackend();
  const { loadParticleModel } = await import("./load");
  const { trainParticleModel } = await import("./train");
  const { loadLabelledPairs } = await import("./labelled_set");
  const initModel = o.init ? loadParticleModel(o.init) : undefined;
  const log = o.log ?? ((l: string) => console.error(l));
  try {
    log(`particles train: ${pairs.length} labelled images from ${path.resolve(o.images)}${initModel ? `, starting from ${initModel.dir}` : ""}`);
    const set = await loadLabelledPairs(pairs);
    const argv = o.argv ?? [];
    const pathFlags = new Set(["--images", "--instances", "--labels", "--out", "--split"]);
    const provenance = {
      command: ["nanomorph", "particles", "train", ...argv.map((a, i) => (pathFlags.has(argv[i - 1]) || (argv[i - 1] === "--init" && a !== "bundled") ? shortPath(a) : a))].join(" "),
      data: { images: shortPath(path.resolve(o.images)), labels: shortPath(path.resolve(o.labels)), split: o.split ? shortPath(path.resolve(o.split)) : null, part, ids: pairs.map((p) => p.id) },
      codeCommit: codeCommit(),
    };
    return await trainParticleModel(set, out, {
      steps: o.steps ?? (initModel ? 300 : 3000), batchSize: o.batch ?? 4, learningRate: o.lr ?? (initModel ? 3e-4 : 1e-3), seed: o.seed ?? 0,
      crop: { size: crop, scale: o.zoom }, init: initModel, freezeNorm: o.norm === undefined ? undefined : o.norm === "freeze", net: o.widths ? { widths: o.widths } : undefined, checkpointEvery: o.checkpointEvery ?? 100, provenance,
    });
  } finally {
    initModel?.dispose();
  }
}

/** A particle method to score: the bundled model or a trained folder, Otsu + watershed, or a `segment` U-Net + watershed. */
export type ParticleMethod =
  | { kind: "model"; model?: string; design?: DecodeOptions["design"] }
  | { kind: "otsu"; growth?: EdgeGrowthOptions; /** Outline refiner: "bundled", "none" or a file [bundled unless growth.maxPx is 0]. */ refiner?: string; /** Object judge: "bundled", "none" or a file [bundled with an object filter]. */ judge?: string }
  | { kind: "segment"; segment: string };

/** Result of {@link evaluateOnFolders}: the method's name and its scores. */
export interface FolderEvaluation extends PredictorEval {
  method: string;
}

/**
 * Score a particle method against true labels (lib/particle_model/evaluate: border and minimum-area rules
 * on both sides, matching at IoU ≥ 0.5), with the object filter `filter` ("bundled", "none" or a file;
 * default as `particles`: bundled for Otsu, none otherwise) removing what it scores as not particles,
 * and (`scaleBars`, default true) each image's burnt-in scale bars found and left out as `particles` does.
 * Throws a UsageError on bad folders, split or filter, or when no pair is left.
 */
export async function evaluateOnFolders(f: LabelledFolders, method: ParticleMethod, filter?: string, scaleBars = true): Promise<FolderEvaluation> {
  const { pairs } = await labelledPairs(f, "validation");
  if (!pairs.length) throw new UsageError("particles eval: no labelled images to score");
  const ev = await import("./evaluate");
  const spec = filter ?? (method.kind === "otsu" ? BUNDLED_OBJECT_FILTER : "none");
  let objectFilter: ObjectFilter | undefined;
  if (spec !== "none") {
    try { objectFilter = loadObjectFilter(spec); } catch (e) { throw new UsageError(`--filter: ${(e as Error).message}`); }
  }
  const filtered = (p: InstancePredictor): InstancePredictor => (objectFilter ? async (g, file) => removeNonParticles(objectFilter, g, await p(g, file)) : p);
  const suffix = objectFilter ? ` + object filter ${spec}` : "";
  if (method.kind === "otsu") {
    // With a filter, as `particles` runs it: the threshold's side chosen by the filter (object_polarity.ts).
    // And, as `particles` runs it, the bundled outline refiner after the edge growth.
    const grows = (method.growth?.maxPx ?? EDGE_GROWTH_DEFAULTS.maxPx) > 0;
    const refinerSpec = method.refiner ?? (objectFilter && grows ? BUNDLED_OUTLINE_REFINER : "none");
    if (refinerSpec !== "none" && (!objectFilter || !grows)) throw new UsageError("--edge-refiner grows the default route's particles after --grow-edges: give it with an object filter and --grow-edges > 0");
    let refiner: OutlineRefiner | null = null;
    if (refinerSpec !== "none") {
      try { refiner = loadOutlineRefiner(refinerSpec); } catch (e) { throw new UsageError(`--edge-refiner: ${(e as Error).message}`); }
    }
    const judgeSpec = method.judge ?? (objectFilter ? BUNDLED_OBJECT_JUDGE : "none");
    if (judgeSpec !== "none" && !objectFilter) throw new UsageError("--judge picks the default route's particles: give it with an object filter");
    const judge = judgeFromOption(judgeSpec);
    const predict = objectFilter ? ev.otsuFilterPredictor(objectFilter, method.growth, refiner, judge) : ev.otsuPredictor;
    return { method: `otsu${suffix}${judge ? ` + object judge ${judgeSpec}` : ""}${refiner ? ` + edge refiner ${refinerSpec}` : ""}`, ...(await ev.evaluatePredictor(pairs, predict, { label: "eval otsu", scaleBars })) };
  }
  const { initBackend } = await import("../backend/index");
  await initBackend();
  if (method.kind === "model") {
    const { loadParticleModel } = await import("./load");
    const spec = method.model ?? "bundled";
    const model = loadParticleModel(spec);
    try {
      const name = `model ${spec} (${method.design ?? model.manifest.decode.design ?? "boundary"})`;
      const r = await ev.evaluatePredictor(pairs, filtered(ev.modelPredictor(model, method.design ? { design: method.design } : {})), { label: "eval model", scaleBars });
      return { method: name + suffix, ...r };
    } finally {
      model.dispose();
    }
  }
  const { loadSegmentModel } = await import("../seg/model_file");
  const { segmentImageWithModel } = await import("../seg/apply");
  const { separateParticles } = await import("../particles/watershed");
  const m = await loadSegmentModel(method.segment);
  try {
    const r = await ev.evaluatePredictor(pairs, filtered(async (_g, file) => separateParticles(await segmentImageWithModel(m, file), { h: 2 })), { label: "eval segment", scaleBars });
    return { method: `segment ${m.dir}${suffix}`, ...r };
  } finally {
    m.dispose();
  }
}

/** The JSON `particles eval --out` writes: method, summary and per image counts and scores. */
export function evaluationRecord(r: FolderEvaluation): Record<string, unknown> {
  return {
    method: r.method,
    summary: r.summary,
    perImage: r.perImage.map((e) => ({ id: e.id, predicted: e.predictedCount, truth: e.trueCount, precision: e.match.precision, recall: e.match.recall, f1: e.match.f1, countError: e.countError, medianDiameterError: e.medianDiameterError, dice: e.dice })),
  };
}

/**
 * `particles fit-edges`: the default route's edge growth fitted to labelled folders (fit_edges.ts), with
 * the object filter `filter` ("bundled" or a file; default bundled) and the object judge `judge`
 * ("bundled", "none" or a file; default bundled). All pairs are used unless a split
 * is given (then `part`, default "train"). Throws a UsageError on bad folders, split or filter.
 */
export async function fitEdgesOnFolders(f: LabelledFolders, filter = BUNDLED_OBJECT_FILTER, judge = BUNDLED_OBJECT_JUDGE): Promise<EdgeFit & { images: number }> {
  const { pairs } = await labelledPairs(f, "train");
  if (!pairs.length) throw new UsageError("particles fit-edges: no labelled images");
  if (filter === "none") throw new UsageError("--filter none: the edge growth belongs to the default route, which runs with an object filter");
  let objectFilter: ObjectFilter;
  try { objectFilter = loadObjectFilter(filter); } catch (e) { throw new UsageError(`--filter: ${(e as Error).message}`); }
  const { fitEdgeGrowth } = await import("./fit_edges");
  return { ...(await fitEdgeGrowth(pairs, objectFilter, loadOutlineRefiner(BUNDLED_OUTLINE_REFINER), judgeFromOption(judge))), images: pairs.length };
}
