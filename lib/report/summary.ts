import * as fs from "fs";
import * as path from "path";
import { readJson, writeJsonAtomic } from "../util/fsx";
import { resultsDir } from "../util/paths";
import { profileName } from "../config/index";

/**
 * Reproduced numbers that notebooks hand to the report: one JSON file per section under
 * results/summary/, holding what was measured, on which data (real or stand-in) and profile.
 */
export interface SectionSummary {
  /** Section key, matching a key of the paper reference (e.g. "nanowireAccuracy"). */
  section: string;
  /** "real" when the paper's own data was used, else "stand-in" (synthetic). */
  data: "real" | "stand-in";
  profile: string;
  /** Figure names (figures/<name>.json) that belong to this section. */
  figures: string[];
  /** The paper's figure file for one of `figures`, where it is not the section's default. */
  paperFigures?: Record<string, string>;
  /** Section-specific numbers, e.g. {labelsPerClass: [...], medians: {encoder: [...]}}. */
  values: Record<string, unknown>;
  /** One-line description of the setting (encoders, sizes) so a reader can judge the comparison. */
  setting: string;
  /** How much data the numbers rest on, e.g. "214 images (few 102, many 112), 3 splits". */
  dataSize?: string;
  /** Parameter values the notebook ran with (`reproduce -p`/`--params`), absent for its defaults. */
  parameters?: Record<string, unknown>;
  writtenAt: string;
}

/** Environment variable through which `reproduce` hands a kernel the parameters injected into its notebook (JSON). */
export const NOTEBOOK_PARAMETERS_VAR = "NANOMORPH_NOTEBOOK_PARAMETERS";

/** The injected parameters of the running notebook (from `NOTEBOOK_PARAMETERS_VAR`), or undefined for none/unreadable. */
function injectedParameters(): Record<string, unknown> | undefined {
  const raw = process.env[NOTEBOOK_PARAMETERS_VAR];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Record a section's reproduced numbers (atomic write; replaces the previous run's), with the profile
 * and the parameters `reproduce` injected into the notebook (so the report says what it ran with).
 */
export function recordSummary(s: Omit<SectionSummary, "profile" | "writtenAt">): void {
  const params = s.parameters ?? injectedParameters();
  const full: SectionSummary = { ...s, ...(params ? { parameters: params } : {}), profile: profileName(), writtenAt: new Date().toISOString() };
  writeJsonAtomic(resultsDir("summary", `${s.section}.json`), full);
}

/** All recorded summaries, by section. */
export function readSummaries(dir = resultsDir("summary")): Record<string, SectionSummary> {
  const out: Record<string, SectionSummary> = {};
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const s = readJson<SectionSummary>(path.join(dir, f));
    out[s.section] = s;
  }
  return out;
}
