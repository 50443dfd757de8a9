import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { cacheDir } from "./paths";
import { contentHash } from "./hash";
import { readJson, writeJsonAtomic } from "./fsx";

/**
 * Stage caches: each stage of an experiment (pretrained encoder, extracted features, probe scores …)
 * is stored under a hash of only the config it depends on, so changing one grid axis recomputes just
 * the stages downstream of it. Shared by grids, notebooks and the CLI (`$NANOMORPH_CACHE/stages`).
 */
export interface StageResult<T> {
  value: T;
  /** True when read from the cache. */
  hit: boolean;
  /** The stage key's hash. */
  key: string;
}

/** Counts of cache hits/misses in this process, per stage (for "a second run does no work" checks). */
export const stageStats: Record<string, { hits: number; misses: number }> = {};

function count(stage: string, hit: boolean): void {
  const s = (stageStats[stage] ??= { hits: 0, misses: 0 });
  if (hit) s.hits++; else s.misses++;
}

/** A JSON-valued stage: read `<cache>/stages/<stage>/<hash>.json` or compute and store it atomically. */
export async function cachedJson<T>(stage: string, key: unknown, compute: () => Promise<T>): Promise<StageResult<T>> {
  const h = contentHash(key);
  const file = cacheDir("stages", stage, `${h}.json`);
  if (fs.existsSync(file)) {
    count(stage, true);
    return { value: readJson<{ value: T }>(file).value, hit: true, key: h };
  }
  const value = await compute();
  writeJsonAtomic(file, { stage, key, value });
  count(stage, false);
  return { value, hit: false, key: h };
}

/**
 * A directory-valued stage (checkpoints, feature matrices): `build` fills a fresh temp directory,
 * which is renamed into place only when build succeeds. Returns the final directory.
 */
export async function cachedDir(stage: string, key: unknown, build: (dir: string) => Promise<void>): Promise<StageResult<string>> {
  const h = contentHash(key);
  const dir = cacheDir("stages", stage, h);
  if (fs.existsSync(path.join(dir, ".complete"))) {
    count(stage, true);
    return { value: dir, hit: true, key: h };
  }
  const tmp = `${dir}.tmp-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    writeJsonAtomic(path.join(tmp, ".complete"), { stage, key });
    // Never delete a complete `dir`: another process may have just renamed it into place and be reading
    // it. Only an incomplete leftover (written by an older, non-atomic version) is moved aside.
    for (let attempt = 0; ; attempt++) {
      try {
        fs.renameSync(tmp, dir);
        break;
      } catch (e) {
        if (fs.existsSync(path.join(dir, ".complete"))) { // another process finished it first: keep theirs
          fs.rmSync(tmp, { recursive: true, force: true });
          break;
        }
        if (attempt > 0 || !fs.existsSync(dir)) throw e;
        const aside = `${dir}.tmp-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
        fs.renameSync(dir, aside);
        fs.rmSync(aside, { recursive: true, force: true });
      }
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  count(stage, false);
  return { value: dir, hit: false, key: h };
}
