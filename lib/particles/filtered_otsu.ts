/**
 * The default route of `nanomorph particles`, in one place for the CLI, the evaluations and the
 * notebooks: Otsu's threshold on both sides and the watershed, the side the object filter prefers
 * (object_polarity.ts), what it scores as not a particle dropped, and the kept particles grown out to
 * their edges (edge_growth.ts) and on to the outline the refiner learned (outline_refiner.ts).
 */
import type { Calibration } from "../data/calibration";
import type { OtsuOptions } from "./otsu_foreground";
import { withMissingBoxes, type GreyImage } from "./grey_image";
import type { WatershedOptions } from "./watershed";
import { classifyInstances, measureInstances, type ExtractOptions, type ExtractedParticles } from "./extract";
import { applyObjectFilter, type ObjectFilter } from "./object_filter";
import { otsuInstancesByFilter } from "./object_polarity";
import { EDGE_GROWTH_DEFAULTS, growToEdges, type EdgeGrowthOptions } from "./edge_growth";
import { particleProbabilityMap, refinerBand, refineOutlines, type OutlineRefiner } from "./outline_refiner";

/**
 * Options of {@link filteredOtsuParticles}: the drop rules and watershed, Otsu's settings, the edge
 * growth (`{ maxPx: 0 }`: none, and no refiner either), and the outline refiner that grows the particles
 * on after it (outline_refiner.ts; none when absent).
 */
export interface FilteredOtsuOptions extends ExtractOptions, WatershedOptions {
  otsu?: Omit<OtsuOptions, "polarity">;
  growth?: EdgeGrowthOptions;
  refiner?: OutlineRefiner | null;
}

/**
 * Particles of `image` by the default route, measured with `calibration` (null: px). The pixels of the
 * excluded boxes (`opts.exclude`) are missing to every step (withMissingBoxes). Objects dropped by
 * the options (border, minimum area, excluded boxes) or the filter keep their pixels and do not grow;
 * growth never takes the image's outermost pixels (when border objects are dropped), the excluded boxes
 * or the pixels beside them, or missing pixels, so it changes no object's status, only the kept
 * particles' outlines.
 */
export function filteredOtsuParticles(image: GreyImage, filter: ObjectFilter, calibration: Calibration | null, opts: FilteredOtsuOptions = {}): { extracted: ExtractedParticles; polarity: "dark" | "bright" } {
  // The excluded boxes (a found scale bar and its label) are not sample: out of the threshold too.
  const g = withMissingBoxes(image, opts.exclude ?? []);
  const chosen = otsuInstancesByFilter(g, filter, opts, opts.otsu);
  const inst = chosen.instances;
  const grows = new Uint8Array(inst.count);
  let k = 0; // probabilities are in the order of the kept objects
  classifyInstances(inst, opts).status.forEach((s, id) => {
    if (s !== "kept") return;
    if (chosen.probabilities[k++] >= filter.threshold) grows[id] = 1;
  });
  const frozen = frozenPixels(g, opts);
  let grown = growToEdges(g.grey, inst, grows, frozen, opts.growth);
  const refiner = opts.refiner;
  if (refiner && refiner.maxPx > 0 && (opts.growth?.maxPx ?? EDGE_GROWTH_DEFAULTS.maxPx) > 0 && grows.some((v) => v)) {
    const p = particleProbabilityMap(refiner, g, chosen.polarity, chosen.mask, refinerBand(grown, grows, refiner));
    grown = refineOutlines(refiner, (i) => p[i], grown, grows, frozen);
  }
  return { extracted: applyObjectFilter(filter, g, measureInstances(grown, calibration, opts), chosen.probabilities), polarity: chosen.polarity };
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
