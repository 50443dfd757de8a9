/**
 * Weights on disk, shared by encoder checkpoints (lib/models/checkpoint.ts) and particle models
 * (lib/particle_model/model_file.ts): a folder holds one little-endian float32 `weights-*.bin` with every
 * tensor of some named {@link ParamStore} groups back to back, and a `manifest.json` that indexes them
 * (group, name, shape, offset in float32 elements) and records the file's sha256. The weights go first,
 * the manifest last by atomic rename (the commit point: a crash mid-save leaves the previous save
 * readable), then older weight files are removed.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic, writeJsonAtomic } from "../util/fsx";
import type { ParamStore } from "./params";

/** One tensor in a weights file: its group ("encoder", "net", "adam", …), name, shape and offset in float32 elements. */
export interface WeightTensor { group: string; name: string; shape: number[]; offset: number }

/** What a manifest records about its weights file. */
export interface WeightsIndex { weightsFile: string; sha256: string; tensors: WeightTensor[] }

/** Tensor values read back, by `group/name`. */
export type WeightValues = Map<string, { shape: number[]; data: Float32Array }>;

/**
 * Write the groups' tensors and then the manifest `makeManifest(index)` into `dir` (created if needed).
 * `fileName(sha256)` names the weights file (it must match `weights-*.bin`).
 * @returns the manifest written
 */
export function writeWeightsFolder<M extends object>(dir: string, groups: Record<string, ParamStore>, fileName: (sha256: string) => string, makeManifest: (index: WeightsIndex) => M): M {
  const tensors: WeightTensor[] = [];
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
  const weightsFile = fileName(sha256);
  if (!/^weights-.*\.bin$/.test(weightsFile)) throw new Error(`writeWeightsFolder: weights file name '${weightsFile}' must match weights-*.bin`);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, weightsFile), bytes);
  const manifest = makeManifest({ weightsFile, sha256, tensors });
  writeJsonAtomic(path.join(dir, "manifest.json"), manifest);
  for (const f of fs.readdirSync(dir)) if (/^weights-.*\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
  return manifest;
}

/**
 * Read the weights file a manifest indexes and check it.
 * @param corrupt what to tell the user when the sha256 differs (e.g. "the model is corrupt (train it again)")
 * @throws naming the file when it is missing, its sha256 differs from the manifest's, or a tensor runs past its end
 */
export function readWeights(dir: string, index: WeightsIndex, corrupt: string): WeightValues {
  const wfile = path.join(dir, index.weightsFile);
  if (!fs.existsSync(wfile)) throw new Error(`${wfile} is missing (the manifest names it); the folder is incomplete`);
  const buf = fs.readFileSync(wfile);
  const sha = crypto.createHash("sha256").update(buf).digest("hex");
  if (sha !== index.sha256) throw new Error(`${wfile}: sha256 ${sha} does not match the manifest's ${index.sha256}; ${corrupt}`);
  const all = new Float32Array(Math.floor(buf.length / 4));
  new Uint8Array(all.buffer).set(buf.subarray(0, all.length * 4));
  const values: WeightValues = new Map();
  for (const t of index.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + n > all.length) throw new Error(`${wfile}: tensor ${t.group}/${t.name} runs past the end of the file`);
    values.set(`${t.group}/${t.name}`, { shape: t.shape, data: all.subarray(t.offset, t.offset + n) });
  }
  return values;
}

/**
 * Assign every weight of `store` from `group` of read values.
 * @param strict also refuse values of the group that the store lacks
 * @throws naming `dir` and the weight when one is missing or (strict) extra; tf throws on a shape mismatch
 */
export function restoreWeights(values: WeightValues, group: string, store: ParamStore, dir: string, strict: boolean): void {
  const prefix = `${group}/`;
  const names = new Set(store.names());
  for (const name of names) {
    const v = values.get(prefix + name);
    if (!v) throw new Error(`${dir}: no weight '${group}/${name}' (saved by another architecture?)`);
    const t = tf.tensor(v.data, v.shape);
    try { store.assign(name, t); } finally { t.dispose(); }
  }
  if (strict) {
    const extra = [...values.keys()].filter((k) => k.startsWith(prefix) && !names.has(k.slice(prefix.length)));
    if (extra.length) throw new Error(`${dir}: group '${group}' has ${extra.length} weights the model lacks (e.g. '${extra[0]}')`);
  }
}
