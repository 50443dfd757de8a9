/**
 * Where notebooks 03/04 get their images: the paper's real data when the user points at it, else
 * the synthetic stand-ins from `ensureDataset`, always labelled so figures can say which.
 */
import * as fs from "fs";
import * as path from "path";
import { ensureDataset, nanowireMaskPairs } from "../data/dataset";
import { entryKind, isImageFile, isMaskName, pairKey } from "../data/folders";
import { resultsDir } from "../util/paths";
import { listProbeImages } from "./dataset";

/** A dataset for a study notebook. */
export interface StudyData {
  /** Folder-per-class (or split-folder) image directory. */
  dir: string;
  /** True for the paper's real images. */
  real: boolean;
  /** Human label for figure titles and tables, e.g. "synthetic stand-in data". */
  dataLabel: string;
  /** Image file → mask file (dispersed/network nanowire masks), empty when there are none. */
  masks: Map<string, string>;
}

/** Where a classification study reads its images. Defaults in brackets. */
export interface ClassStudyOptions {
  /**
   * A class-folder set (one subfolder per class, or split folders train/test/…), e.g. a notebook's
   * `data` parameter. ["": `$NANOMORPH_NANOWIRE_DIR` when set, else the synthetic stand-in set]
   */
  dir?: string;
  /** Masks for the images, matched by name per class subfolder (`<masks>/<class>/x_label.png` or `<masks>/x.png`). [`$NANOMORPH_NANOWIRE_MASKS` with the env folder; none otherwise] */
  masks?: string;
}

/**
 * A real class-folder set for the probe notebooks: classes and image counts checked (at least two
 * classes, each with an image), masks paired by name for the classes whose images have them.
 * @throws naming the folder and the fix when it is missing or not a set of at least two classes.
 */
export function classFolderStudyData(dir: string, maskDir: string | undefined, label: string): StudyData {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`classFolderStudyData: ${abs} is not a folder (give a folder with one subfolder of images per class)`);
  const images = listProbeImages(abs);
  const counts = images.classes.map((_, k) => images.labels.filter((l) => l === k).length);
  if (images.classes.length < 2 || counts.some((c) => c === 0)) {
    throw new Error(`classFolderStudyData: ${abs} needs at least two class subfolders with images, found ${images.classes.map((c, k) => `${c} (${counts[k]})`).join(", ") || "none"}`);
  }
  const masks = new Map<string, string>();
  if (maskDir) {
    if (!fs.existsSync(maskDir)) throw new Error(`classFolderStudyData: masks folder ${maskDir} does not exist`);
    // masks by class subfolder first (<masks>/<class>/x_label.png), else by name anywhere under <masks>
    const byKey = new Map<string, string>();
    const walk = (d: string, cls: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        const kind = entryKind(d, e);
        if (kind === "dir") walk(p, cls === "" ? e.name : cls);
        else if (kind === "file" && isImageFile(e.name) && (!beside || isMaskName(e.name))) byKey.set(`${cls}/${pairKey(p)}`, p);
      }
    };
    const beside = path.resolve(maskDir) === abs; // masks kept beside the images: only mask-named files
    walk(maskDir, "");
    images.files.forEach((f, i) => {
      const key = pairKey(f);
      const m = byKey.get(`${images.classes[images.labels[i]]}/${key}`) ?? byKey.get(`/${key}`);
      if (m) masks.set(f, m);
    });
  }
  const sizes = images.classes.map((c, k) => `${c} ${counts[k]}`).join(", ");
  return { dir: abs, real: true, dataLabel: `${label} (${images.files.length} images: ${sizes})`, masks };
}

/**
 * The nanowire study's data: `opts.dir` (a class-folder set, e.g. notebook 03's `data` parameter),
 * else `$NANOMORPH_NANOWIRE_DIR` (folder per class: bundle, dispersed, network, singular) with masks
 * from `$NANOMORPH_NANOWIRE_MASKS` (matched by name, e.g. `x_label.png`) when set; else the synthetic
 * stand-in set of the active profile with its binary masks.
 * @throws for a folder that is missing or not a class-folder set (see classFolderStudyData).
 */
export async function nanowireStudyData(opts: ClassStudyOptions = {}): Promise<StudyData> {
  if (opts.dir) return classFolderStudyData(opts.dir, opts.masks || undefined, `your class folders ${path.resolve(opts.dir)}`);
  const realDir = process.env.NANOMORPH_NANOWIRE_DIR;
  if (realDir) {
    if (!fs.existsSync(realDir)) throw new Error(`nanowireStudyData: NANOMORPH_NANOWIRE_DIR=${realDir} does not exist`);
    return classFolderStudyData(realDir, opts.masks || process.env.NANOMORPH_NANOWIRE_MASKS, "the paper's nanowire TEM images");
  }
  const dir = await ensureDataset("nanowire");
  const p = nanowireMaskPairs(dir, ["dispersed", "network"], "binary");
  const masks = new Map<string, string>();
  p.images.forEach((f, i) => masks.set(f, p.masks[i]));
  return { dir, real: false, dataLabel: "synthetic stand-in data (the paper's nanowire images are absent)", masks };
}

/**
 * A transfer set: `dir` (a notebook parameter) or `$NANOMORPH_<KIND>_DIR` when set (real data: class
 * folders, or split folders with a fixed test set), else the stand-in generated by `ensureDataset(kind)`.
 * @throws for a folder that is missing or not a class-folder set.
 */
export async function transferStudyData(kind: "nanoparticle" | "virus", dir?: string): Promise<StudyData> {
  if (dir) return classFolderStudyData(dir, undefined, `your ${kind === "virus" ? "many-class" : "class-folder"} set ${path.resolve(dir)}`);
  const env = process.env[`NANOMORPH_${kind.toUpperCase()}_DIR`];
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`transferStudyData: NANOMORPH_${kind.toUpperCase()}_DIR=${env} does not exist`);
    return { dir: env, real: true, dataLabel: kind === "virus" ? "the TEM virus set" : "the AutoDetect-mNP set", masks: new Map() };
  }
  const standIn = await ensureDataset(kind);
  return { dir: standIn, real: false, dataLabel: `STAND-IN synthetic ${kind === "virus" ? "virus-like" : "nanoparticle"} data (not the paper's)`, masks: new Map() };
}

/**
 * Encoders pretrained by notebook 02 / `nanomorph pretrain` for a profile, when their run folders
 * (`results/pretrain/<method>-<profile>/latest.json`) exist: `{spec: dir, name: "<method>-pretrained"}`.
 */
export function pretrainedEncoderChoices(profile: string, seeds: number[], methods: string[] = ["barlow", "simclr"]): { spec: string; name: string; seeds: number[] }[] {
  const out: { spec: string; name: string; seeds: number[] }[] = [];
  for (const m of methods) {
    const dir = resultsDir("pretrain", `${m}-${profile}`);
    if (fs.existsSync(path.join(dir, "latest.json"))) out.push({ spec: dir, name: `${m}-pretrained`, seeds });
  }
  return out;
}
