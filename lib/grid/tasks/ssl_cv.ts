/**
 * Grid task "ssl-cv": the paper's hyperparameter study cell (ESI). Pretrain an encoder with the cell's
 * SSL settings, extract frozen features, and score them by stratified k-fold cross-validation of the
 * linear probe on the training part of each split (paper: 4 folds on the 320 training images,
 * 5 split seeds, all labels). One result row per (split, fold).
 *
 * Stages are cached separately (lib/grid/cache): the encoder by its pretraining config and data, the
 * features by the encoder checkpoint and image size, so a grid that only changes probe settings
 * never retrains an encoder.
 */
import * as path from "path";
import { ensureDataset, listClassFolder } from "../../data/index";
import { runPretrain } from "../../ssl/run";
import { pretrainConfigFor, type PretrainConfig, type SslMethod } from "../../ssl/config";
import { loadEncoder } from "../../models/load";
import { extractFeatures } from "../../probe/features";
import { fitLinearProbe, predictLabels, type ProbeConfig } from "../../probe/linear_probe";
import type { FeatureMatrix } from "../../linalg/matrix";
import { stratifiedSplit, carveValidation } from "../../stats/splits";
import { stratifiedKFold } from "../../stats/kfold";
import { median } from "../../stats/quantiles";
import { profileName, type ProfileName } from "../../config/index";
import { cachedDir, cachedJson } from "../../util/stage_cache";
import type { TaskFn } from "../task_types";

/** Config of one ssl-cv cell (a grid's `base` plus its axes). */
export interface SslCvConfig {
  /** SSL method. */
  method: SslMethod;
  /** Synthetic data kind from `ensureDataset` (default "nanowire"), or a folder-per-class path in `dataDir`. */
  data?: "nanowire" | "nanoparticle";
  dataDir?: string;
  /** Profile whose configs/pretrain.json section is the starting point (default: NANOMORPH_PROFILE). */
  profile?: ProfileName;
  /** Pretraining overrides on top of the profile (batchSize, projection, augment.crop, imageSize, epochs …). */
  pretrain?: Partial<PretrainConfig>;
  /** Encoder seed (paper: 42–46). Default 42. */
  seed?: number;
  /** Folds (default 4), split seeds (default [42]), test fraction of the outer split (default 0.2). */
  cv?: { folds?: number; splitSeeds?: number[]; testFraction?: number };
  /** Linear-probe settings (default: the paper's; early stopping on a validation part carved from the training folds). */
  probe?: ProbeConfig;
}

export const sslCvTask: TaskFn = async (raw, ctx) => {
  const c = raw as unknown as SslCvConfig;
  const profile = c.profile ?? profileName();
  const seed = c.seed ?? 42;
  const dataDir = c.dataDir ?? await ensureDataset(c.data ?? "nanowire", { profile });
  const cfg = pretrainConfigFor(profile, { ...(c.pretrain ?? {}), method: c.method, seed });
  const folder = listClassFolder(dataDir);

  const enc = await cachedDir("ssl-encoder", { cfg, data: path.resolve(dataDir) }, async (dir) => {
    ctx.log(`pretraining ${cfg.method} (${cfg.encoder}, batch ${cfg.batchSize}, projection ${cfg.projection.join("-")}, crop ${cfg.augment.crop ?? "random"}, ${cfg.imageSize}px, ${cfg.epochs} epochs)`);
    const r = await runPretrain({ method: c.method, out: dir, data: dataDir, profile, overrides: { ...(c.pretrain ?? {}), seed } });
    r.encoder.dispose();
    r.head.dispose();
  });

  const folds = c.cv?.folds ?? 4;
  const splitSeeds = c.cv?.splitSeeds ?? [42];
  const scores = await cachedJson("ssl-cv-scores", { encoder: enc.key, files: folder.files, size: cfg.imageSize, folds, splitSeeds, testFraction: c.cv?.testFraction ?? 0.2, probe: c.probe ?? {} }, async () => {
    const encoder = await loadEncoder(enc.value);
    let X: FeatureMatrix;
    try {
      X = (await extractFeatures(encoder, folder.files, { size: cfg.imageSize, label: `features ${ctx.id.slice(0, 8)}` })).X;
    } finally {
      encoder.dispose();
    }
    const numClasses = folder.classes.length;
    const rows: { split: number; fold: number; accuracy: number }[] = [];
    for (const splitSeed of splitSeeds) {
      const { train } = stratifiedSplit(folder.labels, splitSeed, c.cv?.testFraction ?? 0.2);
      stratifiedKFold(folder.labels, train, folds, splitSeed).forEach((test, f) => {
        const inTest = new Set(test);
        const labelled = train.filter((i) => !inTest.has(i));
        const { fit, val } = carveValidation(folder.labels, labelled, splitSeed * 100 + f);
        const model = fitLinearProbe({ X, labels: folder.labels, numClasses, train: fit, val }, { tieBreakOnLoss: true, ...(c.probe ?? {}), seed: seed * 1000 + splitSeed * 10 + f });
        const pred = predictLabels(model, X, test);
        let correct = 0;
        test.forEach((i, k) => { if (pred[k] === folder.labels[i]) correct++; });
        rows.push({ split: splitSeed, fold: f, accuracy: correct / test.length });
      });
    }
    return rows;
  });
  return { median: median(scores.value.map((r) => r.accuracy)), encoderKey: enc.key, encoderCached: enc.hit, rows: scores.value };
};
