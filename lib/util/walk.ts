/**
 * Walking folders the way users lay them out: symbolic links to images and to folders are followed
 * (a folder of links into a data store is common), a link that leads back into a folder being walked
 * (a loop) is refused with an error naming it, and a dangling link is skipped.
 */
import * as fs from "fs";
import * as path from "path";

/** What a directory entry is, following symbolic links; a dangling link (or a socket, fifo…) is "other". */
export function entryKind(dir: string, e: fs.Dirent): "file" | "dir" | "other" {
  if (e.isFile()) return "file";
  if (e.isDirectory()) return "dir";
  if (!e.isSymbolicLink()) return "other";
  try {
    const st = fs.statSync(path.join(dir, e.name));
    return st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  } catch {
    return "other";
  }
}

/** Options of {@link walkFiles}. */
export interface WalkOptions {
  /** Sub-folders (by name) not to enter; the root is always entered. Default: none skipped. */
  skipDir?: (name: string) => boolean;
  /** Files (by name) to keep. Default: all. */
  keepFile?: (name: string) => boolean;
  /** Folder levels below the root to enter (0 = the root's own files). Default: unlimited. */
  maxDepth?: number;
}

/**
 * Every file under `root` (following links), sorted by path within each folder (names compared by code
 * unit, so the order does not depend on the locale).
 * @throws Error naming the link when a linked folder is `root` itself or one of the folders above the
 * link (a loop), or when `root` is not a folder
 */
export function walkFiles(root: string, opts: WalkOptions = {}): string[] {
  const real = (p: string): string => fs.realpathSync(p);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
  const out: string[] = [];
  const walk = (dir: string, depth: number, ancestors: Set<string>): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      const kind = entryKind(dir, e);
      if (kind === "file") {
        if (!opts.keepFile || opts.keepFile(e.name)) out.push(p);
      } else if (kind === "dir" && depth < (opts.maxDepth ?? Infinity) && !(opts.skipDir?.(e.name))) {
        const r = real(p);
        if (ancestors.has(r)) throw new Error(`${p} links back to ${r}, a folder it is inside of (a loop): remove or replace the link`);
        walk(p, depth + 1, new Set([...ancestors, r]));
      }
    }
  };
  walk(root, 0, new Set([real(root)]));
  return out;
}
