/**
 * The paper's hyperparameter study (ESI) as grids: for each SSL method and each axis (SSL batch size,
 * last projection size, crop method, input resolution), one grid varying that axis around a base
 * setting, every cell scored by k-fold CV of the linear probe ("ssl-cv" task). Settings per profile
 * come from configs/hyperparameters.json. The base point appears in every axis's grid with the same
 * config, so its encoder and scores are computed once (stage cache).
 */
import { loadConfig, profileName, type ProfileName } from "../config/index";
import type { GridSpec } from "./spec";
import { runGrid, gridRecords, type RunOptions } from "./runner";
import { collectRows, type Row } from "./collect";
import { median } from "../stats/quantiles";
import type { SslMethod } from "../ssl/config";
import type { CropMode } from "../ssl/augment";

/** The four axes of the paper's study. */
export type HyperAxis = "batchSize" | "lastProjection" | "crop" | "imageSize";
export const HYPER_AXES: readonly HyperAxis[] = ["batchSize", "lastProjection", "crop", "imageSize"];

/** configs/hyperparameters.json, resolved for one profile. */
export interface HyperConfig {
  methods: SslMethod[];
  base: { batchSize: number; projection: number[]; crop: CropMode; imageSize: number };
  axes: { batchSize: number[]; lastProjection: number[]; crop: CropMode[]; imageSize: number[] };
  /** Starting encoder for pretraining (loadEncoder spec; paper: "imagenet", the ImageNet-initialised ResNet50). */
  encoder: string;
  /** SSL epochs per encoder. */
  epochs: number;
  encoderSeeds: number[];
  splitSeeds: number[];
  folds: number;
}

/** One row of the study's table: a (method, axis, setting) cell's fold accuracy. */
export interface HyperRow {
  method: string;
  axis: HyperAxis;
  setting: string;
  seed: number;
  split: number;
  fold: number;
  accuracy: number;
}

const AXIS_PATH: Record<HyperAxis, string> = {
  batchSize: "pretrain.batchSize",
  lastProjection: "pretrain.projection",
  crop: "pretrain.augment.crop",
  imageSize: "pretrain.imageSize",
};

/** The study's grids for a profile: one per (method, axis). */
export function hyperparameterGrids(profile: ProfileName = profileName(), cfg: HyperConfig = loadConfig<HyperConfig>("hyperparameters", profile)): GridSpec[] {
  const grids: GridSpec[] = [];
  for (const method of cfg.methods) {
    const base = {
      method,
      profile,
      pretrain: {
        encoder: cfg.encoder,
        batchSize: cfg.base.batchSize,
        projection: cfg.base.projection,
        augment: { crop: cfg.base.crop },
        imageSize: cfg.base.imageSize,
        epochs: cfg.epochs,
      },
      cv: { folds: cfg.folds, splitSeeds: cfg.splitSeeds },
    };
    for (const axis of HYPER_AXES) {
      const values = axis === "lastProjection"
        ? cfg.axes.lastProjection.map((p) => [...cfg.base.projection.slice(0, -1), p])
        : (cfg.axes[axis] as unknown[]);
      grids.push({ name: `hyper-${profile}-${method}-${axis}`, task: "ssl-cv", base, axes: { [AXIS_PATH[axis]]: values }, seeds: cfg.encoderSeeds });
    }
  }
  return grids;
}

function settingLabel(axis: HyperAxis, v: unknown): string {
  if (axis === "lastProjection") return String((JSON.parse(String(v)) as number[]).slice(-1)[0]);
  return String(v);
}

/**
 * Run (or resume) every grid of the study in this process and return the table. Cells already
 * finished are read back, not recomputed.
 */
export async function runHyperparameterStudy(grids: GridSpec[], opts: RunOptions = {}): Promise<HyperRow[]> {
  const out: HyperRow[] = [];
  for (const g of grids) {
    const s = await runGrid(g, opts);
    if (s.failed.length) throw new Error(`grid ${g.name}: ${s.failed.length} cell(s) failed: ${s.failed[0].message}`);
    const axis = g.name.split("-").pop() as HyperAxis;
    const method = (g.base as { method: string }).method;
    for (const r of collectRows(gridRecords(g, opts.resultsRoot)) as Row[]) {
      out.push({
        method, axis, setting: settingLabel(axis, r[AXIS_PATH[axis]]),
        seed: Number(r.seed), split: Number(r.split), fold: Number(r.fold), accuracy: Number(r.accuracy),
      });
    }
  }
  return out;
}

/** Median accuracy per method and setting of one axis: {method: {setting: median}}. */
export function hyperMedians(rows: HyperRow[], axis: HyperAxis): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const groups = new Map<string, number[]>();
  for (const r of rows.filter((r) => r.axis === axis)) {
    const k = `${r.method}\u0000${r.setting}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r.accuracy);
  }
  for (const [k, xs] of groups) {
    const [method, setting] = k.split("\u0000");
    (out[method] ??= {})[setting] = median(xs);
  }
  return out;
}
