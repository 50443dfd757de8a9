/**
 * From image folders to sweep inputs: list a folder-per-class dataset (optionally with a separate
 * test folder, or a split-folder dataset with train/ and test/), extract features for one or more
 * encoders, and assemble `SweepData`. Shared by `nanomorph probe` and the notebooks.
 */
import { listClassFolder, listSplitFolder, isSplitFolder } from "../data/folders";
import { loadEncoder } from "../models/load";
import { preprocessFor, type PreprocessChoice } from "../models/preprocess";
import { extractFeatures, type FeatureOptions } from "./features";
import type { FeatureSet, SweepData } from "./sweep";

/** The images of a probe dataset: files with labels; `testRows` marks a fixed test set. */
export interface ProbeImages {
  files: string[];
  labels: number[];
  classes: string[];
  /** Rows of the fixed test set (split folders or --test), else undefined (stratified splits). */
  testRows?: number[];
}

/**
 * List `dataDir` for probing. A split-folder dataset uses train/ (or augmented_train/) as the pool and
 * test/ as the fixed test set; `testDir` (folder-per-class, same classes) also gives a fixed test set;
 * else all images are split per split seed. Throws naming the folder when a part is missing.
 */
export function listProbeImages(dataDir: string, testDir?: string): ProbeImages {
  if (!testDir && isSplitFolder(dataDir)) {
    const s = listSplitFolder(dataDir);
    const train = s.splits.train ?? s.splits.augmented_train;
    const test = s.splits.test;
    if (!train || !test) throw new Error(`listProbeImages: split folder ${dataDir} needs train/ (or augmented_train/) and test/`);
    return {
      files: [...train.files, ...test.files], labels: [...train.labels, ...test.labels], classes: s.classes,
      testRows: test.files.map((_, i) => train.files.length + i),
    };
  }
  const train = listClassFolder(dataDir);
  if (!testDir) return { files: train.files, labels: train.labels, classes: train.classes };
  const test = listClassFolder(testDir, { classes: train.classes });
  return {
    files: [...train.files, ...test.files], labels: [...train.labels, ...test.labels], classes: train.classes,
    testRows: test.files.map((_, i) => train.files.length + i),
  };
}

/** Encoder specs whose weights depend on the seed (random initialisations). */
const SEEDED_SPECS = new Set(["resnet50", "resnet18", "resnet8"]);

/** One encoder to probe: a `loadEncoder` spec, a display name, and its seeds. */
export interface EncoderChoice {
  spec: string;
  /** Name in results and figures. Default: the spec. */
  name?: string;
  seeds: number[];
  /** Encoder input preprocessing. Default "auto" (what the weights were trained with; see preprocessFor). */
  preprocess?: PreprocessChoice;
}

/**
 * Feature sets of `files` for an encoder at each seed (cached on disk). Encoders whose weights do not
 * depend on the seed (ImageNet, checkpoints, .h5) are loaded and run once and their features shared
 * by every seed (the seed then only seeds the probe).
 */
export async function encoderFeatureSets(choice: EncoderChoice, files: string[], opts: FeatureOptions = {}): Promise<FeatureSet[]> {
  const name = choice.name ?? choice.spec;
  const seeded = SEEDED_SPECS.has(choice.spec);
  const out: FeatureSet[] = [];
  let shared: FeatureSet["X"] | null = null;
  for (const seed of choice.seeds) {
    if (!seeded && shared) { out.push({ encoder: name, seed, X: shared }); continue; }
    const enc = await loadEncoder(choice.spec, { seed, inputSize: opts.size, preprocess: preprocessFor(choice.spec, choice.preprocess ?? "auto") });
    try {
      const r = await extractFeatures(enc, files, { ...opts, label: opts.label ?? `features ${name}${seeded ? ` seed ${seed}` : ""}` });
      shared = r.X;
      out.push({ encoder: name, seed, X: r.X });
    } finally {
      enc.dispose();
    }
  }
  return out;
}

/** Sweep inputs for several encoders on one dataset (features cached on disk). */
export async function prepareSweepData(images: ProbeImages, encoders: EncoderChoice[], opts: FeatureOptions = {}): Promise<SweepData> {
  const featureSets: FeatureSet[] = [];
  for (const e of encoders) featureSets.push(...(await encoderFeatureSets(e, images.files, opts)));
  return { labels: images.labels, classes: images.classes, featureSets, testRows: images.testRows };
}
