/**
 * Fit the bundled object filter (models/object-filter/otsu.json): a logistic model on per-object
 * features (lib/particles/object_features.ts) of what Otsu + watershed finds on either side of the
 * threshold (dark and bright objects both, since the filter also picks the side: object_polarity.ts),
 * trained on the EMPS split's `train` images (objects matched to a true particle at IoU ≥ 0.5 are
 * positives), its threshold chosen on the `tune` images (best pooled F1 of the whole route: side
 * chosen by the filter, then filtered), then scored on `validation` and on the held-out `source`
 * group: the route before (border side, no filter), the filter on the border side, and the whole
 * route. Nothing of validation or source is used to choose anything.
 *
 * usage: npx ts-node --transpile-only bench/particles/object_filter.ts EMPS_DIR OUT_FILE
 *   EMPS_DIR  the EMPS training data (images/, segmaps/)
 *   OUT_FILE  models/object-filter/otsu.json
 */
import * as path from "path";
import { objectRows } from "./object_rows";
import { otsuFilterPredictor, otsuPredictor, type LabelledPair } from "../../lib/particle_model/evaluate";
import { otsuForeground } from "../../lib/particles/otsu_foreground";
import { separateParticles } from "../../lib/particles/watershed";
import { readLabelImage } from "../../lib/particle_model/labelled_set";
import { readGrey, type GreyImage } from "../../lib/particles/grey_image";
import { evaluateInstances, summariseInstanceEvals, type InstanceEvalSummary } from "../../lib/particles/instance_eval";
import type { InstanceLabels } from "../../lib/particles/instances";
import { OBJECT_FEATURES, OBJECT_FEATURE_COUNT } from "../../lib/particles/object_features";
import { OBJECT_FILTER_FORMAT, OBJECT_FILTER_VERSION, removeNonParticles, type ObjectFilter } from "../../lib/particles/object_filter";
import { fitBinaryLogistic } from "../../lib/stats/logistic_fit";
import { codeCommit } from "../../lib/particle_model/experiment";
import { readJson, writeJsonAtomic } from "../../lib/util/fsx";

/** Inverse L2 penalty of the logistic fit (held-out AUC on the tuning images: 0.959 at C = 0.01, 0.982 at 0.1, 0.986 at 1). */
const C = 0.1;
const THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6];

interface Case { id: string; grey: GreyImage; pred: InstanceLabels; truth: InstanceLabels }
type Route = "before" | "filterBorderSide" | "filter";

async function cases(pairs: readonly LabelledPair[]): Promise<Case[]> {
  const out: Case[] = [];
  for (const p of pairs) {
    const grey = await readGrey(p.image);
    out.push({ id: p.id, grey, pred: await otsuPredictor(grey, p.image), truth: await readLabelImage(p.labels) });
  }
  return out;
}

async function score(cs: readonly Case[], filter: ObjectFilter, route: Route): Promise<InstanceEvalSummary> {
  const evals = [];
  for (const c of cs) {
    const pred = route === "before" ? c.pred : route === "filterBorderSide" ? removeNonParticles(filter, c.grey, c.pred) : await otsuFilterPredictor(filter)(c.grey, "");
    evals.push(evaluateInstances(c.id, pred, c.truth));
  }
  return summariseInstanceEvals(evals);
}

const round = (s: InstanceEvalSummary): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number.isInteger(v) ? v : Number(v.toFixed(4))]));

async function main(): Promise<void> {
  const [emps, outFile] = process.argv.slice(2);
  if (!emps || !outFile) throw new Error("usage: object_filter.ts EMPS_DIR OUT_FILE");
  const splitFile = path.join(__dirname, "..", "..", "models", "particles-emps", "split.json");
  const split = readJson<Record<string, string[]>>(splitFile);
  const pairs = (k: string): LabelledPair[] => split[k].map((id) => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) }));
  const t0 = Date.now();
  const side = (polarity: "dark" | "bright") => async (g: GreyImage) => separateParticles(otsuForeground(g, { polarity }), { h: 2 });
  const dark = await objectRows(pairs("train"), side("dark")), bright = await objectRows(pairs("train"), side("bright"));
  const rows = { x: [...dark.x, ...bright.x], y: [...dark.y, ...bright.y] };
  const positives = rows.y.reduce((a, b) => a + b, 0);
  console.error(`object filter: ${rows.y.length} objects of ${split.train.length} training images (${positives} particles), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const model = fitBinaryLogistic(rows.x, rows.y, OBJECT_FEATURE_COUNT, C);
  const base: Omit<ObjectFilter, "threshold"> = { format: OBJECT_FILTER_FORMAT, version: OBJECT_FILTER_VERSION, features: [...OBJECT_FEATURES], model };
  const tune = await cases(pairs("tune"));
  const tuned: Array<{ threshold: number; summary: InstanceEvalSummary }> = [];
  for (const threshold of THRESHOLDS) tuned.push({ threshold, summary: await score(tune, { ...base, threshold }, "filter") });
  const best = tuned.reduce((a, b) => (b.summary.f1 > a.summary.f1 || (b.summary.f1 === a.summary.f1 && b.summary.medianCountError < a.summary.medianCountError) ? b : a));
  for (const t of tuned) console.error(`  tune threshold ${t.threshold}: F1 ${t.summary.f1.toFixed(3)}, count error ${t.summary.medianCountError.toFixed(3)}`);
  const filter: ObjectFilter = { ...base, threshold: best.threshold };
  const metrics: Record<string, unknown> = { tune: { before: round(await score(tune, filter, "before")), thresholds: tuned.map((t) => ({ threshold: t.threshold, ...round(t.summary) })) } };
  for (const part of ["validation", "source"]) {
    const cs = await cases(pairs(part));
    metrics[part] = { before: round(await score(cs, filter, "before")), filterBorderSide: round(await score(cs, filter, "filterBorderSide")), filter: round(await score(cs, filter, "filter")) };
    console.error(`  ${part}: ${JSON.stringify(metrics[part])}`);
  }
  filter.training = {
    command: "npx ts-node --transpile-only bench/particles/object_filter.ts emps-train models/object-filter/otsu.json",
    objects: "what Otsu + watershed keeps on the dark and on the bright side of the threshold (σ 1, opening 3, holes filled, h 2, border and < 10 px dropped)",
    data: { images: "emps-train/images", labels: "emps-train/segmaps", split: "particles-emps/split.json", part: "train", ids: split.train.length },
    rows: rows.y.length, positives, C, thresholdChosenOn: "tune (best pooled F1)", codeCommit: codeCommit(),
  };
  filter.metrics = metrics;
  writeJsonAtomic(outFile, filter);
  console.error(`object filter: threshold ${best.threshold}; written to ${outFile} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
