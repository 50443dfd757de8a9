/**
 * The default route of `nanomorph particles`, in one place for the CLI, the evaluations and the
 * notebooks: Otsu's threshold on both sides and the watershed, the side the object filter prefers
 * (object_polarity.ts), what it scores as not a particle dropped, and the kept particles grown out to
 * their edges (edge_growth.ts) and on to the outline the refiner learned (outline_refiner.ts); or, with
 * an object judge, the particles it picks among several segmentations (object_judge.ts), grown alike.
 */
import type { Calibration } from "../data/calibration";
import type { OtsuOptions } from "./otsu_foreground";
import { withMissingBoxes, type GreyImage } from "./grey_image";
import type { WatershedOptions } from "./watershed";
import { classifyInstances, DEFAULT_MIN_AREA_PX, dropAsNotParticles, measureInstances, type ExtractOptions, type ExtractedParticles } from "./extract";
import { applyObjectFilter, type ObjectFilter } from "./object_filter";
import { otsuInstancesByFilter } from "./object_polarity";
import { EDGE_GROWTH_DEFAULTS, growToEdges, type EdgeGrowthOptions } from "./edge_growth";
import { particleProbabilityMap, refinerBand, refineOutlines, type OutlineRefiner } from "./outline_refiner";
import { candidateSets, type CandidateSet } from "./candidate_objects";
import { judgeCandidates, type ObjectJudge } from "./object_judge";
import { basePickSet, pickObjects, rejectedCandidates } from "./object_selection";
import type { InstanceLabels } from "./instances";
import type { Mask } from "../image/mask";

/**
 * Options of {@link filteredOtsuParticles}: the drop rules and watershed, Otsu's settings, the edge
 * growth (`{ maxPx: 0 }`: none, and no refiner either), the outline refiner that grows the particles
 * on after it (outline_refiner.ts; none when absent), and the object judge (object_judge.ts; none when
 * absent) that picks the particles among several segmentations instead of the filter's one.
 */
export interface FilteredOtsuOptions extends ExtractOptions, WatershedOptions {
  /** Otsu's settings for the filter's segmentation (the judge's segmentations are its own). */
  otsu?: Omit<OtsuOptions, "polarity">;
  growth?: EdgeGrowthOptions;
  refiner?: OutlineRefiner | null;
  judge?: ObjectJudge | null;
}

/**
 * Particles of `image` by the default route, measured with `calibration` (null: px). The pixels of the
 * excluded boxes (`opts.exclude`) are missing to every step (withMissingBoxes). Without a judge, the
 * side of Otsu's cut the filter prefers is split by the watershed and what the filter scores as not a
 * particle is dropped (`notParticle`, kept in the labelling); with one, the judge's picks among its
 * candidate segmentations are the particles (candidate_objects.ts, object_selection.ts), the base
 * segmentation's objects it took less than half of join after the growth as `notParticle` (on the
 * pixels the particles leave free, when those are at least `minArea`; rejectedCandidates), and
 * `polarity` is the side most picks lie on. Objects
 * dropped by the options (border, minimum area, excluded boxes) or the filter keep their pixels and do
 * not grow; growth never takes the image's outermost pixels (when border objects are dropped), the
 * excluded boxes or the pixels beside them, or missing pixels, so it changes no object's status, only
 * the kept particles' outlines.
 */
export function filteredOtsuParticles(image: GreyImage, filter: ObjectFilter, calibration: Calibration | null, opts: FilteredOtsuOptions = {}): { extracted: ExtractedParticles; polarity: "dark" | "bright" } {
  return growRouteObjects(defaultRouteObjects(image, filter, opts), filter, calibration, opts);
}

/**
 * What the default route found in `image` before any growth (the first half of
 * {@link filteredOtsuParticles}; its options' growth and refiner are not read): for evaluations that
 * try several growth settings on the same objects (fit_edges.ts).
 */
export function defaultRouteObjects(image: GreyImage, filter: ObjectFilter, opts: FilteredOtsuOptions = {}): RouteObjects {
  // The excluded boxes (a found scale bar and its label) are not sample: out of the threshold too.
  const g = withMissingBoxes(image, opts.exclude ?? []);
  return opts.judge ? judgedObjects(g, filter, opts.judge, opts) : filteredObjects(g, filter, opts);
}

