/**
 * Fit the bundled object judge (models/object-judge/gbdt.json): gradient-boosted trees
 * (lib/stats/gbdt.ts) on the features of every candidate object (lib/particles/candidate_objects.ts:
 * the segmentations in VARIANTS, both sides of the threshold) of the EMPS split's `train` images, burnt-in
 * scale bars found and left out as `particles` does. Label: the object matches a kept true particle at
 * IoU ≥ 0.5 (one-to-one within its segmentation; objects whose match is a true particle dropped at the
 * border or on a bar are left out, as the evaluation counts them neither way). The picking threshold is
 * chosen on the `tune` images (best pooled F1 of the whole route, growth and refiner included, among
 * THRESHOLDS); then the default route without and with the judge is scored on `tune`, `validation` and
 * the held-out `source` group, as `particles eval` scores it. Nothing of validation or source chose anything.
 *
 * usage: npx ts-node --transpile-only bench/particles/object_judge.ts EMPS_DIR OUT_FILE
 *   EMPS_DIR  the EMPS training data (images/, segmaps/)
 *   OUT_FILE  models/object-judge/gbdt.json
 * Each training image's candidate rows are kept in OUT_FILE.rows/ as they are computed (about 1.8 s per
 * image): Ctrl-C stops at the next image and the same command continues from there; the folder is
 * removed when the file is written.
 */
import * as path from "path";
import { evaluatePredictor, otsuFilterPredictor, readLabelledPairs, type LabelledPair } from "../../lib/particle_model/evaluate";
import { loadObjectFilter } from "../../lib/particles/object_filter";
import { loadOutlineRefiner } from "../../lib/particles/outline_refiner";
import { withMissingBoxes } from "../../lib/particles/grey_image";
import { measureInstances } from "../../lib/particles/extract";
import { overlapMatches } from "../../lib/particles/match";
import { CANDIDATE_FEATURES, CANDIDATE_FEATURE_COUNT, candidateSets, type CandidateVariant } from "../../lib/particles/candidate_objects";
import { OBJECT_JUDGE_FORMAT, OBJECT_JUDGE_VERSION, type ObjectJudge } from "../../lib/particles/object_judge";
import type { InstanceEvalSummary } from "../../lib/particles/instance_eval";
import { fitGbdt } from "../../lib/stats/gbdt";
import { codeCommit } from "../../lib/particle_model/experiment";
import { readJson, writeJsonAtomic } from "../../lib/util/fsx";
import { ResumeStore } from "../../lib/util/resume_store";
import { InterruptedError, interruptPoint, watchInterrupts } from "../../lib/util/interrupt";
import { contentHash } from "../../lib/util/hash";

/**
 * The candidate segmentations. Chosen on development images (every 4th `train` image, held out of a fit
 * on the other three quarters, and `tune`), docs/particles.md: Otsu as the default route has it; without
 * hole filling; watershed h 1 and 4 px; the shading flattened at a tenth of the shorter side; the cut
 * moved 0.4 of the way toward the background.
 */
const VARIANTS: CandidateVariant[] = [
  { fillHoles: true, h: 2, flatten: 0, shift: 0 },
  { fillHoles: false, h: 2, flatten: 0, shift: 0 },
  { fillHoles: true, h: 1, flatten: 0, shift: 0 },
  { fillHoles: true, h: 4, flatten: 0, shift: 0 },
  { fillHoles: true, h: 2, flatten: 0.1, shift: 0 },
  { fillHoles: true, h: 2, flatten: 0, shift: 0.4 },
];
const TREES = { trees: 200, depth: 5, lr: 0.1, bins: 48, minLeaf: 20, lambda: 1 };
const THRESHOLDS = [0.3, 0.4, 0.5, 0.6];
/** Not tuned: 0.1 and 0.3 picked the same objects on the development images. */
const MAX_OVERLAP = 0.2;

const round = (s: InstanceEvalSummary): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number.isInteger(v) ? v : Number(v.toFixed(4))]));

