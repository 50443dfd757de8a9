/**
 * Which images of a folder to label first (`nanomorph suggest`): without labelled images, a coverage
 * pick over the feature space; with a folder-per-class of images labelled so far, the next
 * active-learning round. Images of the pool that are also labelled (same content) are left out.
 */
import * as path from "path";
import { initBackend } from "../backend/index";
import { listUnlabelledImages } from "./unlabelled";
import { listClassFolder } from "../data/folders";
import { suggestRows, type CoverageMethod } from "./suggest";
import { describeSettings, featuresOf, type EncoderSettings } from "./encoder_settings";
import { sha256File } from "../util/fsx";
import { UsageError } from "../util/errors";

/** Options of {@link suggestImages}. */
export interface SuggestImagesOptions {
  /** Unlabelled images, flat or in sub-folders (names ignored). */
  data: string;
  /** How many images to suggest (≤ the unlabelled images). */
  budget: number;
  /** Folder-per-class of images labelled so far: switches to an active-learning round. */
  labelled?: string;
  /** Coverage pick without labels (default "medoid"). */
  method?: CoverageMethod;
  /** Principal components of the distance space (default SUGGEST_DIMS). */
  dims?: number;
  /** Seed of the clustering (default 0). */
  seed?: number;
  encoder: EncoderSettings;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

/** One suggestion, most useful first. */
export interface Suggestion {
  rank: number;
  file: string;
  reason: string;
  score: number | null;
}

/**
 * Suggest `budget` images to label first.
 * @throws UsageError when the pool is empty once labelled images are removed, or smaller than `budget`
 */
export async function suggestImages(o: SuggestImagesOptions): Promise<Suggestion[]> {
  const log = o.log ?? ((l: string) => console.error(l));
  const seed = o.seed ?? 0, method = o.method ?? "medoid";
  let pool = listUnlabelledImages(path.resolve(o.data), "--data");
  const lab = o.labelled ? listClassFolder(path.resolve(o.labelled)) : null;
  if (lab) {
    const known = new Set<string>();
    for (const f of lab.files) known.add(await sha256File(f));
    const kept: string[] = [];
    for (const f of pool) if (!known.has(await sha256File(f))) kept.push(f);
    pool = kept;
    if (pool.length === 0) throw new UsageError(`--data holds no image that is not already in --labelled`);
  }
  if (o.budget > pool.length) throw new UsageError(`--budget ${o.budget} is larger than the ${pool.length} unlabelled images in --data; ask for at most ${pool.length}`);
  const backend = await initBackend();
  log(`suggest: ${pool.length} unlabelled images${lab ? `, ${lab.files.length} labelled (${lab.classes.join(", ")})` : ""}; budget ${o.budget}; ` +
    `${lab ? "active-learning round" : `coverage pick ${method}`}; ${describeSettings(o.encoder)}; backend ${backend.name}`);
  const files = lab ? [...pool, ...lab.files] : pool;
  const X = await featuresOf(o.encoder, files, seed);
  const rows = Array.from({ length: pool.length }, (_, i) => i);
  const labelled = lab ? { rows: lab.files.map((_, i) => pool.length + i), labels: lab.labels } : undefined;
  const picks = suggestRows(X, rows, o.budget, { seed, method, dims: o.dims, labelled, K: lab?.classes.length, classNames: lab?.classes });
  return picks.map((p, i) => ({ rank: i + 1, file: files[p.row], reason: p.reason, score: p.score ?? null }));
}
