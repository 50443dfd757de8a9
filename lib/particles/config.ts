import { loadConfig, profileName, type ProfileName } from "../config/index";
import type { SizedClassSpec } from "../data/synth/sized_particles";

/**
 * Settings of the particle notebook (configs/particles.json, per profile): the synthetic classes of
 * known sizes, how many images of each, the nm/px assumed for them, and how many EMPS images to compare
 * with ground truth. Defaults: minArea 10 px and h 2 px (as the CLI), 256-px images.
 */
export interface ParticlesConfig {
  seed: number;
  minArea: number;
  h: number;
  imageSize: number;
  classes: SizedClassSpec[];
  /** Pixel size given to the synthetic set (as a user would with --nm-per-px). */
  nmPerPx: number;
  perClass: number;
  /** Images in the measured-vs-true size check. */
  sizeCheckImages: number;
  /** EMPS images compared with their instance maps (every k-th of the sorted ids). */
  empsImages: number;
}

/** The particle settings for a profile (default: the current one). Throws when the file lacks the profile. */
export function loadParticlesConfig(profile: ProfileName = profileName()): ParticlesConfig {
  const c = loadConfig<ParticlesConfig>("particles", profile);
  return { ...c, classes: c.classes.map((k) => ({ name: k.name, spec: { size: c.imageSize, ...k.spec } })) };
}
