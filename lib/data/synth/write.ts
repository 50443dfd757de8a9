import * as path from "path";
import { Rng } from "../../util/rng";
import { Progress } from "../../util/progress";
import { writeFileAtomic, writeJsonAtomic } from "../../util/fsx";
import { generateNanowire, NANOWIRE_CLASSES, NanowireClass } from "./nanowire";
import { writeParticleDataset, writeVirusDataset } from "./particles";
import { DatasetManifest, GENERATOR_VERSION, SynthSpec, stemFor, writeAtomically } from "./common";
export * from "./common";
import { binaryMaskPixels, encodeGreyPng, encodeRgbPng, paperLabelRgb } from "./png";

/** Parameters of a synthetic nanowire set (see {@link writeNanowireDataset}). */
export interface NanowireSetSpec {
  /** Images per class. */
  perClass: number;
  /** Image side, px. */
  size: number;
  /** Master seed. */
  seed: number;
  /** Class overlap 0…1 (see NanowireOptions). Default 0.3. */
  difficulty?: number;
  /** Burn in a scale bar. Default false. */
  scaleBar?: boolean;
  /** Subset of classes. Default all four. */
  classes?: NanowireClass[];
}

/**
 * Write a synthetic nanowire set to `outDir` (layout in lib/data/README.md):
 * `<class>/<stem>.png` grey images; `_masks/<class>/<stem>_label.png` (paper format, G ≠ B);
 * `_masks_binary/<class>/<stem>.png` (0/255); `_truth/<class>/<stem>.json` (NanowireTruth);
 * `dataset.json`. Image i of class c depends only on (seed, c, i, size, difficulty), so sets with
 * different counts share their first images. Same spec → byte-identical files.
 */
export async function writeNanowireDataset(outDir: string, spec: NanowireSetSpec, overwrite = false): Promise<DatasetManifest> {
  if (!(Number.isInteger(spec.perClass) && spec.perClass >= 1)) throw new Error(`synth: per-class must be an integer >= 1, got ${spec.perClass}`);
  const classes = spec.classes ?? [...NANOWIRE_CLASSES];
  const difficulty = spec.difficulty ?? 0.3;
  const manifest: DatasetManifest = {
    kind: "nanowire",
    generator: "nanomorph synth (lib/data/synth/nanowire.ts)",
    generatorVersion: GENERATOR_VERSION,
    spec: { ...spec, difficulty, scaleBar: spec.scaleBar ?? false, classes },
    classes,
    layout: "class-folders",
    counts: Object.fromEntries(classes.map((c) => [c, spec.perClass])),
    extras: {
      _masks: "paper-format masks <class>/<stem>_label.png: RGB, nanowire where G != B",
      _masks_binary: "binary masks <class>/<stem>.png: 255 = nanowire",
      _truth: "ground truth <class>/<stem>.json: wire count, lengths, widths, orientations (px), mask density",
    },
    synthetic: true,
  };
  const master = new Rng(spec.seed);
  await writeAtomically(outDir, overwrite, async (tmp) => {
    const bar = new Progress({ label: "synth nanowire", total: classes.length * spec.perClass, unit: "img" });
    for (const cls of classes) {
      for (let i = 0; i < spec.perClass; i++) {
        const s = generateNanowire(cls, spec.size, master.fork(`nanowire/${cls}/${i}`), { difficulty, scaleBar: spec.scaleBar });
        const stem = stemFor(cls, i);
        const n = spec.size;
        writeFileAtomic(path.join(tmp, cls, `${stem}.png`), await encodeGreyPng(s.image, n, n));
        writeFileAtomic(path.join(tmp, "_masks", cls, `${stem}_label.png`), await encodeRgbPng(paperLabelRgb(s.image, s.mask), n, n));
        writeFileAtomic(path.join(tmp, "_masks_binary", cls, `${stem}.png`), await encodeGreyPng(binaryMaskPixels(s.mask), n, n));
        writeJsonAtomic(path.join(tmp, "_truth", cls, `${stem}.json`), s.truth);
        bar.tick(1);
      }
    }
    bar.finish();
    writeJsonAtomic(path.join(tmp, "dataset.json"), manifest);
  });
  return manifest;
}

/**
 * Write any synthetic set (dispatch on `spec.kind`) to `outDir`, atomically. Returns its manifest.
 */
export async function writeSynthDataset(outDir: string, spec: SynthSpec, overwrite = false): Promise<DatasetManifest> {
  if (spec.kind === "nanowire") {
    return writeNanowireDataset(outDir, { perClass: spec.perClass, size: spec.size, seed: spec.seed, difficulty: spec.difficulty, scaleBar: spec.scaleBar, classes: spec.classes as NanowireClass[] | undefined }, overwrite);
  }
  if (spec.kind === "nanoparticle") return writeParticleDataset(outDir, spec, overwrite);
  if (spec.kind === "virus") return writeVirusDataset(outDir, spec, overwrite);
  throw new Error(`writeSynthDataset: unknown kind '${String((spec as { kind: unknown }).kind)}'`);
}
