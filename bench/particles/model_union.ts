/**
 * Measured, not adopted (docs/particles.md): the default route (Otsu + watershed + object filter) with
 * the bundled model's particles added where the default route kept nothing. A second object filter is
 * fitted on the bundled model's objects of the split's `train` images (same features and fit as
 * object_filter.ts); a model object is added when that filter scores it ≥ the threshold and at most
 * 20 % of it overlaps a particle the default route kept (its overlapping pixels stay the default
 * route's). The threshold is chosen on `tune` (best pooled F1); `validation` and `source` are scored.
 *
 * usage: npx ts-node --transpile-only bench/particles/model_union.ts EMPS_DIR OUT_JSON
 */
import * as path from "path";
import { initBackend } from "../../lib/backend/index";
import { loadParticleModel, bundledModelDir } from "../../lib/particle_model/load";
import { modelInstances, otsuFilterPredictor, type LabelledPair } from "../../lib/particle_model/evaluate";
import { readGrey, type GreyImage } from "../../lib/particles/grey_image";
import { readLabelImage } from "../../lib/particle_model/labelled_set";
import { evaluateInstances, summariseInstanceEvals, type InstanceEvalSummary } from "../../lib/particles/instance_eval";
import { loadObjectFilter, particleProbabilities, OBJECT_FILTER_FORMAT, OBJECT_FILTER_VERSION, type ObjectFilter } from "../../lib/particles/object_filter";
import { OBJECT_FEATURES, OBJECT_FEATURE_COUNT } from "../../lib/particles/object_features";
import { fitBinaryLogistic } from "../../lib/stats/logistic_fit";
import { measureInstances } from "../../lib/particles/extract";
import type { InstanceLabels } from "../../lib/particles/instances";
import { objectRows } from "./object_rows";
import { readJson, writeJsonAtomic } from "../../lib/util/fsx";

const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
/** Largest share of a model object that may overlap the default route's kept particles. */
const MAX_OVERLAP = 0.2;

interface Case { id: string; truth: InstanceLabels; otsu: InstanceLabels; model: InstanceLabels; p: Float64Array }

/** The default route's particles plus the model's objects scored ≥ `threshold` that overlap them ≤ MAX_OVERLAP. */
function union(c: Case, threshold: number): InstanceLabels {
  const { otsu: O, model: M } = c;
  const kept = new Uint8Array(M.count);
  measureInstances(M, null).particles.forEach((q, j) => { if (c.p[j] >= threshold) kept[q.id] = 1; });
  const area = new Int32Array(M.count), overlap = new Int32Array(M.count);
  for (let i = 0; i < M.labels.length; i++) {
    const l = M.labels[i];
    if (l >= 0) { area[l]++; if (O.labels[i] >= 0) overlap[l]++; }
  }
  const labels = O.labels.slice();
  for (let i = 0; i < labels.length; i++) {
    const l = M.labels[i];
    if (l >= 0 && kept[l] && overlap[l] <= MAX_OVERLAP * area[l] && labels[i] < 0) labels[i] = O.count + l;
  }
  return { width: O.width, height: O.height, labels, count: O.count + M.count };
}

async function main(): Promise<void> {
  const [emps, outJson] = process.argv.slice(2);
  if (!emps || !outJson) throw new Error("usage: model_union.ts EMPS_DIR OUT_JSON");
  await initBackend();
  const split = readJson<Record<string, string[]>>(path.join(bundledModelDir(), "split.json"));
  const pairs = (k: string): LabelledPair[] => split[k].map((id) => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) }));
  const predictModel = modelInstances(loadParticleModel("bundled"));
  const rows = await objectRows(pairs("train"), async (g: GreyImage) => predictModel(g));
  const modelFilter: ObjectFilter = { format: OBJECT_FILTER_FORMAT, version: OBJECT_FILTER_VERSION, features: [...OBJECT_FEATURES], model: fitBinaryLogistic(rows.x, rows.y, OBJECT_FEATURE_COUNT, 0.1), threshold: 0.5 };
  console.error(`model-object filter: ${rows.y.length} objects of ${split.train.length} training images`);
  const otsuRoute = otsuFilterPredictor(loadObjectFilter("bundled"));
  const cases = async (part: string): Promise<Case[]> => {
    const out: Case[] = [];
    for (const p of pairs(part)) {
      const g = await readGrey(p.image);
      const model = predictModel(g);
      out.push({ id: p.id, truth: await readLabelImage(p.labels), otsu: await otsuRoute(g, p.image), model, p: particleProbabilities(modelFilter, g, measureInstances(model, null)) });
    }
    return out;
  };
  const score = (cs: Case[], pick: (c: Case) => InstanceLabels): InstanceEvalSummary => summariseInstanceEvals(cs.map((c) => evaluateInstances(c.id, pick(c), c.truth)));
  const tune = await cases("tune");
  const tuned = THRESHOLDS.map((t) => ({ threshold: t, summary: score(tune, (c) => union(c, t)) }));
  const best = tuned.reduce((a, b) => (b.summary.f1 > a.summary.f1 ? b : a));
  const result: Record<string, unknown> = { maxOverlap: MAX_OVERLAP, tune: tuned, threshold: best.threshold };
  for (const part of ["validation", "source"]) {
    const cs = await cases(part);
    result[part] = { defaultRoute: score(cs, (c) => c.otsu), union: score(cs, (c) => union(c, best.threshold)) };
    console.error(`${part}: ${JSON.stringify(result[part])}`);
  }
  writeJsonAtomic(outJson, result);
}

main().catch((e) => { console.error(e); process.exit(1); });
