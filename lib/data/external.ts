/**
 * The real data the notebooks read when it is there: folders named by environment variables, and the
 * authors' four example crops beside the project. None is ever required; `reproduce` fingerprints these
 * locations so that adding, removing or changing real data re-runs the notebooks that may read it.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../util/paths";
import { readJson } from "../util/fsx";

/**
 * Environment variables naming real-data folders (`lib/probe/study_data`, notebook 01):
 * nanowire images and masks, nanoparticle and virus sets, the example crops.
 */
export const EXTERNAL_DATA_VARS = [
  "NANOMORPH_NANOWIRE_DIR",
  "NANOMORPH_NANOWIRE_MASKS",
  "NANOMORPH_NANOPARTICLE_DIR",
  "NANOMORPH_VIRUS_DIR",
  "NANOMORPH_REAL_EXAMPLES",
  "NANOMORPH_EMPS_DIR",
] as const;

/**
 * Folder of the four real example crops (`bundle.png`, `dispersed.png`, `network.png`,
 * `singular.png`): `$NANOMORPH_REAL_EXAMPLES`, else `<root>/data/nanowire-examples` (may not exist).
 */
export function realExamplesDir(env: NodeJS.ProcessEnv = process.env, root: string = projectRoot()): string {
  return env.NANOMORPH_REAL_EXAMPLES ? path.resolve(root, env.NANOMORPH_REAL_EXAMPLES) : path.join(root, "data", "nanowire-examples");
}

/**
 * Folder of the EMPS particle micrographs with instance segmaps (`images/<id>.jpg`, `segmaps/<id>.png`,
 * notebook 07): `$NANOMORPH_EMPS_DIR`, else `<root>/data/emps-train` (may not exist).
 */
export function empsDir(env: NodeJS.ProcessEnv = process.env, root: string = projectRoot()): string {
  return env.NANOMORPH_EMPS_DIR ? path.resolve(root, env.NANOMORPH_EMPS_DIR) : path.join(root, "data", "emps-train");
}

/**
 * Every real-data location notebooks may read, by name: the variable name, `examples` for the default
 * crops folder, `emps` for the default EMPS folder, `fetched` for the manifest's download destination (`nanomorph data fetch`).
 */
export function externalDataLocations(env: NodeJS.ProcessEnv = process.env, root: string = projectRoot()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of EXTERNAL_DATA_VARS) {
    const value = env[v];
    if (value) out[v] = path.resolve(root, value);
  }
  if (!env.NANOMORPH_REAL_EXAMPLES) out.examples = realExamplesDir(env, root);
  if (!env.NANOMORPH_EMPS_DIR) out.emps = empsDir(env, root);
  const manifest = path.join(root, "data-manifest.json");
  if (fs.existsSync(manifest)) out.fetched = path.join(root, readJson<{ defaultDest: string }>(manifest).defaultDest);
  return out;
}
