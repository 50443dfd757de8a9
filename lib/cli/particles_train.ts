import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { type Command, parse, UsageError, numberArg, numberListArg } from "./args";
import { readJson } from "../util/fsx";

const HELP = `usage: nanomorph particles train --images DIR --instances DIR --out MODEL [--init bundled|MODEL] [options]

Train the particle model (a small U-Net predicting background / interior / boundary and a distance
map, read into instances by seeded growing) on labelled micrographs, or fine-tune one (--init).
Labels: 16-bit or 8-bit instance maps (0 = background, one value per particle, as EMPS), or binary
masks where touching particles are parted by a background line (split into 4-connected parts).
Paired by name as --masks is (x.png, x_mask.png, x_label.png). Resumable: a checkpoint is written to
MODEL/checkpoint every --checkpoint-every steps and on Ctrl-C (SIGINT/SIGTERM); run the same command
again to continue. Then: nanomorph particles --images DIR --model MODEL.

  --images DIR          micrographs (jpg/png/tif, 8/16 bit)
  --instances DIR       their label images (also --labels)
  --out MODEL           model folder to write (manifest.json + weights)
  --init M              start from a model: 'bundled' or a folder (fine-tuning); default: from scratch
  --split FILE          JSON of id lists (e.g. models/particles-emps/split.json); with --part
  --part KEY            train only on the ids listed under KEY in --split (default train)
  --steps N             optimiser steps (default 3000; 300 with --init)
  --batch N             crops per step (default 4)
  --crop PX             crop side (default 160, a multiple of 16)
  --lr X                Adam learning rate, cosine-decayed to 5 % (default 1e-3; 3e-4 with --init)
  --seed N              seed of weights and crops (default 0)
  --widths LIST         channels per U-Net level, finest first (default 8,16,32,64,64; ignored with --init)
  --checkpoint-every N  steps between checkpoints (default 100)

example: nanomorph particles train --init bundled --images lab/img --instances lab/inst --out models/mine`;

const OPTIONS = {
  images: { type: "string" }, instances: { type: "string" }, labels: { type: "string" }, out: { type: "string" },
  init: { type: "string" }, split: { type: "string" }, part: { type: "string" }, steps: { type: "string" },
  batch: { type: "string" }, crop: { type: "string" }, lr: { type: "string" }, seed: { type: "string" },
  "checkpoint-every": { type: "string" }, widths: { type: "string" },
} as const;

/** The code's commit when run from a git checkout (provenance), else null. */
function codeCommit(): string | null {
  try {
    const root = path.resolve(__dirname, "..", "..");
    const head = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return null;
  }
}

/** A data path for the manifest without this machine's layout: its last two components. */
function shortPath(p: string): string {
  return path.join(path.basename(path.dirname(p)), path.basename(p));
}

export const command: Command = {
  name: "particles train",
  summary: "train or fine-tune the particle instance model on labelled micrographs",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    const labelsArg = (v.instances ?? v.labels) as string | undefined;
    if (!v.images || !labelsArg || !v.out) throw new UsageError(`particles train: --images DIR, --instances DIR and --out MODEL are required\n\n${HELP}`);
    const images = path.resolve(v.images as string), labelsDir = path.resolve(labelsArg);
    for (const [k, d] of [["--images", images], ["--instances", labelsDir]] as const) {
      if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`${k} ${d} is not a folder`);
    }
    const out = path.resolve(v.out as string);
    if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
    const init = v.init as string | undefined;
    const steps = numberArg("steps", v.steps as string | undefined, init ? 300 : 3000);
    const batch = numberArg("batch", v.batch as string | undefined, 4);
    const crop = numberArg("crop", v.crop as string | undefined, 160);
    const lr = numberArg("lr", v.lr as string | undefined, init ? 3e-4 : 1e-3);
    const seed = numberArg("seed", v.seed as string | undefined, 0);
    const every = numberArg("checkpoint-every", v["checkpoint-every"] as string | undefined, 100);
    for (const [k, x] of [["steps", steps], ["batch", batch], ["checkpoint-every", every]] as const) {
      if (!(Number.isInteger(x) && x >= 1)) throw new UsageError(`--${k} must be a positive integer, got ${x}`);
    }
    if (!(Number.isInteger(crop) && crop >= 16 && crop % 16 === 0)) throw new UsageError(`--crop must be a multiple of 16 px, got ${crop}`);
    if (!(lr > 0)) throw new UsageError(`--lr must be > 0, got ${lr}`);
    const widths = v.widths === undefined ? undefined : numberListArg("widths", v.widths as string, []);
    if (widths && !(widths.length >= 2 && widths.every((w) => Number.isInteger(w) && w >= 1))) throw new UsageError(`--widths must list ≥ 2 positive integers, got '${v.widths}'`);

    const { pairLabelFolders, loadLabelledPairs } = await import("../particle_model/labelled_set");
    let pairs;
    try {
      pairs = pairLabelFolders(images, labelsDir);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let part: string | null = null;
    if (v.split) {
      part = (v.part as string | undefined) ?? "train";
      const split = readJson<Record<string, unknown>>(path.resolve(v.split as string));
      const ids = split[part];
      if (!Array.isArray(ids)) throw new UsageError(`--split ${v.split} has no id list '${part}' (keys: ${Object.keys(split).join(", ")})`);
      const want = new Set(ids as string[]);
      pairs = pairs.filter((p) => want.has(p.id));
      if (pairs.length !== want.size) throw new UsageError(`--split ${v.split}: ${want.size - pairs.length} ids of '${part}' have no image + labels in ${images}`);
    } else if (v.part) throw new UsageError("--part needs --split FILE");
    const { initBackend } = await import("../backend/index");
    await initBackend();
    const { loadParticleModel } = await import("../particle_model/load");
    const { trainParticleModel } = await import("../particle_model/train");
    const initModel = init ? loadParticleModel(init) : undefined;
    console.error(`particles train: ${pairs.length} labelled images from ${images}${initModel ? `, starting from ${initModel.dir}` : ""}`);
    const set = await loadLabelledPairs(pairs);
    const provenance = {
      command: ["nanomorph", "particles", "train", ...argv.map((a, i) => (["--images", "--instances", "--labels", "--out", "--split"].includes(argv[i - 1]) || (argv[i - 1] === "--init" && a !== "bundled") ? shortPath(a) : a))].join(" "),
      data: { images: shortPath(images), labels: shortPath(labelsDir), split: v.split ? shortPath(path.resolve(v.split as string)) : null, part, ids: pairs.map((p) => p.id) },
      codeCommit: codeCommit(),
    };
    try {
      const r = await trainParticleModel(set, out, {
        steps, batchSize: batch, learningRate: lr, seed, crop: { size: crop }, init: initModel, net: widths ? { widths } : undefined, checkpointEvery: every, provenance,
      });
      console.log(`particles train: ${r.steps} steps${r.resumedFrom ? ` (resumed at ${r.resumedFrom})` : ""} in ${r.seconds.toFixed(0)} s; loss per 100 steps ${r.losses.map((l) => l.toFixed(3)).join(" ")}; model in ${r.dir}`);
    } finally {
      initModel?.dispose();
    }
    return 0;
  },
};
