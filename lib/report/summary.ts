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
  writtenAt: string;
}

/** Record a section's reproduced numbers (atomic write; replaces the previous run's). */
export function recordSummary(s: Omit<SectionSummary, "profile" | "writtenAt">): void {
  const full: SectionSummary = { ...s, profile: profileName(), writtenAt: new Date().toISOString() };
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
