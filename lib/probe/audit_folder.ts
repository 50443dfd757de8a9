/**
 * Which labels of a folder-per-class set look wrong (`nanomorph audit`): out-of-fold confident
 * learning (audit.ts) on cached frozen-encoder features.
 */
import * as path from "path";
import { initBackend } from "../backend/index";
import { listClassFolder } from "../data/folders";
import { auditLabels } from "./audit";
import { describeSettings, featuresOf, type EncoderSettings } from "./encoder_settings";
import { UsageError } from "../util/errors";

/** Options of {@link auditFolder}. */
export interface AuditFolderOptions {
  /** Folder-per-class images (every class ≥ 2 images, ≥ 2 classes). */
  data: string;
  /** Out-of-fold folds (default 5; at most the smallest class count). */
  folds?: number;
  /** Seed of the folds (default 0). */
  seed?: number;
  encoder: EncoderSettings;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

/** One audited image; `score` = out-of-fold probability of the given label. */
export interface AuditedImage {
  file: string;
  label: string;
  suggested: string;
  score: number;
  flagged: boolean;
}

/**
 * Audit every image's label, most suspicious first.
 * @throws UsageError for a set with one class or a class of one image
 */
export async function auditFolder(o: AuditFolderOptions): Promise<AuditedImage[]> {
  const log = o.log ?? ((l: string) => console.error(l));
  const folds = o.folds ?? 5, seed = o.seed ?? 0;
  const set = listClassFolder(path.resolve(o.data));
  if (set.classes.length < 2) throw new UsageError(`--data ${o.data} has one class folder (${set.classes[0]}); an audit needs at least 2`);
  set.classes.forEach((c, k) => {
    if (set.labels.filter((y) => y === k).length < 2) throw new UsageError(`--data: class folder '${c}' holds one image; every class needs at least 2 for out-of-fold predictions`);
  });
  const backend = await initBackend();
  log(`audit: ${set.files.length} images, ${set.classes.length} classes (${set.classes.join(", ")}); ${folds} folds; ${describeSettings(o.encoder)}; backend ${backend.name}`);
  const X = await featuresOf(o.encoder, set.files, seed);
  const r = auditLabels(X, set.labels, set.classes.length, undefined, { folds, seed });
  return r.rows.map((q) => ({
    file: set.files[q.row], label: set.classes[q.label], suggested: set.classes[q.suggested], score: q.score, flagged: q.flagged,
  }));
}
