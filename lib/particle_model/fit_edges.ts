/**
 * Few-label adaptation of the default route: where a lab's particles have their edge. People outline
 * particles differently from paper to paper (the outer edge of the blur, or its half level), and the
 * default route's edge growth (lib/particles/edge_growth.ts) follows the EMPS annotators. A few of the
 * lab's own labelled micrographs pick the growth that matches their outlines (docs/particles.md: on
 * the look-alike EMPS group, 5 labelled images took the KS distance of the diameters from 0.16 to 0.08).
 */
import { defaultRouteObjects, growRouteObjects } from "../particles/filtered_otsu";
import type { ObjectJudge } from "../particles/object_judge";
import type { OutlineRefiner } from "../particles/outline_refiner";
import { withoutNotParticles, type ObjectFilter } from "../particles/object_filter";
import { evaluateInstances, summariseInstanceEvals, type InstanceEval, type InstanceEvalSummary } from "../particles/instance_eval";
import { EDGE_GROWTH_DEFAULTS, type EdgeGrowthOptions } from "../particles/edge_growth";
import { readLabelledPairs, type LabelledPair } from "./evaluate";
import { Progress } from "../util/progress";

/**
 * A growth setting of the default route: `maxPx` 0 is Otsu's outline; `refine`: the outline refiner
 * grows the particles on after the growth (outline_refiner.ts; never with `maxPx` 0).
 */
export type EdgeSetting = Required<Pick<EdgeGrowthOptions, "maxPx" | "level">> & { refine: boolean };

/**
 * The settings {@link fitEdgeGrowth} chooses among, the default first (it wins ties): no growth, and
 * levels from the outer edge of the blur towards its half level, each with and without the refiner.
 */
export const EDGE_SETTINGS: readonly EdgeSetting[] = [
  { maxPx: EDGE_GROWTH_DEFAULTS.maxPx, level: EDGE_GROWTH_DEFAULTS.level, refine: true },
  { maxPx: EDGE_GROWTH_DEFAULTS.maxPx, level: EDGE_GROWTH_DEFAULTS.level, refine: false },
  { maxPx: 0, level: EDGE_GROWTH_DEFAULTS.level, refine: false },
  ...[0.25, 0.35, 0.5].flatMap((level) => [true, false].map((refine) => ({ maxPx: 4, level, refine }))),
];

/** What {@link fitEdgeGrowth} found: every setting's scores on the labelled images, in the order given, and the best. */
export interface EdgeFit {
  candidates: Array<{ setting: EdgeSetting; summary: InstanceEvalSummary; score: number }>;
  best: EdgeSetting;
}

/**
 * How far a setting's sizes are from the labels: the mean over labelled images of each image's KS
 * distance of the diameters plus the mean of its median-diameter error capped at `cap` (default 1;
 * images where either side has no particle left out). Each image counts once, as each image a user
 * labels does: the pooled KS let one crowded image decide (on the look-alike EMPS group 20 labelled
 * images then picked no growth, KS 0.15 on the unseen ones; with this score 0.072, docs/particles.md).
 * The cap: an image whose median size is off by more than itself (a missed field, a lone speck) says
 * nothing about where edges lie, and uncapped it would outweigh every other image.
 */
export function perImageSizeScore(evals: readonly InstanceEval[], cap = 1): number {
  const mean = (xs: number[]): number => { const f = xs.filter((x) => Number.isFinite(x)); return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN; };
  return mean(evals.map((e) => e.match.ksDiameter)) + mean(evals.map((e) => Math.min(cap, e.medianDiameterError)));
}

/**
 * Score each growth setting of the default route (`filter` choosing the side and dropping what is not
 * a particle, watershed h 2 px, or `judge` picking the particles among its segmentations, `refiner` growing on after it where the setting says so; scale bars
 * found and left out as `particles` does) on labelled
 * micrographs, and pick the one whose particle sizes agree best with the labels, image by image
 * ({@link perImageSizeScore}; sizes are what the growth changes, detection hardly moves). Ties go to
 * the earlier setting.
 * Throws when `pairs` or `settings` is empty, or naming a pair whose image and labels differ in size.
 */
export async function fitEdgeGrowth(pairs: readonly LabelledPair[], filter: ObjectFilter, refiner: OutlineRefiner, judge: ObjectJudge | null, settings: readonly EdgeSetting[] = EDGE_SETTINGS, opts: { progress?: boolean } = {}): Promise<EdgeFit> {
  if (!pairs.length) throw new Error("fitEdgeGrowth: no labelled images");
  if (!settings.length) throw new Error("fitEdgeGrowth: no settings to choose among");
  const evals: InstanceEval[][] = settings.map(() => []);
  const bar = opts.progress === false ? null : new Progress({ label: "edge settings", total: pairs.length, unit: "img" });
  // Scale bars found and left out as `particles` does.
  for await (const { pair, grey, truth, exclude } of readLabelledPairs(pairs, { scaleBars: true })) {
    // The objects do not depend on the growth: found once, grown by each setting.
    const found = defaultRouteObjects(grey, filter, { h: 2, exclude, judge });
    settings.forEach((s, k) => evals[k].push(evaluateInstances(pair.id, withoutNotParticles(growRouteObjects(found, filter, null, { h: 2, growth: s, exclude, refiner: s.refine ? refiner : null }).extracted), truth, { exclude })));
    bar?.tick(1);
  }
  bar?.finish();
  const candidates = settings.map((setting, k) => {
    const score = perImageSizeScore(evals[k]);
    // NaN (no image with particles on both sides) never wins.
    return { setting, summary: summariseInstanceEvals(evals[k]), score: Number.isFinite(score) ? score : Infinity };
  });
  let best = 0;
  candidates.forEach((c, k) => { if (c.score < candidates[best].score) best = k; });
  return { candidates, best: candidates[best].setting };
}
