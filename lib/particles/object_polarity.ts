/**
 * Which side of Otsu's threshold holds the particles, decided by the object filter: both sides are
 * thresholded and split by the watershed, the filter scores every object, and the side whose objects
 * look more like particles (Σ p² over the objects the filter keeps) wins. Why: the border rule (the
 * side touching less of the image border) fails where particles fill the field — close-packed
 * spheres, dense films — and there the gaps between particles were measured instead; on such EMPS
 * images whole fields of particles were missed (docs/particles.md).
 */
import { otsuForegroundSides, type OtsuOptions } from "./otsu_foreground";
import type { GreyImage } from "./grey_image";
import { separateParticles, type WatershedOptions } from "./watershed";
import { measureInstances, type ExtractOptions } from "./extract";
import { particleProbabilities, type ObjectFilter } from "./object_filter";
import type { InstanceLabels } from "./instances";
import { imageStats } from "./object_features";
import type { Mask } from "../image/mask";

/** What {@link otsuInstancesByFilter} chose and why. */
export interface FilterPolarity {
  instances: InstanceLabels;
  polarity: "dark" | "bright";
  /** Otsu's foreground mask of the chosen side (before the watershed). */
  mask: Mask;
  /** Σ p² over the objects the filter keeps, per side. */
  score: { dark: number; bright: number };
  /** The filter's probability of every particle the chosen side keeps under the options (`measureInstances` order), for `applyObjectFilter`. */
  probabilities: Float64Array;
}

/**
 * Instances of `g` from Otsu's threshold (smoothing, opening, hole filling of `otsu`; its polarity is
 * ignored) and the watershed (`opts`), on the side of the threshold the filter prefers. Objects
 * dropped by `opts` (border, minimum area, excluded boxes) are not scored. Ties go to "dark".
 */
export function otsuInstancesByFilter(g: GreyImage, filter: ObjectFilter, opts: ExtractOptions & WatershedOptions = {}, otsu: Omit<OtsuOptions, "polarity"> = {}): FilterPolarity {
  const stats = imageStats(g); // both sides are scored on the same image
  const masks = otsuForegroundSides(g, otsu);
  const side = (polarity: "dark" | "bright"): { instances: InstanceLabels; score: number; probabilities: Float64Array } => {
    const instances = separateParticles(masks[polarity], opts);
    const p = particleProbabilities(filter, g, measureInstances(instances, null, opts), stats);
    return { instances, score: sideScore(filter, p), probabilities: p };
  };
  const dark = side("dark"), bright = side("bright");
  const pick = bright.score > dark.score ? "bright" : "dark";
  const chosen = pick === "dark" ? dark : bright;
  return { instances: chosen.instances, probabilities: chosen.probabilities, polarity: pick, mask: masks[pick], score: { dark: dark.score, bright: bright.score } };
}

/** How much a side's objects look like particles: Σ p² over the probabilities `p` at or over the filter's threshold. */
export function sideScore(filter: Pick<ObjectFilter, "threshold">, p: ArrayLike<number>): number {
  let score = 0;
  for (let i = 0; i < p.length; i++) if (p[i] >= filter.threshold) score += p[i] * p[i];
  return score;
}
