import * as path from "path";
import { sha256File } from "./fsx";

/**
 * What a run was trained on: every input file (path relative to the data folder, `/`-separated) with
 * its sha256, as the feature cache keys its entries. Stored in a run's checkpoint so `--resume` can
 * refuse another data set instead of silently continuing on it.
 */
export interface DataFingerprint {
  /** Absolute data folder at the time of the run (reported, not compared: a moved copy is the same data). */
  root: string;
  /** Relative path → sha256 hex, sorted by path. */
  files: Record<string, string>;
}

/** Hash `files` (absolute paths under `root`). Throws naming the file when one cannot be read. */
export async function fingerprintFiles(root: string, files: string[]): Promise<DataFingerprint> {
  const rel = files.map((f) => ({ f, r: path.relative(root, f).split(path.sep).join("/") })).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0));
  const out: Record<string, string> = {};
  for (const { f, r } of rel) {
    try {
      out[r] = await sha256File(f);
    } catch (e) {
      throw new Error(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return { root: path.resolve(root), files: out };
}

/**
 * How `now` differs from `saved`, in words ("2 files added (a/x.png, …); 1 changed (b/y.png)"), or
 * null when both list the same files with the same contents.
 */
export function describeDataDifference(saved: DataFingerprint, now: DataFingerprint): string | null {
  const a = saved.files, b = now.files;
  const added = Object.keys(b).filter((k) => !(k in a));
  const removed = Object.keys(a).filter((k) => !(k in b));
  const changed = Object.keys(b).filter((k) => k in a && a[k] !== b[k]);
  if (!added.length && !removed.length && !changed.length) return null;
  const list = (xs: string[]): string => xs.slice(0, 3).join(", ") + (xs.length > 3 ? `, … ${xs.length - 3} more` : "");
  const parts: string[] = [];
  if (added.length) parts.push(`${added.length} file(s) not in the saved run (${list(added)})`);
  if (removed.length) parts.push(`${removed.length} file(s) of the saved run missing (${list(removed)})`);
  if (changed.length) parts.push(`${changed.length} file(s) with other contents (${list(changed)})`);
  return `saved run: ${Object.keys(a).length} files from ${saved.root}; now: ${Object.keys(b).length} files from ${now.root}: ${parts.join("; ")}`;
}
