/**
 * One call from a data folder to a pretrained encoder, shared by `nanomorph pretrain` and notebook 02:
 * list a folder-per-class image set (labels feed only the kNN monitor; SSL ignores them), load it at the
 * config's size, and run {@link pretrain}.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { readJson, writeJsonAtomic } from "../util/fsx";
import { initBackend } from "../backend/index";
import { ensureDataset, listClassFolder, loadImages } from "../data/index";
import { profileName, type ProfileName } from "../config/index";
import { Rng } from "../util/rng";
import { declareOutputs } from "../util/outputs";
import { fingerprintFiles } from "../util/data_fingerprint";
import { pretrainConfigFor, type PretrainConfig, type SslMethod } from "./config";
import { pretrain, type PretrainOptions, type PretrainResult } from "./trainer";
import { listUnlabelledImages } from "../probe/unlabelled";
import { entryKind, isImageFile, isMaskName, type ClassFolder } from "../data/folders";

/**
 * The images to pretrain on: a folder of class folders (the labels feed only the kNN monitor), or a
 * flat folder of unlabelled images (one level of sub-folders allowed, no monitor: `classes` is []).
 * @throws naming the folder when it holds no images, or a file that is not an image.
 */
export function listPretrainImages(dir: string): ClassFolder {
  let folder: ClassFolder | null = null;
  try {
    folder = listClassFolder(dir);
  } catch (e) {
    if (!/no class sub-folders/.test((e as Error).message)) throw e;
  }
  // Class folders with no image beside them: a labelled set. Images directly in the folder (with or
  // without sub-folders): an unlabelled pool.
  const loose = fs.readdirSync(dir, { withFileTypes: true }).some((e) => entryKind(dir, e) === "file" && isImageFile(e.name) && !isMaskName(e.name));
  if (folder && !loose) return folder;
  const flat = listUnlabelledImages(dir, "pretrain data");
  return { files: flat, labels: flat.map(() => 0), classes: [] };
}

/** Options of {@link runPretrain}. */
export interface RunPretrainOptions {
  method: SslMethod;
  /** Output directory. */
  out: string;
  /**
   * Images: class folders (labels used only by the kNN monitor) or a flat unlabelled folder (no
   * monitor); see listPretrainImages. Default: the synthetic nanowire set of the profile, `ensureDataset("nanowire")`.
   */
  data?: string;
  /** Profile whose `configs/pretrain.json` section to use (default: NANOMORPH_PROFILE). */
  profile?: ProfileName;
  /** Config overrides (encoder, seed, epochs, …) on top of the profile. */
  overrides?: Partial<PretrainConfig>;
  resume?: boolean;
  /** At most this many images (stratified by class, seeded) in the kNN monitor set (default 200). */
  monitorMax?: number;
  /** Passed to {@link pretrain}. */
  handleSignals?: boolean;
  onEpoch?: PretrainOptions["onEpoch"];
}

/** Result of {@link runPretrain}: the trainer's result plus what was trained on. */
export interface RunPretrainResult extends PretrainResult {
  dataDir: string;
  imageCount: number;
  classes: string[];
}

/** Pick at most `max` indices, round-robin over classes in seeded order (keeps the classes balanced). */
export function stratifiedSubset(labels: number[], max: number, seed: number): number[] {
  if (labels.length <= max) return labels.map((_, i) => i);
  const rng = new Rng(seed).fork("monitor-subset");
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => { if (!byClass.has(l)) byClass.set(l, []); byClass.get(l)!.push(i); });
  const pools = [...byClass.keys()].sort((a, b) => a - b).map((k) => rng.shuffle(byClass.get(k)!.slice()));
  const out: number[] = [];
  for (let r = 0; out.length < max; r++) {
    let any = false;
    for (const p of pools) if (r < p.length && out.length < max) { out.push(p[r]); any = true; }
    if (!any) break;
  }
  return out.sort((a, b) => a - b);
}

/** Load the data, pretrain, and return the encoder (caller disposes `encoder` and `head`). */
export async function runPretrain(o: RunPretrainOptions): Promise<RunPretrainResult> {
  await initBackend();
  const profile = o.profile ?? profileName();
  const cfg = pretrainConfigFor(profile, { ...(o.overrides ?? {}), method: o.method });
  const dataDir = o.data ?? await ensureDataset("nanowire", { profile });
  const folder = listPretrainImages(dataDir);
  // File list + content hashes go into the checkpoints, so --resume refuses another data set.
  const data = await fingerprintFiles(dataDir, folder.files);
  const images = await loadImages(folder.files, cfg.imageSize);
  let monitorImages: tf.Tensor4D | null = null;
  try {
    let monitor: PretrainOptions["monitor"];
    if (folder.classes.length >= 2 && cfg.monitorEvery > 0) {
      const idx = stratifiedSubset(folder.labels, o.monitorMax ?? 200, cfg.seed);
      monitorImages = idx.length === folder.files.length ? images : tf.tidy(() => tf.gather(images, tf.tensor1d(idx, "int32")) as tf.Tensor4D);
      monitor = { images: monitorImages, labels: idx.map((i) => folder.labels[i]) };
    }
    const r = await pretrain(cfg, images, {
      out: o.out, resume: o.resume, monitor, data, handleSignals: o.handleSignals, onEpoch: o.onEpoch,
      label: `pretrain ${o.method} (${cfg.encoder}, ${folder.files.length} images)`,
    });
    return { ...r, dataDir, imageCount: folder.files.length, classes: folder.classes };
  } finally {
    if (monitorImages && monitorImages !== images) monitorImages.dispose();
    images.dispose();
  }
}

/** Result of {@link pretrainOrReuse}: whether a finished run was read back instead of trained. */
export interface ReusedPretrainResult extends RunPretrainResult {
  reused: boolean;
}

/**
 * Pretrain into `out`, or read back the finished run already there when it was trained with the same
 * config on the same data (so a second `reproduce` does not retrain). A run with another config or
 * data, or an unfinished one that cannot resume, is replaced. Notebooks use this; the CLI keeps the
 * explicit `--resume`.
 */
export async function pretrainOrReuse(o: RunPretrainOptions): Promise<ReusedPretrainResult> {
  const profile = o.profile ?? profileName();
  const dataDir = path.resolve(o.data ?? await ensureDataset("nanowire", { profile }));
  const marker = path.join(o.out, "data.json");
  const sameData = fs.existsSync(marker) && readJson<{ data: string }>(marker).data === dataDir;
  if (sameData && fs.existsSync(path.join(o.out, "latest.json"))) {
    try {
      const before = readJson<{ step?: number }>(path.join(o.out, "latest.json"));
      const r = await runPretrain({ ...o, data: dataDir, profile, resume: true });
      declareOutputs(o.out);
      return { ...r, reused: before.step === undefined || before.step === r.steps };
    } catch (e) {
      if (!/config differs|cannot resume/.test((e as Error).message)) throw e;
    }
  }
  fs.rmSync(o.out, { recursive: true, force: true });
  const r = await runPretrain({ ...o, data: dataDir, profile, resume: false });
  writeJsonAtomic(marker, { data: dataDir });
  return { ...r, reused: false };
}
