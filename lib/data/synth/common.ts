/** Shared types and helpers of the synthetic dataset writers (no generator code, so no import cycles). */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { removeStaleTemps } from "../../util/stale_tmp";

/** Bumped whenever generated pixels change, so cached datasets are regenerated. */
export const GENERATOR_VERSION = 5;

/** Which synthetic set. */
export type SynthKind = "nanowire" | "nanoparticle" | "virus";

/** Spec of a folder-per-class stand-in (nanowire or nanoparticle). */
export interface ClassSetSpec {
  kind: "nanowire" | "nanoparticle";
  perClass: number;
  size: number;
  seed: number;
  difficulty: number;
  scaleBar?: boolean;
  /** Subset of classes (default: all of the kind's classes). */
  classes?: string[];
}

/** Spec of a split-folder stand-in (virus-like): images per class in each split. */
export interface SplitSetSpec {
  kind: "virus";
  /** Number of classes, 2…9. */
  classes: number;
  train: number;
  validation: number;
  test: number;
  size: number;
  seed: number;
  difficulty: number;
}

/** Any synthetic set spec; `writeSynthDataset` dispatches on `kind`. */
export type SynthSpec = ClassSetSpec | SplitSetSpec;

/** What `dataset.json` at the root of every synthetic set records. */
export interface DatasetManifest {
  kind: SynthKind;
  generator: string;
  generatorVersion: number;
  /** The spec it was generated from. */
  spec: Record<string, unknown>;
  classes: string[];
  /** Layout: "class-folders" (`<class>/…`) or "split-folders" (`train|validation|test/<class>/…`). */
  layout: "class-folders" | "split-folders";
  /** Images per class (class-folders) or per split and class (split-folders). */
  counts: Record<string, number> | Record<string, Record<string, number>>;
  /** Extra folders (relative paths) and what they hold. */
  extras: Record<string, string>;
  /** Marks the set as stand-in data in every downstream table and figure. */
  synthetic: true;
}

/** The file stem of image `i` of a class: `<class>_<iii>`. */
export function stemFor(cls: string, i: number): string {
  return `${cls}_${String(i).padStart(3, "0")}`;
}

/**
 * Build a dataset in a temporary sibling folder with `fill`, then rename it to `outDir`, so `outDir`
 * either does not exist or is complete. Throws when `outDir` exists (unless `overwrite`: then it is
 * replaced only after the new set is complete).
 */
export async function writeAtomically(outDir: string, overwrite: boolean, fill: (tmp: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(outDir) && !overwrite) throw new Error(`synth: ${outDir} already exists (use --force to replace it)`);
  // Temp folders of earlier runs that were killed (Ctrl-C, SIGKILL) before their rename: removed.
  removeStaleTemps(path.dirname(path.resolve(outDir)), 0);
  const tmp = `${outDir}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    if (fs.existsSync(outDir)) {
      // Named like a temp, so a run killed between these renames leaves nothing removeStaleTemps misses.
      const old = `${outDir}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
      fs.renameSync(outDir, old);
      fs.renameSync(tmp, outDir);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(tmp, outDir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

