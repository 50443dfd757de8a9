/**
 * Particle model files: a folder with `manifest.json` and one little-endian float32 `weights-*.bin`
 * whose sha256 the manifest records and the loader checks. The manifest names the architecture, how
 * outputs become instances (`decode`), and free provenance (`training`: command, data, split, code
 * commit; `metrics`). The same writer keeps training checkpoints (`checkpoint/` inside a training
 * run's folder), which add the optimiser moments (group "adam") and the step count.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic, writeJsonAtomic, readJson } from "../util/fsx";
import type { ParamStore } from "../nn/params";
import { ParticleNet, type ParticleNetArch } from "./net";
import type { DecodeOptions } from "./decode";

/** Format tag of every particle model manifest. */
export const PARTICLE_MODEL_FORMAT = "nanomorph-particle-model";
/** Highest manifest version this code reads. */
export const PARTICLE_MODEL_VERSION = 1;

/** One tensor in the weights file: its group ("net", "adam"), name, shape and offset in float32 elements. */
export interface ModelTensor { group: string; name: string; shape: number[]; offset: number }

/** Contents of a particle model's `manifest.json`. */
export interface ParticleModelManifest {
  format: typeof PARTICLE_MODEL_FORMAT;
  version: number;
  createdAt: string;
  arch: ParticleNetArch;
  /** How outputs become instances (defaults of `decodeInstances`). */
  decode: DecodeOptions;
  weightsFile: string;
  sha256: string;
  tensors: ModelTensor[];
  /** Optimiser steps done (checkpoints and finished models). */
  step: number;
  /** Provenance: command, data, split, code commit, options. Free JSON. */
  training: Record<string, unknown>;
  /** Measurements of this model (free JSON). */
  metrics?: Record<string, unknown>;
}

/** Write `groups` and the manifest into `dir` atomically (manifest last); older weight files are removed. */
export function writeModelFolder(dir: string, groups: Record<string, ParamStore>, meta: Omit<ParticleModelManifest, "format" | "version" | "createdAt" | "weightsFile" | "sha256" | "tensors">): ParticleModelManifest {
  const tensors: ModelTensor[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [group, store] of Object.entries(groups)) {
    for (const [name, v] of store.entries()) {
      const data = v.dataSync() as Float32Array;
      tensors.push({ group, name, shape: v.shape.slice(), offset });
      chunks.push(data);
      offset += data.length;
    }
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  const bytes = new Uint8Array(all.buffer);
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  const weightsFile = `weights-${sha256.slice(0, 12)}.bin`;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, weightsFile), bytes);
  const manifest: ParticleModelManifest = {
    format: PARTICLE_MODEL_FORMAT, version: PARTICLE_MODEL_VERSION, createdAt: new Date().toISOString(),
    ...meta, weightsFile, sha256, tensors,
  };
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  for (const f of fs.readdirSync(dir)) if (/^weights-.*\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
  return manifest;
}

/** A model folder read back and verified: manifest and tensor values by `group/name`. */
export interface ModelFolder {
  dir: string;
  manifest: ParticleModelManifest;
  values: Map<string, { shape: number[]; data: Float32Array }>;
}

/**
 * Read and verify a model folder. Throws naming the file when it is missing, of another format, of a
 * newer version ("update nanomorph"), or when the weights' sha256 differs from the manifest's (corrupt).
 */
export function readModelFolder(dir: string): ModelFolder {
  const mfile = path.join(dir, "manifest.json");
  if (!fs.existsSync(mfile)) throw new Error(`${dir} is not a particle model: it has no manifest.json (train one with \`nanomorph particles train\`)`);
  const manifest = readJson<ParticleModelManifest>(mfile);
  if (manifest.format !== PARTICLE_MODEL_FORMAT) throw new Error(`${mfile}: format is '${manifest.format}', expected '${PARTICLE_MODEL_FORMAT}'`);
  if (!(manifest.version <= PARTICLE_MODEL_VERSION)) throw new Error(`${mfile}: version ${manifest.version} is newer than this nanomorph reads (${PARTICLE_MODEL_VERSION}); update nanomorph`);
  const wfile = path.join(dir, manifest.weightsFile);
  if (!fs.existsSync(wfile)) throw new Error(`${wfile} is missing (the manifest names it); the model folder is incomplete`);
  const buf = fs.readFileSync(wfile);
  const sha = crypto.createHash("sha256").update(buf).digest("hex");
  if (sha !== manifest.sha256) throw new Error(`${wfile}: sha256 ${sha} does not match the manifest's ${manifest.sha256}; the model is corrupt (download or train it again)`);
  const all = new Float32Array(buf.length / 4);
  new Uint8Array(all.buffer).set(buf.subarray(0, all.length * 4));
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of manifest.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + n > all.length) throw new Error(`${wfile}: tensor ${t.group}/${t.name} runs past the end of the file`);
    values.set(`${t.group}/${t.name}`, { shape: t.shape, data: all.subarray(t.offset, t.offset + n) });
  }
  return { dir, manifest, values };
}

/** Assign every weight of `store` from `group` of a read folder. Throws naming a missing weight or a shape mismatch. */
export function restoreStore(folder: ModelFolder, group: string, store: ParamStore): void {
  for (const name of store.names()) {
    const v = folder.values.get(`${group}/${name}`);
    if (!v) throw new Error(`${folder.dir}: no weight '${group}/${name}' (a model of another architecture?)`);
    const t = tf.tensor(v.data, v.shape);
    try { store.assign(name, t); } finally { t.dispose(); }
  }
}

/** A loaded particle model: the network, its manifest and folder. Call `dispose()`. */
export interface ParticleModel {
  net: ParticleNet;
  manifest: ParticleModelManifest;
  /** The folder it came from ("bundled" models name their folder too). */
  dir: string;
  dispose(): void;
}

/** Build the network a read folder describes and load its weights. Throws like {@link readModelFolder}. */
export function modelFromFolder(folder: ModelFolder): ParticleModel {
  const net = new ParticleNet(folder.manifest.arch);
  try {
    restoreStore(folder, "net", net.params);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, manifest: folder.manifest, dir: folder.dir, dispose: () => net.dispose() };
}
