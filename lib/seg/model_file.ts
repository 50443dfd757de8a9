/**
 * A trained segmentation model on disk: what `nanomorph segment --out DIR` writes to `DIR/model/` and
 * `nanomorph particles --segment DIR` applies. The folder is a checkpoint (lib/models/checkpoint.ts:
 * `manifest.json` + one float32 weights file, sha256-checked) with two weight groups, `encoder` (the
 * full encoder, so the model is self-contained whatever the encoder spec was, frozen or fine-tuned) and
 * `decoder` (the U-Net decoder, `UNet.params` names), and `state` holding {@link SegmentModelState}:
 * the kind tag, its format version and every setting needed to apply the model as it was trained.
 * Because it is a checkpoint, `--encoder DIR/model` also works wherever an encoder is expected.
 *
 * Writes are atomic as a whole: the checkpoint is written into a temporary sibling folder, then
 * renamed over `model/` (an earlier model is moved aside first and removed after), so a reader sees
 * the old model or the new one, never a mix.
 */
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { saveCheckpoint, readCheckpoint, restoreGroup, encoderFromCheckpoint, describeEncoder, type CheckpointManifest } from "../models/checkpoint";
import { ResNetEncoder } from "../models/encoder";
import type { PreprocessMode } from "../models/preprocess";
import type { MaskRule } from "../data/masks";
import { initBackend } from "../backend/index";
import { UNet } from "./unet";
import type { FitMode } from "./pairs";

/** Tag in `state.kind` of a segment model's manifest. */
export const SEGMENT_MODEL_KIND = "nanomorph-segment-model";
/** Newest segment model format this build writes and reads. */
export const SEGMENT_MODEL_VERSION = 1;
/** Sub-folder of `segment --out` that holds the model. */
export const SEGMENT_MODEL_SUBDIR = "model";

/** Everything needed to apply a model as it was trained. */
export interface SegmentModelSettings {
  /** The --encoder spec it was trained from (information only: the weights are in the file). */
  encoderSpec: string;
  /** Encoder input preprocessing (also in the manifest's encoder description). */
  preprocess: PreprocessMode;
  /** Network input side, px (multiple of 32). */
  size: number;
  /** resize: whole image resized to size²; tile: size² tiles at native resolution, stitched. */
  fit: FitMode;
  /** Decoder filters, deepest first. */
  filters: number[];
  /** Transposed-convolution kernel size. */
  kernel: number;
  /** Decoder BN epsilon. */
  bnEpsilon: number;
  /** Probability at or above which a pixel is foreground. */
  threshold: number;
  /** Whether training masks were inverted (the model then predicts what the masks called background). */
  invert: boolean;
  /** Mask foreground rule used in training. */
  rule: MaskRule;
  /** Whether the encoder was fine-tuned. */
  trainEncoder: boolean;
}

/** `state` of a segment model's manifest. */
export interface SegmentModelState {
  kind: typeof SEGMENT_MODEL_KIND;
  version: number;
  settings: SegmentModelSettings;
  /** Free record of how it was trained (pairs, epochs, loss, …). */
  training: Record<string, unknown>;
}

/**
 * Write `net` (its encoder must be a ResNetEncoder) as `outDir/model/`, replacing an earlier model
 * there atomically. Returns the model folder.
 * @throws when the encoder cannot be saved or the folder cannot be written (the earlier model stays)
 */
export function saveSegmentModel(outDir: string, net: UNet, settings: SegmentModelSettings, training: Record<string, unknown> = {}): string {
  const enc = net.encoder;
  if (!(enc instanceof ResNetEncoder)) throw new Error(`saveSegmentModel: encoder '${enc.name}' is not a ResNet encoder with named weights; it cannot be saved`);
  const final = path.join(path.resolve(outDir), SEGMENT_MODEL_SUBDIR);
  const tag = `${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
  const tmp = path.join(path.dirname(final), `.${SEGMENT_MODEL_SUBDIR}-tmp-${tag}`);
  const old = path.join(path.dirname(final), `.${SEGMENT_MODEL_SUBDIR}-old-${tag}`);
  const state: SegmentModelState = { kind: SEGMENT_MODEL_KIND, version: SEGMENT_MODEL_VERSION, settings, training };
  try {
    saveCheckpoint(tmp, {
      step: Number(training.steps ?? 0), epoch: Number(training.epochs ?? 0), encoder: describeEncoder(enc),
      groups: { encoder: enc.params, decoder: net.params }, state: state as unknown as Record<string, unknown>,
    });
    if (fs.existsSync(final)) fs.renameSync(final, old);
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(final)) fs.renameSync(old, final);
    throw new Error(`could not write the segment model to ${final}: ${(e as Error).message}`);
  }
  fs.rmSync(old, { recursive: true, force: true });
  return final;
}

/**
 * The model folder for `dir`: `dir` itself when it holds `manifest.json`, else `dir/model/` (a
 * `segment --out` folder).
 * @throws naming the path and the fix when it is missing, not a folder, or holds no model
 */
export function resolveSegmentModelDir(dir: string): string {
  const abs = path.resolve(dir);
  const fix = "pass the --out folder of `nanomorph segment` (or its model/ sub-folder)";
  if (!fs.existsSync(abs)) throw new Error(`segment model ${abs} does not exist; ${fix}`);
  if (!fs.statSync(abs).isDirectory()) throw new Error(`segment model ${abs} is a file, not a folder; ${fix}`);
  if (fs.existsSync(path.join(abs, "manifest.json"))) return abs;
  const sub = path.join(abs, SEGMENT_MODEL_SUBDIR);
  if (fs.existsSync(path.join(sub, "manifest.json"))) return sub;
  throw new Error(`${abs} holds no segment model (neither manifest.json nor ${SEGMENT_MODEL_SUBDIR}/manifest.json); ` +
    `run \`nanomorph segment … --out ${dir}\` (an earlier version saved no model) or ${fix}`);
}

