/**
 * Pretraining configuration: one typed record, defaults = the paper's settings; `configs/pretrain.json`
 * holds the per-profile overrides (ci: resnet8 at 64 px, a few epochs; paper: the exact settings).
 */
import { loadConfig, type ProfileName } from "../config/index";
import type { AugmentConfig } from "./augment";
import type { CosineDecayConfig } from "./schedule";
import type { PreprocessMode } from "../models/preprocess";

/** SSL method. */
export type SslMethod = "simclr" | "barlow";
/** Loss variant: the paper's (SimCLR cross-view N×N, Barlow means λ=0.005) or the standard one (NT-Xent 2N, Barlow sums λ=5e-3). */
export type LossVariant = "paper" | "standard";

/** Everything a pretraining run depends on (part of the checkpoint; a resume must match it). */
export interface PretrainConfig {
  /** Default "barlow". */
  method: SslMethod;
  /** Default "paper". */
  loss: LossVariant;
  /** loadEncoder spec for the starting encoder (default "imagenet", the paper's ImageNet-initialised ResNet50). */
  encoder: string;
  /** Encoder input preprocessing (default "unit": [0,1] as the paper). */
  preprocess: PreprocessMode;
  /** Training image side in px (default 224). */
  imageSize: number;
  /** Default 64. */
  batchSize: number;
  /** Default 200. */
  epochs: number;
  /** Master seed (default 42; the paper used 42–46). */
  seed: number;
  /** Cosine decay (default lr 0.2 over 1000 steps, not spanning the run). */
  lr: CosineDecayConfig;
  /** SGD momentum (default 0, Keras SGD). */
  momentum: number;
  /** SimCLR temperature (default 0.1). */
  temperature: number;
  /** Barlow off-diagonal λ (default: 0.005 for "paper", 5e-3 for "standard"). */
  barlowLambda?: number;
  /** Projection head sizes (default [128, 64, 1024]). */
  projection: number[];
  /** Augmentations (defaults: the paper's; SimCLR-TEM used crop "none"). */
  augment: AugmentConfig;
  /** Checkpoint every K epochs (default 20), plus at the end. */
  checkpointEvery: number;
  /** Run the kNN monitor every K epochs (default 20; 0 disables). */
  monitorEvery: number;
  /** Neighbours of the kNN monitor (default 5). */
  monitorK: number;
}

/** Fill a partial config with the paper's defaults. Throws on invalid values, naming the field. */
export function resolvePretrainConfig(c: Partial<PretrainConfig> = {}): PretrainConfig {
  const r: PretrainConfig = {
    method: c.method ?? "barlow",
    loss: c.loss ?? "paper",
    encoder: c.encoder ?? "imagenet",
    preprocess: c.preprocess ?? "unit",
    imageSize: c.imageSize ?? 224,
    batchSize: c.batchSize ?? 64,
    epochs: c.epochs ?? 200,
    seed: c.seed ?? 42,
    lr: { initial: 0.2, decaySteps: 1000, alpha: 0, spanRun: false, ...(c.lr ?? {}) },
    momentum: c.momentum ?? 0,
    temperature: c.temperature ?? 0.1,
    barlowLambda: c.barlowLambda,
    projection: c.projection ?? [128, 64, 1024],
    augment: { ...(c.augment ?? {}) },
    checkpointEvery: c.checkpointEvery ?? 20,
    monitorEvery: c.monitorEvery ?? 20,
    monitorK: c.monitorK ?? 5,
  };
  if (r.method !== "simclr" && r.method !== "barlow") throw new Error(`pretrain config: method must be simclr or barlow, got '${r.method}'`);
  if (r.loss !== "paper" && r.loss !== "standard") throw new Error(`pretrain config: loss must be paper or standard, got '${r.loss}'`);
  for (const k of ["imageSize", "batchSize", "epochs", "checkpointEvery"] as const) {
    if (!(Number.isInteger(r[k]) && r[k] >= 1)) throw new Error(`pretrain config: ${k} must be a positive integer, got ${r[k]}`);
  }
  if (r.imageSize % 32 !== 0) throw new Error(`pretrain config: imageSize must be a multiple of 32 (ResNet stride), got ${r.imageSize}`);
  if (r.batchSize < 2) throw new Error(`pretrain config: batchSize must be >= 2 (contrastive and Barlow losses need pairs), got ${r.batchSize}`);
  return r;
}

/** The config of `configs/pretrain.json` for a profile, with a method (and other overrides) applied. */
export function pretrainConfigFor(profile: ProfileName, overrides: Partial<PretrainConfig> = {}): PretrainConfig {
  const base = loadConfig<Partial<PretrainConfig> & { methods?: Record<string, Partial<PretrainConfig>> }>("pretrain", profile);
  const method = overrides.method ?? base.method ?? "barlow";
  const { methods, ...rest } = base;
  return resolvePretrainConfig({ ...rest, ...(methods?.[method] ?? {}), ...overrides, method });
}