async function main(): Promise<void> {
  const [emps, outFile] = process.argv.slice(2);
  if (!emps || !outFile) throw new Error("usage: object_judge.ts EMPS_DIR OUT_FILE");
  const split = readJson<Record<string, string[]>>(path.join(__dirname, "..", "..", "models", "particles-emps", "split.json"));
  const pairs = (k: string): LabelledPair[] => split[k].map((id) => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) }));
  const filter = loadObjectFilter("bundled"), refiner = loadOutlineRefiner("bundled");
  const t0 = Date.now();
  const x: number[] = [], y: number[] = [];
  let images = 0;
  // The rows depend on the segmentations, the filter and the code that computes the features.
  const store = ResumeStore.open<{ x: Float64Array; y: Uint8Array }>(`${outFile}.rows`, { VARIANTS, filter: contentHash(filter), codeCommit: codeCommit() });
  if (store.resumed) console.error(`  resuming: ${store.resumed} images' rows kept in ${store.dir}`);
  const stopWatching = watchInterrupts();
  try {
    for await (const li of readLabelledPairs(pairs("train"), { scaleBars: true })) {
      let rows = store.get(li.pair.id);
      if (!rows) {
        const opts = { exclude: li.exclude ?? [] };
        const truth = measureInstances(li.truth, null, opts);
        const xs: number[] = [], ys: number[] = [];
        for (const s of candidateSets(withMissingBoxes(li.grey, opts.exclude), filter, VARIANTS, opts)) {
          const matchOf = new Map(overlapMatches(s.instances, li.truth, 0.5).map((m) => [m.p, m.t]));
          s.kept.forEach((id, k) => {
            const t = matchOf.get(id);
            if (t !== undefined && truth.status[t] !== "kept") return;
            for (let c = 0; c < CANDIDATE_FEATURE_COUNT; c++) xs.push(s.features[k * CANDIDATE_FEATURE_COUNT + c]);
            ys.push(t === undefined ? 0 : 1);
          });
        }
        store.put(li.pair.id, (rows = { x: Float64Array.from(xs), y: Uint8Array.from(ys) }));
      }
      for (const v of rows.x) x.push(v);
      for (const v of rows.y) y.push(v);
      if (++images % 40 === 0) console.error(`  ${images} images, ${y.length} candidates, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await interruptPoint(`object judge: stopped after ${images} training images; their rows are kept in ${store.dir}, run the same command to continue`);
    }
  } finally {
    stopWatching();
  }
  const positives = y.reduce((a, b) => a + b, 0);
  console.error(`object judge: ${y.length} candidates of ${images} training images (${positives} particles), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const model = fitGbdt(x, y, CANDIDATE_FEATURE_COUNT, { ...TREES, onTree: (t, loss) => { if (t % 50 === 0) console.error(`  tree ${t}: log-loss ${loss.toFixed(4)}`); } });
  const base: Omit<ObjectJudge, "threshold"> = { format: OBJECT_JUDGE_FORMAT, version: OBJECT_JUDGE_VERSION, features: [...CANDIDATE_FEATURES], variants: VARIANTS, model, maxOverlap: MAX_OVERLAP };
  const opts = { scaleBars: true, progress: false };
  const tuned: Array<{ threshold: number; summary: InstanceEvalSummary }> = [];
  for (const threshold of THRESHOLDS) {
    tuned.push({ threshold, summary: (await evaluatePredictor(pairs("tune"), otsuFilterPredictor(filter, {}, refiner, { ...base, threshold }), opts)).summary });
    console.error(`  tune threshold ${threshold}: F1 ${tuned[tuned.length - 1].summary.f1.toFixed(3)}`);
  }
  const best = tuned.reduce((a, b) => (b.summary.f1 > a.summary.f1 ? b : a));
  const judge: ObjectJudge = { ...base, threshold: best.threshold };
  const metrics: Record<string, unknown> = { tuneThresholds: tuned.map((t) => ({ threshold: t.threshold, ...round(t.summary) })) };
  for (const part of ["tune", "validation", "source"]) {
    const without = await evaluatePredictor(pairs(part), otsuFilterPredictor(filter, {}, refiner), opts);
    const withJudge = part === "tune" ? best.summary : (await evaluatePredictor(pairs(part), otsuFilterPredictor(filter, {}, refiner, judge), opts)).summary;
    metrics[part] = { defaultWithoutJudge: round(without.summary), default: round(withJudge) };
    console.error(`  ${part}: ${JSON.stringify(metrics[part])}`);
  }
  judge.training = {
    command: "npx ts-node --transpile-only bench/particles/object_judge.ts emps-train models/object-judge/gbdt.json",
    rows: "every candidate the drop rules keep in every candidate segmentation of each training image, scale bars found and left out; label: matched one-to-one to a kept true particle at IoU ≥ 0.5",
    data: { images: "emps-train/images", labels: "emps-train/segmaps", split: "particles-emps/split.json", part: "train", ids: split.train.length },
    candidates: y.length, positives, trees: TREES, thresholdChosenOn: `tune (best pooled F1 of the whole route among ${THRESHOLDS.join(", ")})`, codeCommit: codeCommit(),
  };
  judge.metrics = metrics;
  writeJsonAtomic(outFile, judge);
  store.remove();
  console.error(`object judge: threshold ${best.threshold}; written to ${outFile} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e instanceof InterruptedError ? e.message : e);
  process.exit(e instanceof InterruptedError ? e.exitCode : 1);
});
