import * as path from "path";
import { readJson } from "../util/fsx";
import { projectRoot } from "../util/paths";

/**
 * Run profiles. One mechanism for every notebook and command: the `NANOMORPH_PROFILE` env var
 * (the CLI's `--profile` sets it).
 * - `ci`: everything small, all notebooks in a few minutes on 2 CPU cores.
 * - `laptop`: about half an hour on 2 CPU cores with the native backend (README, Profiles).
 * - `quality`: what a user gets when no profile is named: settings chosen by measurement on real
 *   micrographs for accuracy at a sensible CPU cost (README, "How the defaults were chosen").
 * - `paper`: the paper's exact hyperparameters (needs a GPU and the real data).
 */
export type ProfileName = "ci" | "laptop" | "quality" | "paper";
export const PROFILES: readonly ProfileName[] = ["ci", "laptop", "quality", "paper"];

/** The profile used when none is named: never `ci` (CI asks for it explicitly). */
export const DEFAULT_PROFILE: ProfileName = "quality";

/** True when the user named a profile (NANOMORPH_PROFILE or `--profile`). */
export function profileIsExplicit(): boolean {
  return process.env.NANOMORPH_PROFILE !== undefined && process.env.NANOMORPH_PROFILE !== "";
}

/** The active profile (default {@link DEFAULT_PROFILE}). Throws on an unknown name. */
export function profileName(): ProfileName {
  const p = process.env.NANOMORPH_PROFILE || DEFAULT_PROFILE;
  if (!(PROFILES as readonly string[]).includes(p)) {
    throw new Error(`NANOMORPH_PROFILE=${p} is not a profile; use one of ${PROFILES.join(", ")}`);
  }
  return p as ProfileName;
}

/** Set the profile for this process and any child (notebook kernels inherit the env). */
export function setProfile(p: string): ProfileName {
  if (!(PROFILES as readonly string[]).includes(p)) throw new Error(`unknown profile '${p}'; use one of ${PROFILES.join(", ")}`);
  process.env.NANOMORPH_PROFILE = p;
  return p as ProfileName;
}

/**
 * Load `configs/<name>.json` for a profile. The file holds `{ "defaults": {...}, "ci": {...},
 * "laptop": {...}, "quality": {...}, "paper": {...} }`; the profile's section is shallow-merged over `defaults`.
 */
export function loadConfig<T>(name: string, profile: ProfileName = profileName()): T {
  const file = path.join(projectRoot(), "configs", `${name}.json`);
  const all = readJson<Record<string, Record<string, unknown>>>(file);
  if (!all[profile]) throw new Error(`${file} has no section for profile '${profile}'`);
  return { ...(all.defaults ?? {}), ...all[profile] } as T;
}
