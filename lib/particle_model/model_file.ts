/**
 * Particle model files: a folder with `manifest.json` and one little-endian float32 `weights-*.bin`
 * whose sha256 the manifest records and the loader checks. The manifest names the architecture, how
 * outputs become instances (`decode`), and free provenance (`training`: command, data, split, code
 * commit; `metrics`). The same writer keeps training checkpoints (`checkpoint/` inside a training
 * run's folder), which add the optimiser moments (group "adam") and the step count.
 */
import * as fs from "fs";
import * as path from "path";
import { readJson } from "../util/fsx";
import type { ParamStore } from "../nn/params";
import { writeWeightsFolder, readWeights, restoreWeights, type WeightTensor, type WeightValues } from "../nn/weights_file";
import { ParticleNet, type ParticleNetArch } from "./net";
import type { DecodeOptions } from "./decode";

/** Format tag of every particle model manifest. */
export const PARTICLE_MODEL_FORMAT = "nanomorph-particle-model";
/** Highest manifest version this code reads. */
export const PARTICLE_MODEL_VERSION = 1;

/** One tensor in the weights file (groups "net", "adam"). */
export type ModelTensor = WeightTensor;

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
  return writeWeightsFolder(dir, groups, (sha) => `weights-${sha.slice(0, 12)}.bin`, (index): ParticleModelManifest => ({
    format: PARTICLE_MODEL_FORMAT, version: PARTICLE_MODEL_VERSION, createdAt: new Date().toISOString(), ...meta, ...index,
  }));
}

/** A model folder read back and verified: manifest and tensor values by `group/name`. */
export interface ModelFolder {
  dir: string;
  manifest: ParticleModelManifest;
  values: WeightValues;
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
  return { dir, manifest, values: readWeights(dir, manifest, "the model is corrupt (download or train it again)") };
}

/** Assign every weight of `store` from `group` of a read folder. Throws naming a missing weight or a shape mismatch. */
export function restoreStore(folder: ModelFolder, group: string, store: ParamStore): void {
  restoreWeights(folder.values, group, store, folder.dir, false);
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
