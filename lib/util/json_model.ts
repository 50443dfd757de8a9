/**
 * Small fitted models kept as JSON (the object filter, the outline refiner): read from the file shipped
 * in the repository ("bundled") or from a path, and their header checked, with errors that name the file
 * and the fix.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * The parsed JSON of model `spec` ("bundled": `bundledFile`, else a path), and its resolved file. `what`
 * names the kind in errors ("object filter"); `fix` says what to do when the bundled file is missing
 * (`bundled`) or the given one (`file`). Throws when the file is missing or is not JSON.
 */
export function readModelJson(spec: string, bundledFile: string, what: string, fix: { bundled: string; file: string }): { file: string; parsed: unknown } {
  const bundled = spec === "bundled";
  const file = bundled ? bundledFile : path.resolve(spec);
  if (!fs.existsSync(file)) {
    throw new Error(bundled ? `the bundled ${what} is missing from ${file} (a damaged install: reinstall nanomorph, or ${fix.bundled})` : `${what} ${file} does not exist (${fix.file})`);
  }
  try {
    return { file, parsed: JSON.parse(fs.readFileSync(file, "utf8")) };
  } catch (e) {
    throw new Error(`${what} ${file}: not JSON (${(e as Error).message})`);
  }
}

/**
 * Check a model's header: `format` and `version` as this code reads them, and the feature names it was
 * fitted on equal to the ones computed now (`refit` says how to refit it). Throws "`where`: …".
 */
export function checkModelHeader(o: unknown, format: string, version: number, features: readonly string[], where: string, refit: string): void {
  const m = o as { format?: unknown; version?: unknown; features?: unknown };
  if (!m || typeof m !== "object" || m.format !== format) throw new Error(`${where}: not a ${format} file`);
  if (m.version !== version) throw new Error(`${where}: version ${m.version}; this nanomorph reads version ${version}`);
  if (!Array.isArray(m.features) || m.features.join(",") !== features.join(",")) throw new Error(`${where}: made for features [${m.features}], this nanomorph computes [${features.join(", ")}]; refit it (${refit})`);
}
