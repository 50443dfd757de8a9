/**
 * Outputs a notebook stands on without rewriting them (a pretraining run read back instead of
 * retrained). `reproduce` records every file a notebook writes; files it only reuses are declared here
 * so that its record still lists them and a later reuse of the notebook checks they are still there.
 * Outside `reproduce` (no NANOMORPH_RUN_OUTPUTS) this does nothing.
 */
import * as fs from "fs";
import * as path from "path";

/** Environment variable naming the file `declareOutputs` appends to (one absolute path per line). */
export const RUN_OUTPUTS_VAR = "NANOMORPH_RUN_OUTPUTS";

/** Declare files or folders (all files under them) as outputs of the running notebook. */
export function declareOutputs(...paths: string[]): void {
  const file = process.env[RUN_OUTPUTS_VAR];
  if (!file || paths.length === 0) return;
  fs.appendFileSync(file, paths.map((p) => path.resolve(p) + "\n").join(""));
}

/** The paths declared into `file` (deduplicated, in order); none when the file does not exist. */
export function readDeclaredOutputs(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return [...new Set(fs.readFileSync(file, "utf8").split("\n").filter(Boolean))];
}