/** A model read back: encoder + decoder ready to predict. `dispose()` frees both. */
export interface SegmentModel {
  /** The model folder (with manifest.json). */
  dir: string;
  net: UNet;
  settings: SegmentModelSettings;
  training: Record<string, unknown>;
  manifest: CheckpointManifest;
  dispose(): void;
}

/** Check the manifest's state is a segment model this build can apply; returns it. */
function checkState(mfile: string, state: Record<string, unknown>): SegmentModelState {
  const s = state as Partial<SegmentModelState>;
  if (s.kind !== SEGMENT_MODEL_KIND) {
    throw new Error(`${mfile} is a nanomorph checkpoint but not a segment model (no state.kind '${SEGMENT_MODEL_KIND}'; ` +
      "a pretraining checkpoint is an encoder: pass it to `segment --encoder`, then use that run's --out folder)");
  }
  if (!(Number.isInteger(s.version) && (s.version as number) >= 1)) throw new Error(`${mfile}: segment model version ${JSON.stringify(s.version)} is invalid`);
  if ((s.version as number) > SEGMENT_MODEL_VERSION) {
    throw new Error(`${mfile}: segment model format version ${s.version} is newer than this nanomorph reads (${SEGMENT_MODEL_VERSION}); update nanomorph`);
  }
  const c = s.settings;
  const bad = (field: string, v: unknown): never => { throw new Error(`${mfile}: state.settings.${field} is invalid (${JSON.stringify(v)})`); };
  if (!c || typeof c !== "object") bad("", c);
  const set = c as SegmentModelSettings;
  if (!(Number.isInteger(set.size) && set.size >= 32 && set.size % 32 === 0)) bad("size", set.size);
  if (set.fit !== "resize" && set.fit !== "tile") bad("fit", set.fit);
  if (!(Array.isArray(set.filters) && set.filters.length === 4)) bad("filters", set.filters);
  if (!(Number.isInteger(set.kernel) && set.kernel >= 1)) bad("kernel", set.kernel);
  if (!(set.bnEpsilon > 0)) bad("bnEpsilon", set.bnEpsilon);
  if (!(set.threshold > 0 && set.threshold < 1)) bad("threshold", set.threshold);
  return s as SegmentModelState;
}

/**
 * Read a segment model from a `segment --out` folder or its `model/` sub-folder and rebuild it
 * (initialises the backend first). Caller disposes the result.
 * @throws naming the folder for: a missing folder or manifest, another checkpoint kind, a newer format
 *   version, invalid settings, corrupt weights (sha256), or a weight missing or of another shape (naming it)
 */
export async function loadSegmentModel(dir: string): Promise<SegmentModel> {
  const mdir = resolveSegmentModelDir(dir);
  const mfile = path.join(mdir, "manifest.json");
  await initBackend();
  const ckpt = readCheckpoint(mdir);
  const state = checkState(mfile, ckpt.manifest.state);
  const s = state.settings;
  let encoder: ResNetEncoder;
  try {
    encoder = encoderFromCheckpoint(ckpt);
  } catch (e) {
    throw new Error(`segment model ${mdir}: encoder: ${(e as Error).message}`);
  }
  let net: UNet;
  try {
    net = new UNet(encoder, { filters: s.filters, kernel: s.kernel, bnEpsilon: s.bnEpsilon, trainEncoder: false });
  } catch (e) {
    encoder.dispose();
    throw new Error(`segment model ${mdir}: ${(e as Error).message}`);
  }
  try {
    restoreGroup(ckpt, "decoder", net.params);
  } catch (e) {
    net.dispose();
    encoder.dispose();
    throw new Error(`segment model ${mdir}: decoder: ${(e as Error).message}`);
  }
  return {
    dir: mdir, net, settings: s, training: state.training ?? {}, manifest: ckpt.manifest,
    dispose() { net.dispose(); encoder.dispose(); },
  };
}
