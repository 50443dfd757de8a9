import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { isInside, realPrefix } from "./confine";

/** Options of {@link prepareOutputDir}. */
export interface OutputDirOptions {
  /** How the user named the location, for messages (e.g. "segment --out"). */
  option: string;
  /** Input folders the output must not equal or lie inside (default none). */
  inputs?: string[];
  /**
   * Outputs of an earlier run in the same folder, matched on file names: removed before the new run
   * writes, so the folder only ever holds one run's results (default none).
   */
  staleOutputs?: RegExp;
}

/** What {@link prepareOutputDir} did. */
export interface PreparedOutputDir {
  /** Absolute folder, created. */
  dir: string;
  /** Files of an earlier run that were removed (absolute paths). */
  removed: string[];
}

/**
 * Check an output folder BEFORE any work: it must be creatable (no file in the way, parents usable),
 * writable (a probe file is written and removed: catches read-only file systems and permissions),
 * neither equal to nor inside an input folder, and not start with a literal `~` (a quoted path the
 * shell did not expand would create a folder named `~`). Creates it; touches nothing in it.
 * Returns the absolute folder.
 * @throws Error naming the option, the path and the fix
 */
export function checkOutputDir(dir: string, o: Pick<OutputDirOptions, "option" | "inputs">): string {
  if (/^~($|[\\/])|^~[A-Za-z0-9_.-]+($|[\\/])/.test(dir)) {
    throw new Error(`${o.option} '${dir}' starts with '~', which the shell did not expand (it was quoted); ` +
      `write the full path (e.g. "$HOME${dir.slice(1).replace(/^[^\\/]*/, "")}")`);
  }
  const abs = path.resolve(dir);
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) {
    throw new Error(`${o.option} ${abs} is a file, not a folder; give a folder path (it is created when missing)`);
  }
  for (const input of o.inputs ?? []) {
    if (isInside(realPrefix(abs), realPrefix(input))) {
      throw new Error(`${o.option} ${abs} is ${realPrefix(abs) === realPrefix(input) ? "the same folder as" : "inside"} the input folder ${path.resolve(input)}; ` +
        "outputs would mix with the inputs: choose a folder outside it");
    }
  }
  // Walk up to the first existing ancestor: it must be a folder (a file named like a parent is a typo).
  let up = path.dirname(abs);
  while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
  if (!fs.statSync(up).isDirectory()) throw new Error(`${o.option} ${abs}: ${up} is a file, so the folder cannot be created; fix the path`);
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new Error(`${o.option} ${abs} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a writable location`);
  }
  const probe = path.join(abs, `.write-test-${process.pid}-${crypto.randomBytes(3).toString("hex")}`);
  try {
    fs.writeFileSync(probe, "");
  } catch (e) {
    throw new Error(`${o.option} ${abs} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a writable location`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
  return abs;
}

/**
 * {@link checkOutputDir}, then remove stale outputs of an earlier run (`staleOutputs`). For a command
 * whose run must not lose the earlier outputs when it fails, use `OutputRun` (lib/util/output_run.ts).
 * @throws Error naming the option, the path and the fix
 */
export function prepareOutputDir(dir: string, o: OutputDirOptions): PreparedOutputDir {
  const abs = checkOutputDir(dir, o);
  const removed: string[] = [];
  if (o.staleOutputs) {
    for (const f of fs.readdirSync(abs)) {
      if (o.staleOutputs.test(f)) {
        const p = path.join(abs, f);
        fs.rmSync(p, { force: true });
        removed.push(p);
      }
    }
  }
  return { dir: abs, removed };
}