/** The second half of {@link filteredOtsuParticles}: `found` grown as `opts` says (its drop rules must be those `found` was made with), measured, the filter applied. */
export function growRouteObjects(found: RouteObjects, filter: ObjectFilter, calibration: Calibration | null, opts: FilteredOtsuOptions = {}): { extracted: ExtractedParticles; polarity: "dark" | "bright" } {
  const grown = growParticles(found, opts);
  if (found.rejectFrom) {
    // The judge's rejects join after the growth, so they change no particle's outline.
    const labels = Int32Array.from(grown.labels), first = grown.count;
    // Rejects smaller than the size rule would be reported as too small: they are left out.
    const rejected = rejectedCandidates(found.rejectFrom, labels).filter((px) => px.length >= (opts.minArea ?? DEFAULT_MIN_AREA_PX));
    rejected.forEach((px, k) => { for (const i of px) labels[i] = first + k; });
    const ex = measureInstances({ ...grown, labels, count: first + rejected.length }, calibration, opts);
    return { extracted: dropAsNotParticles(ex, (q) => q.id >= first), polarity: found.polarity };
  }
  const extracted = measureInstances(grown, calibration, opts);
  return { extracted: found.probabilities ? applyObjectFilter(filter, found.g, extracted, found.probabilities) : extracted, polarity: found.polarity };
}

/**
 * What a route found before the growth: the image with its missing pixels, the labelling, which objects
 * grow, the side and its Otsu mask, and either the filter's probabilities of the kept objects or, when
 * a judge picked them, the base segmentation whose untaken objects are shown as its rejects.
 */
export interface RouteObjects { g: GreyImage; instances: InstanceLabels; grows: Uint8Array; polarity: "dark" | "bright"; mask: Mask; probabilities?: Float64Array; rejectFrom?: CandidateSet }

/** The filter's route: its side of Otsu's cut (object_polarity.ts); the kept objects it scores as particles grow. */
function filteredObjects(g: GreyImage, filter: ObjectFilter, opts: FilteredOtsuOptions): RouteObjects {
  const chosen = otsuInstancesByFilter(g, filter, opts, opts.otsu);
  const grows = new Uint8Array(chosen.instances.count);
  let k = 0; // probabilities are in the order of the kept objects
  classifyInstances(chosen.instances, opts).status.forEach((s, id) => {
    if (s !== "kept") return;
    if (chosen.probabilities[k++] >= filter.threshold) grows[id] = 1;
  });
  return { g, instances: chosen.instances, grows, polarity: chosen.polarity, mask: chosen.mask, probabilities: chosen.probabilities };
}

/** The judge's route: its picks among the candidate segmentations; the picked objects the options keep grow. */
function judgedObjects(g: GreyImage, filter: ObjectFilter, judge: ObjectJudge, opts: ExtractOptions): RouteObjects {
  const sets = candidateSets(g, filter, judge.variants, opts);
  const picked = pickObjects(sets, judgeCandidates(judge, sets), judge, g.missing);
  const grows = new Uint8Array(picked.instances.count);
  classifyInstances(picked.instances, opts).status.forEach((s, id) => { if (s === "kept" && id < picked.picked) grows[id] = 1; });
  const base = basePickSet(sets, picked.polarity);
  return { g, instances: picked.instances, grows, polarity: picked.polarity, mask: base ? base.mask : sets.find((s) => s.side === picked.polarity)!.mask, rejectFrom: base };
}

/** The objects of `found` that grow, grown to their edges, then on by the refiner (when given and the growth is on). */
function growParticles(found: RouteObjects, opts: FilteredOtsuOptions): InstanceLabels {
  const { g, grows } = found;
  const frozen = frozenPixels(g, opts);
  let grown = growToEdges(g.grey, found.instances, grows, frozen, opts.growth);
  const refiner = opts.refiner;
  if (refiner && refiner.maxPx > 0 && (opts.growth?.maxPx ?? EDGE_GROWTH_DEFAULTS.maxPx) > 0 && grows.some((v) => v)) {
    const p = particleProbabilityMap(refiner, g, found.polarity, found.mask, refinerBand(grown, grows, refiner));
    grown = refineOutlines(refiner, (i) => p[i], grown, grows, frozen);
  }
  return grown;
}

/** Pixels growth must not take (1): missing ones, the excluded boxes and the pixels beside them, and the outermost rows and columns when border objects are dropped. */
function frozenPixels(g: GreyImage, opts: ExtractOptions): Uint8Array {
  const { width: w, height: h } = g;
  const frozen = g.missing ? Uint8Array.from(g.missing) : new Uint8Array(w * h);
  if (opts.dropBorder !== false) {
    for (let x = 0; x < w; x++) { frozen[x] = 1; frozen[(h - 1) * w + x] = 1; }
    for (let y = 0; y < h; y++) { frozen[y * w] = 1; frozen[y * w + w - 1] = 1; }
  }
  // The boxes are missing already; the pixel beside one counts as touching it (classifyInstances).
  for (const b of opts.exclude ?? []) {
    const x0 = Math.max(0, b.x0 - 1), x1 = Math.min(w, b.x1 + 1);
    for (let y = Math.max(0, b.y0 - 1); y < Math.min(h, b.y1 + 1); y++) if (x1 > x0) frozen.fill(1, y * w + x0, y * w + x1);
  }
  return frozen;
}
