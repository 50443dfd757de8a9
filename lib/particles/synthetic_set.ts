import * as fs from "fs";
import * as path from "path";
import { writeSizedParticleSet } from "../data/synth/sized_particles";
import { cacheDir } from "../util/paths";
import { contentHash } from "../util/hash";
import { writeJsonAtomic } from "../util/fsx";
import type { ParticlesConfig } from "./config";

/**
 * The synthetic particle set of known sizes for a config (`images/<class>/…`, `masks/…`, `truth/…`),
 * generated once into the cache (keyed by the classes, image count and seed) and reused. Returns the folder.
 */
export async function ensureSizedSet(cfg: ParticlesConfig): Promise<string> {
  const key = contentHash({ classes: cfg.classes, perClass: cfg.perClass, seed: cfg.seed, v: 1 });
  const dir = cacheDir("particles", `sized-${key}`);
  const done = path.join(dir, "done.json");
  if (!fs.existsSync(done)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const files = await writeSizedParticleSet(dir, cfg.classes, cfg.perClass, cfg.seed);
    writeJsonAtomic(done, { files: files.length });
  }
  return dir;
}
