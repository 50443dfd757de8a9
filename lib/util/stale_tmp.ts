import * as fs from "fs";
import * as path from "path";

/** Temp names written by writeFileAtomic / cachedDir: `<target>.tmp-<pid>-<hex>`. */
const TMP = /\.tmp-(\d+)-[0-9a-f]+$/;

/** True when process `pid` exists on this host (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove temp files/folders left in `dir` (and its sub-folders, `depth` levels, default 2) by writers
 * that were killed (SIGKILL, power loss) before renaming them into place. Temps of a live process
 * (a concurrent run sharing the cache) are kept. Returns the removed paths. A missing `dir` is fine.
 */
export function removeStaleTemps(dir: string, depth = 2): string[] {
  const removed: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const m = TMP.exec(e.name);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } else if (!m && e.isDirectory() && depth > 0) removed.push(...removeStaleTemps(p, depth - 1));
  }
  return removed;
}
