import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import { readJson } from "../util/fsx";

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

/** `nanomorph particles train`: train or fine-tune the particle model (lib/particle_model/train). */
export const command = defineCommand({
  name: "particles train",
  summary: "train or fine-tune the particle instance model on labelled micrographs",
  usage: "particles train --images DIR --instances DIR --out MODEL [--init bundled|MODEL] [options]",
  description: `Train the particle model (a small U-Net predicting background / interior / boundary and a distance map,
read into instances by seeded growing) on labelled micrographs, or fine-tune one (--init). Labels: 16-bit or
8-bit instance maps (0 = background, one value per particle, as EMPS), or binary masks where touching particles
are parted by a background line (split into 4-connected parts), paired by name as --masks is (x.png, x_mask.png,
x_label.png). Resumable: a checkpoint is written to MODEL/checkpoint every --checkpoint-every steps and on
Ctrl-C (SIGINT/SIGTERM/SIGHUP); run the same command again to continue. Then: nanomorph particles --images DIR
--model MODEL.`,
  options: {
    images: opt.string({ placeholder: "DIR", description: "micrographs (jpg/png/tif, 8/16 bit)" }),
    instances: opt.string({ placeholder: "DIR", description: "their label images" }),
    labels: opt.string({ placeholder: "DIR", description: "the same as --instances" }),
    out: opt.string({ placeholder: "MODEL", description: "model folder to write (manifest.json + weights)" }),
    init: opt.string({ placeholder: "M", description: "start from a model: 'bundled' or a folder (fine-tuning)", defaultText: "from scratch" }),
    split: opt.string({ placeholder: "FILE", description: "JSON of id lists (e.g. models/particles-emps/split.json); with --part" }),
    part: opt.string({ placeholder: "KEY", description: "train only on the ids listed under KEY in --split", defaultText: "train" }),
    steps: opt.number({ placeholder: "N", description: "optimiser steps", integer: true, min: 1, max: 10_000_000, defaultText: "3000; 300 with --init" }),
    batch: opt.number({ placeholder: "N", description: "crops per step", integer: true, min: 1, max: 4096, default: 4 }),
    crop: opt.number({ placeholder: "PX", description: "crop side, a multiple of 16", integer: true, min: 16, max: 4096, default: 160 }),
    lr: opt.number({ placeholder: "X", description: "Adam learning rate, cosine-decayed to 5 %", min: 0, minExclusive: true, max: 10, defaultText: "1e-3; 3e-4 with --init" }),
    seed: opt.number({ placeholder: "N", description: "seed of weights and crops", integer: true, min: 0, max: 2 ** 32 - 1, default: 0 }),
    widths: opt.numbers({ description: "channels per U-Net level, finest first (ignored with --init)", integer: true, min: 1, max: 4096, maxLength: 8, defaultText: "8,16,32,64,64" }),
    "checkpoint-every": opt.number({ placeholder: "N", description: "steps between checkpoints", integer: true, min: 1, max: 10_000_000, default: 100 }),
  },
  examples: ["nanomorph particles train --init bundled --images lab/img --instances lab/inst --out models/mine"],
}, async ({ values: v, argv }) => {
  const labelsArg = (v.instances ?? v.labels) as string | undefined;
  if (!v.images || !labelsArg || !v.out) throw new UsageError("particles train: --images DIR, --instances DIR and --out MODEL are required");
  const images = path.resolve(v.images as string), labelsDir = path.resolve(labelsArg);
  for (const [k, d] of [["--images", images], ["--instances", labelsDir]] as const) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`${k} ${d} is not a folder`);
  }
  const out = path.resolve(v.out as string);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  const init = v.init as string | undefined;
  const steps = v.steps ?? (init ? 300 : 3000);
  const batch = v.batch, crop = v.crop, seed = v.seed, every = v["checkpoint-every"];
  const lr = v.lr ?? (init ? 3e-4 : 1e-3);
  if (crop % 16 !== 0) throw new UsageError(`--crop must be a multiple of 16 px, got ${crop}`);
  const widths = v.widths;
  if (widths && widths.length < 2) throw new UsageError(`--widths must list ≥ 2 positive integers, got '${widths.join(",")}'`);

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
});
