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
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic, writeJsonAtomic, readJson } from "../util/fsx";
import { ParamStore } from "../nn/params";
import { ARCHS } from "./resnet_arch";
import { initResNet } from "./resnet";
import { ResNetEncoder } from "./encoder";
import type { PreprocessMode } from "./preprocess";
import type { LoadEncoderOptions } from "./load_options";

/** Format tag written in every manifest. */
export const CHECKPOINT_FORMAT = "nanomorph-checkpoint";

/** One tensor in the weights file. */
export interface CheckpointTensor {
  /** Store the tensor belongs to: "encoder", "head", "optimizer", … */
  group: string;
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

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
  const tensors: CheckpointTensor[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [group, store] of Object.entries(c.groups)) {
    for (const [name, v] of store.entries()) {
      const data = v.dataSync() as Float32Array;
      tensors.push({ group, name, shape: v.shape.slice(), offset });
      chunks.push(data);
      offset += data.length;
    }
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const ch of chunks) { all.set(ch, o); o += ch.length; }
  const bytes = new Uint8Array(all.buffer);
  const weightsFile = `weights-${String(c.step).padStart(8, "0")}-${crypto.randomBytes(3).toString("hex")}.bin`;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, weightsFile), bytes);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT, version: 1, createdAt: new Date().toISOString(),
    step: c.step, epoch: c.epoch, encoder: c.encoder, weightsFile,
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    tensors, state: c.state ?? {},
  };
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  for (const f of fs.readdirSync(dir)) {
    if (/^weights-.*\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
  }
  return manifest;
}

/** A checkpoint read back: the manifest and every tensor's values. */
export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  /** Values by `${group}/${name}`. */
  values: Map<string, { shape: number[]; data: Float32Array }>;
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
  const wfile = path.join(dir, manifest.weightsFile);
  const buf = fs.readFileSync(wfile);
  const sha = crypto.createHash("sha256").update(buf).digest("hex");
  if (sha !== manifest.sha256) throw new Error(`${wfile}: sha256 ${sha} does not match the manifest (${manifest.sha256}); checkpoint corrupt`);
  const all = new Float32Array(buf.length / 4);
  new Uint8Array(all.buffer).set(buf);
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of manifest.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + n > all.length) throw new Error(`${wfile}: tensor ${t.group}/${t.name} runs past the end of the file`);
    values.set(`${t.group}/${t.name}`, { shape: t.shape, data: all.slice(t.offset, t.offset + n) });
  }
  return { dir, manifest, values };
}

/**
 * Assign every weight of `store` from group `group` of a loaded checkpoint.
 * @throws when a weight is missing or has another shape, or (with `strict`, default) the checkpoint group has extra weights
 */
export function restoreGroup(ckpt: LoadedCheckpoint, group: string, store: ParamStore, strict = true): void {
  const prefix = `${group}/`;
  const names = new Set(store.names());
  for (const name of names) {
    const v = ckpt.values.get(prefix + name);
    if (!v) throw new Error(`restoreGroup: ${ckpt.dir} has no tensor '${group}/${name}'`);
    const t = tf.tensor(v.data, v.shape);
    try { store.assign(name, t); } finally { t.dispose(); }
  }
  if (strict) {
    const extra = [...ckpt.values.keys()].filter((k) => k.startsWith(prefix) && !names.has(k.slice(prefix.length)));
    if (extra.length) throw new Error(`restoreGroup: ${ckpt.dir} group '${group}' has ${extra.length} weights the model lacks (e.g. '${extra[0]}')`);
  }
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
