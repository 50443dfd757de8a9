/**
 * The object judge: gradient-boosted trees (lib/stats/gbdt.ts) that give each candidate object
 * (candidate_objects.ts: several segmentations of one micrograph, both sides of the threshold) the
 * probability that it is a particle as the EMPS annotators outlined it (IoU ≥ 0.5 with one). The
 * object filter (object_filter.ts) judged one segmentation with a linear model; more candidates to
 * choose from had added objects it scored well that were not particles (docs/particles.md), so the
 * choice among candidates needs this better judge. The bundled judge (models/object-judge/gbdt.json)
 * was fitted by bench/particles/object_judge.ts; the file records how and what it scored.
 */
import * as path from "path";
import { checkGbdt, flatGbdtOf, flatProbability, type Gbdt } from "../stats/gbdt";
import { projectRoot } from "../util/paths";
import { checkModelHeader, readModelJson } from "../util/json_model";
import { UsageError } from "../util/errors";
import { CANDIDATE_FEATURES, CANDIDATE_FEATURE_COUNT, checkVariant, type CandidateSet, type CandidateVariant } from "./candidate_objects";
import type { PickOptions } from "./object_selection";

/** The file format's name and version. */
export const OBJECT_JUDGE_FORMAT = "nanomorph-object-judge";
export const OBJECT_JUDGE_VERSION = 1;

/** A fitted judge as stored in its JSON file. */
export interface ObjectJudge extends PickOptions {
  format: typeof OBJECT_JUDGE_FORMAT;
  version: number;
  /** Feature names, in column order (must equal CANDIDATE_FEATURES). */
  features: string[];
  /** The candidate segmentations it was fitted on, in order; the base one (BASE_VARIANT) among them. */
  variants: CandidateVariant[];
  model: Gbdt;
  /** How it was made (command, data, split, code commit) and what it scored; free-form. */
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** Name of the judge shipped in the repository. */
export const BUNDLED_OBJECT_JUDGE = "bundled";

/** Path of the bundled judge inside the installed package. */
export function bundledObjectJudgePath(): string {
  return path.join(projectRoot(), "models", "object-judge", "gbdt.json");
}

/** Check a parsed judge file; throws naming `where` and what is wrong. */
export function checkObjectJudge(o: unknown, where: string): ObjectJudge {
  const what = `object judge ${where}`;
  checkModelHeader(o, OBJECT_JUDGE_FORMAT, OBJECT_JUDGE_VERSION, CANDIDATE_FEATURES, what, "bench/particles/object_judge.ts");
  const j = o as ObjectJudge;
  const bad = (why: string): never => { throw new Error(`${what}: ${why}`); };
  checkGbdt(j.model, CANDIDATE_FEATURE_COUNT, what);
  if (!Array.isArray(j.variants) || !j.variants.length) bad("no candidate variants");
  try { j.variants.forEach(checkVariant); } catch (e) { bad((e as Error).message); }
  if (!(j.threshold >= 0 && j.threshold <= 1)) bad(`threshold must be in 0…1, got ${j.threshold}`);
  if (!(j.maxOverlap >= 0 && j.maxOverlap < 1)) bad(`maxOverlap must be in [0, 1), got ${j.maxOverlap}`);
  return j;
}

/** Read a judge: `spec` is "bundled" or a JSON file. Throws naming the file when missing or invalid. */
export function loadObjectJudge(spec: string): ObjectJudge {
  const { file, parsed } = readModelJson(spec, bundledObjectJudgePath(), "object judge", {
    bundled: "use --judge none", file: "give a JSON file from bench/particles/object_judge.ts, 'bundled' or 'none'",
  });
  return checkObjectJudge(parsed, file);
}

/** The judge a `--judge` option names: null for "none", else {@link loadObjectJudge}; throws a UsageError naming the option. */
export function judgeFromOption(spec: string): ObjectJudge | null {
  if (spec === "none") return null;
  try { return loadObjectJudge(spec); } catch (e) { throw new UsageError(`--judge: ${(e as Error).message}`); }
}

/** The judge's probability of every candidate of every set (one array per set, in its `kept` order). */
export function judgeCandidates(judge: Pick<ObjectJudge, "model">, sets: readonly CandidateSet[]): Float64Array[] {
  const trees = flatGbdtOf(judge.model), F = CANDIDATE_FEATURE_COUNT;
  return sets.map((s) => Float64Array.from(s.kept, (_, k) => flatProbability(trees, s.features.subarray(k * F, (k + 1) * F))));
}
