/**
 * Candidate particles of a micrograph: the objects of several segmentations of it, each with the
 * features the object judge (object_judge.ts) scores. One threshold and one watershed setting cannot
 * suit every image: close-packed spheres need the gaps between them that hole filling closes, a shaded
 * field needs a local background, faint particles a cut nearer the background, merged pairs a lower
 * watershed h. Each candidate segmentation ({@link CandidateVariant}) is Otsu on one side of the cut
 * and the watershed; the same particle found alike by several of them is likelier real, so each
 * object also carries how many other segmentations agree with it.
 */
import { flattenShading } from "../image/flatten";
import type { Mask } from "../image/mask";
import type { GreyImage } from "./grey_image";
import { otsuForegroundSides } from "./otsu_foreground";
import { separateParticles } from "./watershed";
import { measureInstances, type ExtractOptions } from "./extract";
import { instanceAreas, type InstanceLabels } from "./instances";
import { imageStats, objectFeatures, OBJECT_FEATURES, OBJECT_FEATURE_COUNT } from "./object_features";
import { particleProbabilities, type ObjectFilter } from "./object_filter";
import { sideScore } from "./object_polarity";
import { bestOverlaps } from "./match";

/** One candidate segmentation of both sides of the threshold. */
export interface CandidateVariant {
  /** Fill the holes of each side's mask (false keeps the gaps between close-packed particles). */
  fillHoles: boolean;
  /** Watershed h, px (watershed.ts). */
  h: number;
  /** σ of the shading taken out before the threshold, as a fraction of the image's shorter side (0: none; lib/image/flatten.ts). */
  flatten: number;
  /** Each side's cut moved this fraction of the way toward the other class's mean (0: Otsu's cut; otsu_foreground.ts). */
  shift: number;
}

/** The default route's segmentation (object_polarity.ts): Otsu's cut, holes filled, h 2 px. */
export const BASE_VARIANT: CandidateVariant = { fillHoles: true, h: 2, flatten: 0, shift: 0 };

/** Feature columns of a candidate: the object filter's, then what the judge adds. */
export const CANDIDATE_FEATURES = [
  ...OBJECT_FEATURES,
  "filterProbability", // the object filter's probability (object_filter.ts)
  "darkSide", // 1 when it is from the dark side of the threshold
  "fillHoles", "h", "flatten", "shift", // its segmentation (CandidateVariant)
  "sideShare", // its side's share of Σ p² of the base segmentation's particles (object_polarity.ts's score)
  "agreeing", // other segmentations holding an object of IoU ≥ 0.8 with it
  "agreeingSameSide", // of those, on its side of the threshold
] as const;

/** Number of feature columns. */
export const CANDIDATE_FEATURE_COUNT = CANDIDATE_FEATURES.length;

/** IoU at which an object of another segmentation counts as the same object. */
const AGREE_IOU = 0.8;

/** One side of one segmentation, with the features of its kept objects. */
export interface CandidateSet {
  variant: CandidateVariant;
  side: "dark" | "bright";
  /** Its side's foreground mask (before the watershed). */
  mask: Mask;
  /** Its instances (all of them, kept or dropped by the border, area and scale-bar rules). */
  instances: InstanceLabels;
  /** The instances a route keeps under the options, in id order: the candidates. */
  kept: number[];
  /** Their features, row-major, {@link CANDIDATE_FEATURE_COUNT} per candidate, in `kept` order. */
  features: Float64Array;
  /** The object filter's Σ p² over its kept particles when it is the base segmentation (else 0). */
  filterScore: number;
}

/**
 * The candidate sets of `g` (missing pixels already set, e.g. `withMissingBoxes`): both sides of each
 * variant, in order (dark then bright). `filter` gives the filter probabilities and the side shares;
 * `opts` the drop rules. The first base variant in `variants` scores the sides (without one the shares
 * are ½). Throws when a variant is out of range.
 */
