import * as path from "path";
import type { Command } from "./args";
import { numberArg, parse, UsageError } from "./args";
import { writeSynthDataset, SynthSpec } from "../data/synth/write";
import { NANOWIRE_CLASSES } from "../data/synth/nanowire";
import { DEFAULT_PARTICLE_CLASSES, PARTICLE_CLASSES, VIRUS_CLASSES } from "../data/synth/particles";

const HELP = `usage: nanomorph synth --out DIR [--kind nanowire|nanoparticle|virus] [--per-class N] [--size S]
                       [--seed K] [--difficulty D] [--classes a,b] [--scale-bar] [--force]
                       [--num-classes C --val N --test N]   (virus)

Generate a synthetic TEM dataset (the embedded stand-in for the paper's data).
  --kind        nanowire (default): bundle dispersed network singular, with masks (_masks/*_label.png,
                G != B; _masks_binary/) and ground truth (_truth/*.json);
                nanoparticle: ${DEFAULT_PARTICLE_CLASSES.join(", ")} (also: ${PARTICLE_CLASSES.join(", ")});
                virus: split folders train/ validation/ test/ with up to ${VIRUS_CLASSES.length} classes
  --per-class   images per class (virus: per class in train/). Default 10
  --size        image side in px. Default 128
  --seed        master seed. Default 7. Same arguments -> byte-identical files
  --difficulty  0 (classes far apart) ... 1 (classes overlap). Default 0.3
  --classes     comma-separated subset of classes (nanowire, nanoparticle)
  --scale-bar   burn a scale bar into nanowire images (never into masks)
  --num-classes virus classes (2..${VIRUS_CLASSES.length}). Default 9
  --val, --test virus validation / test images per class. Default 5 / 5
  --force       replace DIR if it exists (only once the new set is complete)

example: nanomorph synth --out data/synth --per-class 10 --size 128 --seed 7`;

/** `nanomorph synth`: write a synthetic dataset (see lib/data/README.md for the layout). */
export const command: Command = {
  name: "synth",
  summary: "generate a synthetic TEM dataset (nanowires with masks, nanoparticle or virus stand-ins)",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const { values } = parse(argv, {
      out: { type: "string" }, kind: { type: "string" }, "per-class": { type: "string" }, size: { type: "string" },
      seed: { type: "string" }, difficulty: { type: "string" }, classes: { type: "string" }, "scale-bar": { type: "boolean" },
      "num-classes": { type: "string" }, val: { type: "string" }, test: { type: "string" }, force: { type: "boolean" },
    });
    const out = values.out as string | undefined;
    if (!out) throw new UsageError("synth needs --out DIR");
    const kind = (values.kind as string | undefined) ?? "nanowire";
    const perClass = numberArg("per-class", values["per-class"] as string | undefined, 10);
    const size = numberArg("size", values.size as string | undefined, 128);
    const seed = numberArg("seed", values.seed as string | undefined, 7);
    const difficulty = numberArg("difficulty", values.difficulty as string | undefined, 0.3);
    if (!(Number.isInteger(perClass) && perClass >= 1)) throw new UsageError(`--per-class must be an integer >= 1, got ${perClass}`);
    if (!(Number.isInteger(size) && size >= 32 && size <= 8192)) throw new UsageError(`--size must be an integer in 32..8192, got ${size}`);
    if (!(difficulty >= 0 && difficulty <= 1)) throw new UsageError(`--difficulty must be in [0, 1], got ${difficulty}`);
    const classes = (values.classes as string | undefined)?.split(",").map((s) => s.trim()).filter(Boolean);
    let spec: SynthSpec;
    if (kind === "nanowire" || kind === "nanoparticle") {
      const known: readonly string[] = kind === "nanowire" ? NANOWIRE_CLASSES : PARTICLE_CLASSES;
      for (const c of classes ?? []) if (!known.includes(c)) throw new UsageError(`--classes: unknown ${kind} class '${c}' (${known.join(", ")})`);
      spec = { kind, perClass, size, seed, difficulty, scaleBar: values["scale-bar"] === true, classes };
    } else if (kind === "virus") {
      spec = {
        kind, classes: numberArg("num-classes", values["num-classes"] as string | undefined, 9), train: perClass,
        validation: numberArg("val", values.val as string | undefined, 5), test: numberArg("test", values.test as string | undefined, 5),
        size, seed, difficulty,
      };
    } else throw new UsageError(`--kind must be nanowire, nanoparticle or virus, got '${kind}'`);
    const t0 = Date.now();
    const m = await writeSynthDataset(path.resolve(out), spec, values.force === true);
    const n = m.layout === "class-folders"
      ? Object.values(m.counts as Record<string, number>).reduce((a, b) => a + b, 0)
      : Object.values(m.counts as Record<string, Record<string, number>>).reduce((a, s) => a + Object.values(s).reduce((x, y) => x + y, 0), 0);
    console.log(`wrote ${n} ${kind} images (${m.classes.join(", ")}) at ${size} px to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  },
};
