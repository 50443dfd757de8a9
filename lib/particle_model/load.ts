import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../util/paths";
import { readModelFolder, modelFromFolder, type ParticleModel } from "./model_file";

/** Name of the model shipped in the repository (models/particles-emps/, trained on EMPS; see its manifest). */
export const BUNDLED_PARTICLE_MODEL = "bundled";

/** Folder of the bundled particle model inside the installed package. */
export function bundledModelDir(): string {
  return path.join(projectRoot(), "models", "particles-emps");
}

/**
 * Load a particle model: `spec` is "bundled" (the shipped EMPS model) or a folder written by
 * `nanomorph particles train --out DIR` (DIR itself). Verifies the weights' sha256. Caller disposes.
 * Throws naming the folder when it is missing, not a particle model, corrupt or of a newer version.
 */
export function loadParticleModel(spec: string = BUNDLED_PARTICLE_MODEL): ParticleModel {
  const dir = spec === BUNDLED_PARTICLE_MODEL ? bundledModelDir() : path.resolve(spec);
  if (!fs.existsSync(dir)) {
    throw new Error(spec === BUNDLED_PARTICLE_MODEL
      ? `the bundled particle model is missing from ${dir} (a damaged install: reinstall nanomorph, or use --otsu)`
      : `particle model ${dir} does not exist (give a folder written by \`nanomorph particles train --out DIR\`, or 'bundled')`);
  }
  return modelFromFolder(readModelFolder(dir));
}
