/**
 * Keras HDF5 weights (`model.save("x.h5")` / `model.save_weights("x.h5")`, TF2 "legacy h5" layout)
 * through h5wasm: import the authors' released encoders by layer name, and export a store in the same
 * layout (so a model round-trips and Keras/h5py can read our weights).
 *
 * Layout (tf.keras `hdf5_format.save_weights_to_hdf5_group`): optional root group `model_weights`;
 * attribute `layer_names`; one group per layer with attribute `weight_names` (e.g. `conv1_conv/kernel:0`)
 * and a dataset at `<layer>/<weight name>`, i.e. `conv1_conv/conv1_conv/kernel:0`. A nested model (the
 * encoder inside an SSL model) is one layer group (e.g. `resnet50`) holding its sublayers' weights.
 * Weights are matched by the last two path components without `:0` (`conv1_conv/kernel`).
 * Porting note: Keras 3 `.weights.h5` files (`layers/<name>/vars/0`) are not supported.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type * as H5 from "h5wasm";
import { assertHdf5 } from "./h5_check";
import { h5wasmModule } from "../data/formats/h5";
import { ParamStore } from "../nn/params";
import { ARCHS } from "./resnet_arch";
import { initResNet, resnetWeightNames } from "./resnet";
import { ResNetEncoder } from "./encoder";
import type { LoadEncoderOptions } from "./load_options";

/** The h5wasm module, ready to use (one loader for the whole project: lib/data/formats/h5.ts). */
export const h5wasm = h5wasmModule;

