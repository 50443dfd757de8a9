/**
 * Checkpoints: a directory with `manifest.json` (architecture, step, epoch, trainer state, tensor index)
 * and one binary file of little-endian float32 weights. Writes are atomic: the binary file gets a new
 * name per save and the manifest, written last with an atomic rename, is the commit point; a crash
 * mid-save leaves the previous checkpoint readable.
 *
 * A pretraining run directory holds `checkpoints/epoch-NNNN/` snapshots and `latest.json` naming the
 * newest; {@link resolveCheckpointDir} follows it, so a run directory can be passed wherever a
 * checkpoint is expected.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { readJson } from "../util/fsx";
import { ParamStore } from "../nn/params";
import { writeWeightsFolder, readWeights, restoreWeights, type WeightTensor, type WeightValues } from "../nn/weights_file";
import { ARCHS } from "./resnet_arch";
import { initResNet } from "./resnet";
import { ResNetEncoder } from "./encoder";
import type { PreprocessMode } from "./preprocess";
import type { LoadEncoderOptions } from "./load_options";

/** Format tag written in every manifest. */
export const CHECKPOINT_FORMAT = "nanomorph-checkpoint";

/** One tensor in the weights file (groups "encoder", "head", "optimizer", …). */
export type CheckpointTensor = WeightTensor;

/** What an encoder needs to be rebuilt. */
export interface EncoderDescription {
  /** Architecture key in `ARCHS` (resnet50, resnet18, resnet8). */
  arch: string;
  /** Name the encoder reports (e.g. "imagenet", "resnet8"). */
  name: string;
  preprocess: PreprocessMode;
  inputSize: number;
}

/** Contents of `manifest.json`. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  createdAt: string;
  /** Optimiser steps done. */
  step: number;
  /** Epochs done. */
  epoch: number;
  encoder: EncoderDescription;
  /** Binary file name, relative to the checkpoint directory. */
  weightsFile: string;
  /** sha256 of the weights file (hex). */
  sha256: string;
  tensors: CheckpointTensor[];
  /** Free JSON state of the trainer (config, loss history, head config, …). */
  state: Record<string, unknown>;
}

/** Input of {@link saveCheckpoint}. */
export interface CheckpointContents {
  step: number;
  epoch: number;
  encoder: EncoderDescription;
  /** Named weight stores, e.g. { encoder: enc.params, head: head.params, optimizer: sgd.state }. */
  groups: Record<string, ParamStore>;
  state?: Record<string, unknown>;
}

/** Describe a ResNet encoder for a manifest. */
export function describeEncoder(enc: ResNetEncoder): EncoderDescription {
  return { arch: enc.arch.name, name: enc.name, preprocess: enc.preprocessMode, inputSize: enc.inputSize };
}

/**
 * Write a checkpoint into `dir` (created if needed). Older weight files in `dir` are removed after the
 * new manifest is in place.
 */
export function saveCheckpoint(dir: string, c: CheckpointContents): CheckpointManifest {
  // A random suffix per save: two saves of one step never share a file name.
  return writeWeightsFolder(dir, c.groups, () => `weights-${String(c.step).padStart(8, "0")}-${crypto.randomBytes(3).toString("hex")}.bin`, (index): CheckpointManifest => ({
    format: CHECKPOINT_FORMAT, version: 1, createdAt: new Date().toISOString(),
    step: c.step, epoch: c.epoch, encoder: c.encoder, ...index, state: c.state ?? {},
  }));
}

/** A checkpoint read back: the manifest and every tensor's values. */
export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  /** Values by `${group}/${name}`. */
  values: WeightValues;
}

/**
 * If `dir` is a run directory (has `latest.json`), return the checkpoint it names; otherwise `dir`.
 * @throws when neither `manifest.json` nor `latest.json` is there
 */
export function resolveCheckpointDir(dir: string): string {
  if (fs.existsSync(path.join(dir, "manifest.json"))) return dir;
  const latest = path.join(dir, "latest.json");
  if (fs.existsSync(latest)) {
    const { checkpoint } = readJson<{ checkpoint: string }>(latest);
    return path.resolve(dir, checkpoint);
  }
  throw new Error(`resolveCheckpointDir: ${dir} has neither manifest.json (a checkpoint) nor latest.json (a pretraining run)`);
}

/**
 * Read a checkpoint (or a run directory's latest one), verifying the format and the weights' sha256.
 * @throws naming the file when it is missing, of another format, truncated or corrupt
 */
export function readCheckpoint(dirOrRun: string): LoadedCheckpoint {
  const dir = resolveCheckpointDir(dirOrRun);
  const mfile = path.join(dir, "manifest.json");
  const manifest = readJson<CheckpointManifest>(mfile);
  if (manifest.format !== CHECKPOINT_FORMAT) throw new Error(`${mfile}: format is '${manifest.format}', expected '${CHECKPOINT_FORMAT}'`);
  const values = readWeights(dir, manifest, "checkpoint corrupt");
  return { dir, manifest, values };
}

/**
 * Assign every weight of `store` from group `group` of a loaded checkpoint.
 * @throws when a weight is missing or has another shape, or (with `strict`, default) the checkpoint group has extra weights
 */
export function restoreGroup(ckpt: LoadedCheckpoint, group: string, store: ParamStore, strict = true): void {
  restoreWeights(ckpt.values, group, store, ckpt.dir, strict);
}

/** Rebuild the encoder stored in a checkpoint directory or run directory. */
export async function loadEncoderFromCheckpoint(dir: string, opts: LoadEncoderOptions = {}): Promise<ResNetEncoder> {
  return encoderFromCheckpoint(readCheckpoint(dir), opts);
}

/**
 * Rebuild the encoder of an already read checkpoint (group "encoder"). Caller disposes it.
 * @throws naming the checkpoint for an unknown architecture, a missing weight or a shape mismatch (naming the weight)
 */
export function encoderFromCheckpoint(ckpt: LoadedCheckpoint, opts: LoadEncoderOptions = {}): ResNetEncoder {
  const d = ckpt.manifest.encoder;
  const arch = ARCHS[d.arch];
  if (!arch) throw new Error(`loadEncoderFromCheckpoint: ${ckpt.dir} names unknown architecture '${d.arch}'`);
  const store = initResNet(arch, opts.seed ?? 0);
  try {
    restoreGroup(ckpt, "encoder", store);
  } catch (e) {
    store.dispose();
    throw e;
  }
  return new ResNetEncoder(arch, store, {
    name: d.name, preprocess: opts.preprocess ?? d.preprocess, inputSize: opts.inputSize ?? d.inputSize,
  });
}