export function candidateSets(g: GreyImage, filter: ObjectFilter, variants: readonly CandidateVariant[], opts: ExtractOptions = {}): CandidateSet[] {
  const stats = imageStats(g);
  const sides = new Map<string, { dark: Mask; bright: Mask }>();
  const sets: CandidateSet[] = [];
  const raw: number[][][] = [];
  let scored = false;
  for (const v of variants) {
    checkVariant(v);
    const key = `${v.fillHoles}:${v.flatten}:${v.shift}`;
    let masks = sides.get(key);
    if (!masks) {
      const src = v.flatten > 0 ? { ...g, grey: flattenShading(g.grey, g.width, g.height, v.flatten * Math.min(g.width, g.height)) } : g;
      sides.set(key, (masks = otsuForegroundSides(src, { fillHoles: v.fillHoles, shift: v.shift })));
    }
    const isBase: boolean = !scored && sameVariant(v, BASE_VARIANT);
    for (const side of ["dark", "bright"] as const) {
      const instances = separateParticles(masks[side], { h: v.h });
      const ex = measureInstances(instances, null, opts);
      const f = objectFeatures(g, ex, stats), p = particleProbabilities(filter, g, ex, stats);
      const filterScore = isBase ? sideScore(filter, p) : 0;
      raw.push(ex.particles.map((_, k) => [...f.subarray(k * OBJECT_FEATURE_COUNT, (k + 1) * OBJECT_FEATURE_COUNT), p[k], side === "dark" ? 1 : 0, v.fillHoles ? 1 : 0, v.h, v.flatten, v.shift]));
      sets.push({ variant: v, side, mask: masks[side], instances, kept: ex.particles.map((q) => q.id), features: new Float64Array(0), filterScore });
    }
    scored ||= isBase;
  }
  const score = sideScores(sets), total = score.dark + score.bright;
  const areas = sets.map((s) => instanceAreas(s.instances));
  const agree = sets.map((s) => new Float64Array(s.instances.count)), agreeSame = sets.map((s) => new Float64Array(s.instances.count));
  // Each pair of sets is overlapped once, both ways.
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const best = bestOverlaps(sets[i].instances, sets[j].instances, areas[i], areas[j]), same = sets[i].side === sets[j].side;
      for (const [k, b] of [[i, best.a], [j, best.b]] as const) {
        for (let o = 0; o < b.length; o++) if (b[o] >= AGREE_IOU) { agree[k][o]++; if (same) agreeSame[k][o]++; }
      }
    }
  }
  sets.forEach((s, i) => {
    const share = total > 0 ? score[s.side] / total : 0.5;
    s.features = Float64Array.from(raw[i].flatMap((r, k) => [...r, share, agree[i][s.kept[k]], agreeSame[i][s.kept[k]]]));
  });
  return sets;
}

/** Each side's score by the object filter on the base segmentation (Σ p², object_polarity.ts). */
function sideScores(sets: readonly CandidateSet[]): { dark: number; bright: number } {
  const score = { dark: 0, bright: 0 };
  for (const s of sets) score[s.side] += s.filterScore;
  return score;
}

/** The side the object filter prefers on the base segmentation (ties: dark), as object_polarity.ts chooses it. */
export function filterSide(sets: readonly CandidateSet[]): "dark" | "bright" {
  const score = sideScores(sets);
  return score.bright > score.dark ? "bright" : "dark";
}

/** Whether two variants are the same segmentation. */
export function sameVariant(a: CandidateVariant, b: CandidateVariant): boolean {
  return a.fillHoles === b.fillHoles && a.h === b.h && a.flatten === b.flatten && a.shift === b.shift;
}

/** Throws naming the field when `v` is out of range. */
export function checkVariant(v: CandidateVariant): void {
  if (typeof v?.fillHoles !== "boolean") throw new Error(`candidate variant ${JSON.stringify(v)}: fillHoles must be true or false`);
  if (!(v.h >= 0)) throw new Error(`candidate variant ${JSON.stringify(v)}: h must be ≥ 0 px`);
  if (!(v.flatten >= 0 && v.flatten <= 1)) throw new Error(`candidate variant ${JSON.stringify(v)}: flatten must be a fraction of the shorter side in [0, 1]`);
  if (!(v.shift >= 0 && v.shift < 1)) throw new Error(`candidate variant ${JSON.stringify(v)}: shift must be in [0, 1)`);
}