/** One weight read from an .h5 file. */
export interface H5Weight {
  /** Full HDF5 path, e.g. `/model_weights/resnet50/conv1_conv/kernel:0`. */
  path: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Read every float dataset of a Keras .h5 file, keyed by `<layer>/<param>` (e.g. `conv1_conv/kernel`).
 * When two datasets share a key, the key maps to the first and `duplicates` lists the others.
 * @throws naming the file when it is missing or not HDF5
 */
export async function readKerasH5(file: string): Promise<{ weights: Map<string, H5Weight>; duplicates: string[] }> {
  if (!fs.existsSync(file)) throw new Error(`readKerasH5: ${file} does not exist`);
  // h5wasm does not throw on a bad file (it prints HDF5 diagnostics): check the header ourselves.
  assertHdf5(file, "readKerasH5");
  const h = await h5wasm();
  let f: H5.File;
  try {
    f = new h.File(path.resolve(file), "r");
  } catch (e) {
    throw new Error(`readKerasH5: cannot open ${file} as HDF5 (${(e as Error).message})`);
  }
  const weights = new Map<string, H5Weight>();
  const duplicates: string[] = [];
  try {
    const walk = (g: H5.Group, prefix: string): void => {
      for (const k of g.keys()) {
        const child = g.get(k);
        const p = `${prefix}/${k}`;
        if (child instanceof h.Group) walk(child, p);
        else if (child instanceof h.Dataset) {
          const value = child.value;
          if (!(value instanceof Float32Array || value instanceof Float64Array)) continue;
          const parts = p.split("/").filter(Boolean);
          if (parts.length < 2) continue;
          const key = `${parts[parts.length - 2]}/${parts[parts.length - 1].replace(/:\d+$/, "")}`;
          if (weights.has(key)) { duplicates.push(p); continue; }
          weights.set(key, { path: p, shape: child.shape ?? [], data: value instanceof Float32Array ? value : Float32Array.from(value) });
        }
      }
    };
    walk(f, "");
  } finally {
    f.close();
  }
  return { weights, duplicates };
}

/**
 * Copy matching weights from a read .h5 into `store`. Returns the names placed.
 * @throws when a store weight is missing (with `requireAll`, default true) or has another shape
 */
export function assignFromH5(store: ParamStore, weights: Map<string, H5Weight>, source: string, requireAll = true): string[] {
  const placed: string[] = [];
  const missing: string[] = [];
  for (const name of store.names()) {
    const w = weights.get(name);
    if (!w) { missing.push(name); continue; }
    const t = tf.tensor(w.data, w.shape);
    try {
      store.assign(name, t);
    } catch (e) {
      throw new Error(`assignFromH5: ${source} ${w.path}: ${(e as Error).message}`);
    } finally {
      t.dispose();
    }
    placed.push(name);
  }
  if (requireAll && missing.length) {
    throw new Error(`assignFromH5: ${source} lacks ${missing.length} of ${store.names().length} weights (e.g. '${missing[0]}')`);
  }
  return placed;
}

/**
 * Load a Keras ResNet encoder from an .h5 file. The architecture is the first of resnet50, resnet18,
 * resnet8 whose every weight name is in the file (BN moving statistics included).
 * @throws when no architecture matches
 */
export async function loadEncoderFromH5(file: string, opts: LoadEncoderOptions = {}): Promise<ResNetEncoder> {
  const { weights } = await readKerasH5(file);
  for (const arch of [ARCHS.resnet50, ARCHS.resnet18, ARCHS.resnet8]) {
    if (resnetWeightNames(arch).every((n) => weights.has(n))) {
      const store = initResNet(arch, opts.seed ?? 0);
      try {
        assignFromH5(store, weights, file);
      } catch (e) {
        store.dispose();
        throw e;
      }
      return new ResNetEncoder(arch, store, {
        name: path.basename(file).replace(/\.(h5|hdf5)$/i, ""), preprocess: opts.preprocess,
        inputSize: opts.inputSize ?? (arch.name === "resnet8" ? 64 : 224),
      });
    }
  }
  const sample = [...weights.keys()].slice(0, 5).join(", ");
  throw new Error(`loadEncoderFromH5: ${file} holds no complete ResNet50/18/8 (weights found: ${weights.size}, e.g. ${sample})`);
}

/** Options of {@link saveKerasH5}. */
export interface SaveKerasH5Options {
  /** Put everything under `model_weights` (as `model.save`) instead of the root (as `save_weights`). Default false. */
  modelWeightsGroup?: boolean;
  /** Nest the layers inside one model layer of this name (e.g. "resnet50"), as a nested Keras model is saved. */
  nestedModel?: string;
}

/** Write `store` as a Keras .h5 weights file (layout in the module doc). Overwrites `file`. */
export async function saveKerasH5(store: ParamStore, file: string, opts: SaveKerasH5Options = {}): Promise<void> {
  const h = await h5wasm();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const f = new h.File(path.resolve(file), "w");
  try {
    let root: H5.Group = f;
    if (opts.modelWeightsGroup) root = f.create_group("model_weights");
    const layers = new Map<string, string[]>();
    for (const name of store.names()) {
      const [layer, param] = name.split("/");
      if (!layers.has(layer)) layers.set(layer, []);
      layers.get(layer)!.push(param);
    }
    root.create_attribute("backend", "tensorflow");
    root.create_attribute("keras_version", "2.8.0");
    const writeLayers = (g: H5.Group): string[] => {
      const weightNames: string[] = [];
      for (const [layer, params] of layers) {
        const lg = opts.nestedModel ? g : g.create_group(layer);
        const inner = lg.create_group(layer);
        const names = params.map((p) => `${layer}/${p}:0`);
        if (!opts.nestedModel) lg.create_attribute("weight_names", names);
        weightNames.push(...names);
        for (const p of params) {
          const v = store.get(`${layer}/${p}`);
          inner.create_dataset({ name: `${p}:0`, data: v.dataSync() as Float32Array, shape: v.shape.slice(), dtype: "<f" });
        }
      }
      return weightNames;
    };
    if (opts.nestedModel) {
      const mg = root.create_group(opts.nestedModel);
      const names = writeLayers(mg);
      mg.create_attribute("weight_names", names);
      root.create_attribute("layer_names", [opts.nestedModel]);
    } else {
      writeLayers(root);
      root.create_attribute("layer_names", [...layers.keys()]);
    }
  } finally {
    f.close();
  }
}
