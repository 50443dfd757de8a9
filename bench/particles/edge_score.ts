/**
 * How `particles fit-edges` should score the growth settings (docs/particles.md, "What a few labels do
 * adapt"): every setting of EDGE_SETTINGS is run once on each image, then settings are picked from
 * labelled draws by two scores — the pooled KS + median diameter error (the first version) and
 * perImageSizeScore (capped and uncapped) — and the pick is scored on held-out images.
 * Two sets: the look-alike group (`source`: the first 20 of its seeded shuffle are the pool, the other 16
 * the test images, as bench/particles/few_label.ts) and the development images (tune + every 4th train
 * image: 40 pool, 46 test). Per pool size k, the first k of the pool and 30 seeded random k-image draws.
 *
 * usage: npx ts-node --transpile-only bench/particles/edge_score.ts EMPS_DIR source|dev
 */
import * as path from "path";
import { readJson } from "../../lib/util/fsx";
import { readLabelledPairs, type LabelledPair } from "../../lib/particle_model/evaluate";
import { loadObjectFilter, withoutNotParticles } from "../../lib/particles/object_filter";
import { loadOutlineRefiner } from "../../lib/particles/outline_refiner";
import { filteredOtsuParticles } from "../../lib/particles/filtered_otsu";
import { evaluateInstances, summariseInstanceEvals, type InstanceEval } from "../../lib/particles/instance_eval";
import { EDGE_SETTINGS, perImageSizeScore } from "../../lib/particle_model/fit_edges";
import { Rng } from "../../lib/util/rng";

const DRAWS = 30;

async function main(): Promise<void> {
  const [emps, set] = process.argv.slice(2);
  if (!emps || (set !== "source" && set !== "dev")) throw new Error("usage: edge_score.ts EMPS_DIR source|dev");
  const split = readJson<{ source: string[]; tune: string[]; train: string[] }>("models/particles-emps/split.json");
  const ids = set === "source" ? new Rng(0).fork("few-label").shuffle(split.source.slice())
    : new Rng(0).fork("dev-edge").shuffle([...split.tune, ...split.train.filter((_, i) => i % 4 === 0)]);
  const poolSize = set === "source" ? 20 : 40;
  const pairs: LabelledPair[] = ids.map((id) => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) }));
  const filter = loadObjectFilter("bundled"), refiner = loadOutlineRefiner("bundled");
  // evals.get(id)[k]: setting k on image id, scale bars found and left out as `particles` does.
  const evals = new Map<string, InstanceEval[]>();
  for await (const { pair, grey, truth, exclude } of readLabelledPairs(pairs, { scaleBars: true })) {
    evals.set(pair.id, EDGE_SETTINGS.map((s) => evaluateInstances(pair.id, withoutNotParticles(filteredOtsuParticles(grey, filter, null, { h: 2, growth: s, exclude, refiner: s.refine ? refiner : null }).extracted), truth, { exclude })));
  }
  const pool = ids.slice(0, poolSize), test = ids.slice(poolSize);
  const onTest = (k: number) => summariseInstanceEvals(test.map((id) => evals.get(id)![k]));
  EDGE_SETTINGS.forEach((s, k) => { const t = onTest(k); console.log(`test, ${s.maxPx} px at ${s.level}${s.refine ? " + refiner" : ""}: F1 ${t.f1.toFixed(3)} KS ${t.ksDiameter.toFixed(3)} diameter error ${t.medianDiameterError.toFixed(3)} Dice ${t.medianDice.toFixed(3)}`); });
  const scores: Record<string, (es: InstanceEval[]) => number> = {
    pooled: (es) => { const s = summariseInstanceEvals(es); return s.ksDiameter + s.medianDiameterError; },
    "per image, capped": (es) => perImageSizeScore(es),
    "per image, uncapped": (es) => perImageSizeScore(es, Infinity),
  };
  const pick = (score: (es: InstanceEval[]) => number, sel: readonly string[]): number => {
    let best = 0, bestScore = Infinity;
    EDGE_SETTINGS.forEach((_, k) => { const v = score(sel.map((id) => evals.get(id)![k])); if (Number.isFinite(v) && v < bestScore) { bestScore = v; best = k; } });
    return best;
  };
  for (const [name, score] of Object.entries(scores)) {
    for (const k of [5, 10, 20]) {
      const first = pick(score, pool.slice(0, k)), rng = new Rng(1).fork(`${name}:${k}`);
      let ks = 0, diam = 0;
      for (let d = 0; d < DRAWS; d++) { const t = onTest(pick(score, rng.shuffle(pool.slice()).slice(0, k))); ks += t.ksDiameter / DRAWS; diam += t.medianDiameterError / DRAWS; }
      const s = EDGE_SETTINGS[first], t = onTest(first);
      console.log(`${name}, ${k} labels: first ${k} pick ${s.maxPx} px at ${s.level}${s.refine ? " + refiner" : ""} (test KS ${t.ksDiameter.toFixed(3)}, diameter error ${t.medianDiameterError.toFixed(3)}); ${DRAWS} draws: mean test KS ${ks.toFixed(3)}, diameter error ${diam.toFixed(3)}`);
    }
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
