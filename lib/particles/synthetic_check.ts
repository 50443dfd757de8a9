import { generateSizedParticles, type SizedParticleSpec } from "../data/synth/sized_particles";
import { Rng } from "../util/rng";
import { makeMask } from "../image/mask";
import { instancesFromLabelMap } from "./instances";
import { extractParticles, measureInstances, type ExtractOptions } from "./extract";
import { matchParticles, poolMatches, type MatchResult } from "./match";
import { otsuForeground, type OtsuOptions } from "./otsu_foreground";
import type { GreyImage } from "./grey_image";
import type { InstanceLabels } from "./instances";

/** Instances of a grey micrograph at its size (e.g. a particle model's, lib/particle_model/evaluate.ts). */
export type InstanceFn = (grey: GreyImage) => InstanceLabels;

/** One measured-vs-true pair on the synthetic set (px). */
export interface SizePair {
  image: number;
  /** Nominal equivalent diameter the generator drew. */
  trueDiameter: number;
  /** Equivalent diameter of the matched measured particle. */
  measuredDiameter: number;
  /** Whether the particle was placed touching another. */
  touching: boolean;
}

/** Result of {@link syntheticSizeCheck}. */
export interface SyntheticSizeCheck {
  /** Pooled matching against the generator's true labels. */
  match: MatchResult;
  pairs: SizePair[];
}

/**
 * Measure generated micrographs of known particle sizes (`generateSizedParticles`) and compare with
 * the truth: foreground from the true mask (`mask`: tests the watershed and measurements) or from
 * Otsu's threshold of the rendered image (`otsu`, with the same smoothing, polarity, opening and hole
 * filling as the CLI, `otsu` overrides them), or instances from a function of the rendered image (a
 * particle model: no watershed after it), matched to the true instances at IoU ≥ 0.5. `images` images from `seed`.
 */
export function syntheticSizeCheck(spec: SizedParticleSpec, images: number, seed: number, source: "mask" | "otsu" | InstanceFn, opts: ExtractOptions = {}, otsu: OtsuOptions = {}): SyntheticSizeCheck {
  const master = new Rng(seed);
  const results: MatchResult[] = [];
  const pairs: SizePair[] = [];
  for (let k = 0; k < images; k++) {
    const s = generateSizedParticles(spec, master.fork(`image/${k}`));
    const truthInst = instancesFromLabelMap(s.labels.map((l) => l + 1), s.width, s.height, 0);
    const truth = measureInstances(truthInst, null, opts);
    const grey: GreyImage = { width: s.width, height: s.height, grey: Float32Array.from(s.image, (v) => v / 255) };
    const pred = typeof source === "function" ? measureInstances(source(grey), null, opts)
      : extractParticles(source === "otsu" ? otsuForeground(grey, otsu) : makeMask(s.width, s.height, s.labels.map((l) => (l >= 0 ? 1 : 0))), null, opts);
    const m = matchParticles(pred, truth);
    results.push(m);
    // Truth instance ids follow the raster order of the label values; map them back to the generator's particles.
    const idToParticle = new Map<number, number>();
    for (let i = 0; i < s.labels.length; i++) if (s.labels[i] >= 0 && !idToParticle.has(truthInst.labels[i])) idToParticle.set(truthInst.labels[i], s.labels[i]);
    for (const p of m.pairs) {
      const gp = s.particles[idToParticle.get(p.truth)!];
      const touching = gp.touching >= 0 || s.particles.some((q) => q.touching === idToParticle.get(p.truth));
      pairs.push({ image: k, trueDiameter: gp.diameter, measuredDiameter: p.predictedDiameter, touching });
    }
  }
  return { match: poolMatches(results), pairs };
}
