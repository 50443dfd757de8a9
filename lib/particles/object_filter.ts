/**
 * The object filter: a logistic model on per-object features (object_features.ts) that gives each
 * found object the probability of being a particle, and drops those below a threshold as
 * `notParticle`. A threshold finds, besides particles, panel letters, text, speckle, the fragments of
 * textured particles and halos; on real micrographs these were most of what Otsu + watershed reported
 * (docs/particles.md). The bundled filter (models/object-filter/otsu.json) was fitted on EMPS training
 * images by bench/particles/object_filter.ts; the file records how.
 */
import * as path from "path";
import { binaryLogisticProba, type BinaryLogistic } from "../stats/logistic_fit";
import { projectRoot } from "../util/paths";
import { checkModelHeader, readModelJson } from "../util/json_model";
import { objectFeatures, OBJECT_FEATURES, type GreyPixels, type ImageStats } from "./object_features";
import { dropAsNotParticles, measureInstances, type ExtractOptions, type ExtractedParticles } from "./extract";
import type { InstanceLabels } from "./instances";

/** The file format's name and version. */
export const OBJECT_FILTER_FORMAT = "nanomorph-object-filter";
export const OBJECT_FILTER_VERSION = 1;

/** A fitted object filter as stored in its JSON file. */
export interface ObjectFilter {
  format: typeof OBJECT_FILTER_FORMAT;
  version: number;
  /** Feature names, in column order (must equal OBJECT_FEATURES). */
  features: string[];
  model: BinaryLogistic;
  /** Objects with a probability below this are dropped as `notParticle`. */
  threshold: number;
  /** How it was made (command, data, split, code commit) and what it scored; free-form. */
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** Name of the filter shipped in the repository. */
export const BUNDLED_OBJECT_FILTER = "bundled";

/** Path of the bundled filter inside the installed package. */
export function bundledObjectFilterPath(): string {
  return path.join(projectRoot(), "models", "object-filter", "otsu.json");
}

/**
 * Check a parsed filter file; throws naming `where` and what is wrong (format, version, features
 * of another code version, sizes, a threshold outside 0…1, non-finite numbers).
 */
export function checkObjectFilter(o: unknown, where: string): ObjectFilter {
  checkModelHeader(o, OBJECT_FILTER_FORMAT, OBJECT_FILTER_VERSION, OBJECT_FEATURES, `object filter ${where}`, "bench/particles/object_filter.ts");
  const f = o as ObjectFilter;
  const bad = (why: string): never => { throw new Error(`object filter ${where}: ${why}`); };
  const m = f.model, k = OBJECT_FEATURES.length;
  if (!m || [m.mean, m.scale, m.weights].some((a) => !Array.isArray(a) || a.length !== k)) bad(`model needs mean, scale and weights of ${k} numbers`);
  if (![...m.mean, ...m.scale, ...m.weights, m.bias].every(Number.isFinite) || m.scale.some((s) => !(s > 0))) bad("model has non-finite numbers or a scale ≤ 0");
  if (!(f.threshold >= 0 && f.threshold <= 1)) bad(`threshold must be in 0…1, got ${f.threshold}`);
  return f;
}

/** Read a filter: `spec` is "bundled" or a JSON file. Throws naming the file when missing or invalid. */
export function loadObjectFilter(spec: string): ObjectFilter {
  const { file, parsed } = readModelJson(spec, bundledObjectFilterPath(), "object filter", {
    bundled: "use --filter none", file: "give a JSON file from bench/particles/object_filter.ts, 'bundled' or 'none'",
  });
  return checkObjectFilter(parsed, file);
}

/** Probability of being a particle for each kept particle of `ex` (in `ex.particles` order); `stats`: `imageStats(g)` when already computed. */
export function particleProbabilities(filter: ObjectFilter, g: GreyPixels, ex: ExtractedParticles, stats?: ImageStats): Float64Array {
  return binaryLogisticProba(filter.model, objectFeatures(g, ex, stats));
}

/**
 * Drop the kept particles of `ex` that the filter scores below its threshold: their status becomes
 * `notParticle`, the drop report counts them, the others keep their measurements. `probabilities`
 * (one per kept particle, in `ex.particles` order) are used when the caller scored them already
 * (object_polarity.ts does, to choose the side). Returns a new result; `ex` is not changed.
 */
export function applyObjectFilter(filter: ObjectFilter, g: GreyPixels, ex: ExtractedParticles, probabilities?: Float64Array): ExtractedParticles {
  if (!ex.particles.length) return ex;
  if (probabilities && probabilities.length !== ex.particles.length) throw new Error(`applyObjectFilter: ${probabilities.length} probabilities for ${ex.particles.length} particles`);
  const p = probabilities ?? particleProbabilities(filter, g, ex);
  return dropAsNotParticles(ex, (_, k) => p[k] < filter.threshold);
}

/**
 * The labelling `inst` without the objects the filter scores as not particles (their pixels become
 * background, the other ids renumbered in order); objects dropped for other reasons (`opts`: border,
 * minimum area, excluded boxes) are neither scored nor removed. For evaluations, which score labellings.
 * `probabilities`: as in {@link applyObjectFilter}, for the particles `inst` keeps under `opts`.
 */
export function removeNonParticles(filter: ObjectFilter, g: GreyPixels, inst: InstanceLabels, opts: ExtractOptions = {}, probabilities?: Float64Array): InstanceLabels {
  return withoutNotParticles(applyObjectFilter(filter, g, measureInstances(inst, null, opts), probabilities));
}

/** The labelling of `ex` without its `notParticle` objects (their pixels become background, the other ids renumbered in order). */
export function withoutNotParticles(ex: ExtractedParticles): InstanceLabels {
  const inst = ex.instances;
  const newId = new Int32Array(inst.count).fill(-1);
  let count = 0;
  ex.status.forEach((s, i) => { if (s !== "notParticle") newId[i] = count++; });
  if (count === inst.count) return inst;
  const labels = new Int32Array(inst.labels.length);
  for (let i = 0; i < labels.length; i++) labels[i] = inst.labels[i] >= 0 ? newId[inst.labels[i]] : -1;
  return { width: inst.width, height: inst.height, labels, count };
}
