import * as fs from "fs";
import * as path from "path";
import { loadConfig, ProfileName, profileName } from "../config/index";
import { readJson } from "../util/fsx";
import { contentHash } from "../util/hash";
import { cacheDir } from "../util/paths";
import { pairImagesMasks, ImageMaskPairs } from "./folders";
import { DatasetManifest, GENERATOR_VERSION, SynthKind, writeSynthDataset, SynthSpec } from "./synth/write";

/** Sizes of a folder-per-class set in `configs/data.json`. */
export interface ClassSetSize {
  /** Images per class. */
  perClass: number;
  /** Image side, px. */
  size: number;
}

/** Sizes of a split-folder set (the virus stand-in) in `configs/data.json`. */
export interface SplitSetSize {
  /** Number of classes (≤ 9). */
  classes: number;
  /** Images per class in train/, validation/, test/. */
  train: number;
  validation: number;
  test: number;
  /** Image side, px. */
  size: number;
}

/**
 * `configs/data.json` for one profile. Defaults (section "defaults"): seed 7, difficulty 0.3,
 * scaleBar false. ci: 24 images/class at 96 px (virus: 6 classes, 20/6/10 at 96 px); laptop: 100/class
 * at 224 px (virus: 9 classes, 100/30/30 at 128 px); paper: 100/class at 512 px (virus: 9 classes,
 * 728/152/121 per class at 256 px, the paper's 6553/1368/1091 split over 9 classes).
 */
export interface DataConfig {
  seed: number;
  difficulty: number;
  scaleBar: boolean;
  nanowire: ClassSetSize;
  nanoparticle: ClassSetSize;
  virus: SplitSetSize;
}

/** Options for {@link ensureDataset}. */
export interface EnsureDatasetOptions {
  /** Profile whose sizes to use. Default: the active profile (NANOMORPH_PROFILE, default ci). */
  profile?: ProfileName;
  /** Master seed. Default from configs/data.json (7). */
  seed?: number;
  /** Class overlap 0…1. Default from configs/data.json (0.3). */
  difficulty?: number;
  /** Override images per class (class-folder kinds) or train images per class (virus). */
  perClass?: number;
  /** Override the image size, px. */
  size?: number;
}

/** The spec `ensureDataset` would generate for a kind and options (exported for inspection and tests). */
export function datasetSpec(kind: SynthKind, opts: EnsureDatasetOptions = {}): SynthSpec {
  const cfg = loadConfig<DataConfig>("data", opts.profile ?? profileName());
  const seed = opts.seed ?? cfg.seed;
  const difficulty = opts.difficulty ?? cfg.difficulty;
  if (kind === "nanowire" || kind === "nanoparticle") {
    const c = cfg[kind];
    if (!c) throw new Error(`configs/data.json has no '${kind}' entry for this profile`);
    return { kind, perClass: opts.perClass ?? c.perClass, size: opts.size ?? c.size, seed, difficulty, scaleBar: cfg.scaleBar };
  }
  if (kind === "virus") {
    const c = cfg.virus;
    if (!c) throw new Error("configs/data.json has no 'virus' entry for this profile");
    return { kind, classes: c.classes, train: opts.perClass ?? c.train, validation: c.validation, test: c.test, size: opts.size ?? c.size, seed, difficulty };
  }
  throw new Error(`ensureDataset: unknown kind '${String(kind)}' (nanowire, nanoparticle, virus)`);
}

/** The cache folder a spec is generated into: `cacheDir("datasets", "<kind>-<hash>")`. */
export function datasetDir(spec: SynthSpec): string {
  return cacheDir("datasets", `${spec.kind}-${contentHash({ spec, generator: GENERATOR_VERSION })}`);
}

/**
 * A synthetic dataset of `kind`, generated on first use into the cache and reused afterwards; returns
 * its folder. "nanowire" and "nanoparticle" are folder-per-class (`<dir>/<class>/*.png`; the nanowire
 * set also has `_masks/`, `_masks_binary/`, `_truth/`); "virus" is split-folder
 * (`<dir>/train|validation|test/<class>/*.png`). Sizes come from `configs/data.json` for the profile.
 * Generation is atomic (temp folder, then rename), so concurrent callers never see half a set.
 */
export async function ensureDataset(kind: SynthKind, opts: EnsureDatasetOptions = {}): Promise<string> {
  const spec = datasetSpec(kind, opts);
  const dir = datasetDir(spec);
  if (fs.existsSync(path.join(dir, "dataset.json"))) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    await writeSynthDataset(dir, spec, false);
  } catch (e) {
    // another process may have finished the same set first
    if (fs.existsSync(path.join(dir, "dataset.json"))) return dir;
    throw e;
  }
  return dir;
}

/** Read `dataset.json` of a synthetic set; null for a folder without one (e.g. real data). */
export function readDatasetManifest(dir: string): DatasetManifest | null {
  const f = path.join(dir, "dataset.json");
  return fs.existsSync(f) ? readJson<DatasetManifest>(f) : null;
}

/**
 * Image/mask pairs of a synthetic nanowire set for the given classes (default the paper's: dispersed
 * and network), concatenated in class order. `format` "label" gives the paper-format `_label.png`
 * masks, "binary" the 0/255 PNGs. Throws naming the folder when masks are absent.
 */
export function nanowireMaskPairs(dir: string, classes: string[] = ["dispersed", "network"], format: "label" | "binary" = "label"): ImageMaskPairs {
  const root = path.join(dir, format === "label" ? "_masks" : "_masks_binary");
  const out: ImageMaskPairs = { images: [], masks: [] };
  for (const c of classes) {
    const p = pairImagesMasks(path.join(dir, c), path.join(root, c));
    out.images.push(...p.images);
    out.masks.push(...p.masks);
  }
  return out;
}

/** The ground-truth JSON file of a synthetic nanowire image (`<dir>/_truth/<class>/<stem>.json`). */
export function truthFileFor(imageFile: string): string {
  const cls = path.basename(path.dirname(imageFile));
  const root = path.dirname(path.dirname(imageFile));
  return path.join(root, "_truth", cls, `${path.basename(imageFile, path.extname(imageFile))}.json`);
}
