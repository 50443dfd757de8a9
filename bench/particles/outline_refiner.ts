/**
 * Fit the bundled outline refiner (models/outline-refiner/gbdt.json): gradient-boosted trees
 * (lib/stats/gbdt.ts) on per-pixel features (lib/particles/pixel_features.ts, on the side of Otsu's
 * threshold the object filter picks) predicting whether a pixel lies inside a particle as the EMPS
 * instance maps draw it. Rows: 3000 pixels drawn at random (seed 7) from each of the EMPS split's `train`
 * images (burnt-in scale bars found as `particles` finds them and left out, as the route leaves them
 * out). The growth it drives: up to 2 px where the probabilities, smoothed with σ 1 px, are ≥ 0.6; the
 * 2 px and σ were chosen on the development images (tune + every 4th train image) in a spike, the 0.6 on
 * the `tune` images among 0.5, 0.6 and 0.7 (and 1 px, and size gates), where it kept 0.5's F1 and
 * diameter error with the KS of no refiner (docs/particles.md). Then the default route without and with
 * the refiner is scored on `tune`, `validation` and the held-out `source` group, as `particles eval`
 * scores it (bars found and dropped on both sides).
 *
 * usage: npx ts-node --transpile-only bench/particles/outline_refiner.ts EMPS_DIR OUT_FILE
 *   EMPS_DIR  the EMPS training data (images/, segmaps/)
 *   OUT_FILE  models/outline-refiner/gbdt.json
 */
import * as path from "path";
import { evaluatePredictor, otsuFilterPredictor, readLabelledPairs, type LabelledPair } from "../../lib/particle_model/evaluate";
import { loadObjectFilter } from "../../lib/particles/object_filter";
import { otsuInstancesByFilter } from "../../lib/particles/object_polarity";
import { withMissingBoxes } from "../../lib/particles/grey_image";
import { PIXEL_FEATURES, pixelFeatureMaps } from "../../lib/particles/pixel_features";
import { OUTLINE_REFINER_FORMAT, OUTLINE_REFINER_VERSION, type OutlineRefiner } from "../../lib/particles/outline_refiner";
import type { InstanceEvalSummary } from "../../lib/particles/instance_eval";
import { fitGbdt } from "../../lib/stats/gbdt";
import { Rng } from "../../lib/util/rng";
import { codeCommit } from "../../lib/particle_model/experiment";
import { readJson, writeJsonAtomic } from "../../lib/util/fsx";

const PIXELS_PER_IMAGE = 3000;
const SEED = 7;
const TREES = { trees: 100, depth: 5, lr: 0.1, bins: 48, minLeaf: 40, lambda: 1 };
const GROWTH = { threshold: 0.6, maxPx: 2, smoothPx: 1 };

const round = (s: InstanceEvalSummary): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number.isInteger(v) ? v : Number(v.toFixed(4))]));

async function main(): Promise<void> {
  const [emps, outFile] = process.argv.slice(2);
  if (!emps || !outFile) throw new Error("usage: outline_refiner.ts EMPS_DIR OUT_FILE");
  const split = readJson<Record<string, string[]>>(path.join(__dirname, "..", "..", "models", "particles-emps", "split.json"));
  const pairs = (k: string): LabelledPair[] => split[k].map((id) => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) }));
  const filter = loadObjectFilter("bundled");
  const t0 = Date.now();
  const rng = new Rng(SEED);
  const x: number[] = [], y: number[] = [];
  let images = 0;
  for await (const li of readLabelledPairs(pairs("train"), { scaleBars: true })) {
    const g = withMissingBoxes(li.grey, li.exclude ?? []);
    const chosen = otsuInstancesByFilter(g, filter, { h: 2, exclude: li.exclude });
    const maps = pixelFeatureMaps(g, chosen.polarity, chosen.mask);
    const n = g.width * g.height;
    for (let s = 0; s < PIXELS_PER_IMAGE; s++) {
      const i = Math.floor(rng.uniform(0, n));
      if (g.missing && g.missing[i]) continue;
      for (const m of maps) x.push(m[i]);
      y.push(li.truth.labels[i] >= 0 ? 1 : 0);
    }
    if (++images % 40 === 0) console.error(`  ${images} images, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const positives = y.reduce((a, b) => a + b, 0);
  console.error(`outline refiner: ${y.length} pixels of ${images} training images (${positives} inside particles), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const model = fitGbdt(x, y, PIXEL_FEATURES.length, { ...TREES, onTree: (t, loss) => { if (t % 20 === 0) console.error(`  tree ${t}: log-loss ${loss.toFixed(4)}`); } });
  const refiner: OutlineRefiner = { format: OUTLINE_REFINER_FORMAT, version: OUTLINE_REFINER_VERSION, features: [...PIXEL_FEATURES], model, ...GROWTH };
  const metrics: Record<string, unknown> = {};
  for (const part of ["tune", "validation", "source"]) {
    const opts = { scaleBars: true, progress: false };
    const without = await evaluatePredictor(pairs(part), otsuFilterPredictor(filter), opts);
    const withRefiner = await evaluatePredictor(pairs(part), otsuFilterPredictor(filter, {}, refiner), opts);
    metrics[part] = { defaultWithoutRefiner: round(without.summary), default: round(withRefiner.summary) };
    console.error(`  ${part}: ${JSON.stringify(metrics[part])}`);
  }
  refiner.training = {
    command: "npx ts-node --transpile-only bench/particles/outline_refiner.ts emps-train models/outline-refiner/gbdt.json",
    rows: `${PIXELS_PER_IMAGE} pixels drawn at random (seed ${SEED}) per training image, scale bars left out; label: inside a particle of the instance map`,
    data: { images: "emps-train/images", labels: "emps-train/segmaps", split: "particles-emps/split.json", part: "train", ids: split.train.length },
    pixels: y.length, positives, trees: TREES, growthChosenOn: "maxPx and smoothPx: development images (tune + every 4th train image); threshold: tune, among 0.5, 0.6, 0.7 (docs/particles.md)", codeCommit: codeCommit(),
    metrics,
  };
  writeJsonAtomic(outFile, refiner);
  console.error(`outline refiner: written to ${outFile} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
