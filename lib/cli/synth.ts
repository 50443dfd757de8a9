import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import type { SynthSpec } from "../data/synth/write";

/** `nanomorph synth`: write a synthetic dataset (see lib/data/README.md for the layout). */
export const command = defineCommand({
  name: "synth",
  summary: "generate a synthetic TEM dataset (nanowires with masks, nanoparticle or virus stand-ins)",
  usage: "synth --out DIR [--kind nanowire|nanoparticle|virus] [options]",
  description: `Generate a synthetic TEM dataset (the embedded stand-in for the paper's data). nanowire: classes
bundle, dispersed, network, singular, with masks (_masks/*_label.png, G != B; _masks_binary/) and ground truth
(_truth/*.json). nanoparticle: particle classes (--classes picks a subset). virus: split folders train/
validation/ test/. The same arguments give byte-identical files.`,
  options: {
    out: opt.string({ placeholder: "DIR", description: "the dataset folder", required: true }),
    kind: opt.enum(["nanowire", "nanoparticle", "virus"], { description: "what to generate", default: "nanowire" }),
    "per-class": opt.number({ placeholder: "N", description: "images per class (virus: per class in train/)", integer: true, min: 1, max: 100000, default: 10 }),
    size: opt.number({ placeholder: "PX", description: "image side in px", integer: true, min: 32, max: 8192, default: 128 }),
    seed: opt.number({ placeholder: "K", description: "master seed", integer: true, min: 0, max: 2 ** 32 - 1, default: 7 }),
    difficulty: opt.number({ placeholder: "D", description: "0 (classes far apart) … 1 (classes overlap)", min: 0, max: 1, default: 0.3 }),
    classes: opt.string({ placeholder: "a,b", description: "comma-separated subset of classes (nanowire, nanoparticle)" }),
    "scale-bar": opt.flag("burn a scale bar into nanowire images (never into masks)"),
    "num-classes": opt.number({ placeholder: "C", description: "virus classes", integer: true, min: 2, max: 9, default: 9 }),
    val: opt.number({ placeholder: "N", description: "virus validation images per class", integer: true, min: 0, max: 100000, default: 5 }),
    test: opt.number({ placeholder: "N", description: "virus test images per class", integer: true, min: 0, max: 100000, default: 5 }),
    force: opt.flag("replace DIR if it exists (only once the new set is complete)"),
  },
  examples: ["nanomorph synth --out data/synth --per-class 10 --size 128 --seed 7"],
}, async ({ values: v }) => {
  const { writeSynthDataset } = await import("../data/synth/write");
  const { NANOWIRE_CLASSES } = await import("../data/synth/nanowire");
  const { PARTICLE_CLASSES, VIRUS_CLASSES } = await import("../data/synth/particles");
  const classes = v.classes?.split(",").map((s) => s.trim()).filter(Boolean);
  let spec: SynthSpec;
  if (v.kind === "virus") {
    if (v["num-classes"] > VIRUS_CLASSES.length) throw new UsageError(`--num-classes must be ≤ ${VIRUS_CLASSES.length}, got ${v["num-classes"]}`);
    spec = { kind: "virus", classes: v["num-classes"], train: v["per-class"], validation: v.val, test: v.test, size: v.size, seed: v.seed, difficulty: v.difficulty };
  } else {
    const known: readonly string[] = v.kind === "nanowire" ? NANOWIRE_CLASSES : PARTICLE_CLASSES;
    for (const c of classes ?? []) if (!known.includes(c)) throw new UsageError(`--classes: unknown ${v.kind} class '${c}' (${known.join(", ")})`);
    spec = { kind: v.kind, perClass: v["per-class"], size: v.size, seed: v.seed, difficulty: v.difficulty, scaleBar: v["scale-bar"], classes };
  }
  const t0 = Date.now();
  const m = await writeSynthDataset(path.resolve(v.out), spec, v.force);
  const n = m.layout === "class-folders"
    ? Object.values(m.counts as Record<string, number>).reduce((a, b) => a + b, 0)
    : Object.values(m.counts as Record<string, Record<string, number>>).reduce((a, s) => a + Object.values(s).reduce((x, y) => x + y, 0), 0);
  console.log(`wrote ${n} ${v.kind} images (${m.classes.join(", ")}) at ${v.size} px to ${v.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
});
