import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import { labelledSetOptions, labelsFolder } from "./labelled_options";

/** `nanomorph particles train`: train or fine-tune the particle model (lib/particle_model/train). */
export const command = defineCommand({
  name: "particles train",
  summary: "train or fine-tune the particle instance model on labelled micrographs",
  usage: "particles train --images DIR --instances DIR --out MODEL [--init bundled|MODEL] [options]",
  description: `Train the particle model (a small U-Net predicting background / interior / boundary and a distance map,
read into instances by seeded growing) on labelled micrographs, or fine-tune one (--init). Labels: 16-bit or
8-bit instance maps (0 = background, one value per particle, as EMPS), or binary masks where touching particles
are parted by a background line (split into 4-connected parts), paired by name as --masks is (x.png, x_mask.png,
x_label.png). Fine-tuning keeps the starting model's batch-norm statistics (a few images' crops would
replace what it learned from many; measured in docs/particles.md). Resumable: a checkpoint is written to MODEL/checkpoint every --checkpoint-every steps and on
Ctrl-C (SIGINT/SIGTERM/SIGHUP); run the same command again to continue. Then: nanomorph particles --images DIR
--model MODEL.`,
  options: {
    ...labelledSetOptions({ images: "micrographs (jpg/png/tif, 8/16 bit)", part: "train only on the ids listed under KEY in --split", defaultPart: "train" }),
    out: opt.string({ placeholder: "MODEL", description: "model folder to write (manifest.json + weights)" }),
    init: opt.string({ placeholder: "M", description: "start from a model: 'bundled' or a folder (fine-tuning)", defaultText: "from scratch" }),
    steps: opt.number({ placeholder: "N", description: "optimiser steps", integer: true, min: 1, max: 10_000_000, defaultText: "3000; 300 with --init" }),
    batch: opt.number({ placeholder: "N", description: "crops per step", integer: true, min: 1, max: 4096, default: 4 }),
    crop: opt.number({ placeholder: "PX", description: "crop side, a multiple of 16", integer: true, min: 16, max: 4096, default: 160 }),
    lr: opt.number({ placeholder: "X", description: "Adam learning rate, cosine-decayed to 5 %", min: 0, minExclusive: true, max: 10, defaultText: "1e-3; 3e-4 with --init" }),
    seed: opt.number({ placeholder: "N", description: "seed of weights and crops", integer: true, min: 0, max: 2 ** 32 - 1, default: 0 }),
    widths: opt.numbers({ description: "channels per U-Net level, finest first (ignored with --init)", integer: true, min: 1, max: 4096, maxLength: 8, defaultText: "8,16,32,64,64" }),
    zoom: opt.number({ placeholder: "S", description: "crops sample the image at a zoom drawn log-uniformly in [1/S, S] (1 = native size only)", min: 1, max: 8, default: 1.3 }),
    norm: opt.enum(["learn", "freeze"], { description: "batch-norm statistics: re-estimated from the training crops, or kept from --init", defaultText: "freeze with --init, else learn" }),
    "checkpoint-every": opt.number({ placeholder: "N", description: "steps between checkpoints", integer: true, min: 1, max: 10_000_000, default: 100 }),
  },
  examples: ["nanomorph particles train --init bundled --images lab/img --instances lab/inst --out models/mine"],
}, async ({ values: v, argv }) => {
  const labels = labelsFolder(v);
  if (!v.images || !labels || !v.out) throw new UsageError("particles train: --images DIR, --instances DIR and --out MODEL are required");
  const { trainOnFolders } = await import("../particle_model/experiment");
  const r = await trainOnFolders({
    images: v.images as string, labels, out: v.out as string, init: v.init as string | undefined, split: v.split as string | undefined, part: v.part as string | undefined,
    steps: v.steps, batch: v.batch, crop: v.crop, zoom: v.zoom, norm: v.norm, lr: v.lr, seed: v.seed, widths: v.widths, checkpointEvery: v["checkpoint-every"], argv,
  });
  console.log(`particles train: ${r.steps} steps${r.resumedFrom ? ` (resumed at ${r.resumedFrom})` : ""} in ${r.seconds.toFixed(0)} s; loss per 100 steps ${r.losses.map((l) => l.toFixed(3)).join(" ")}; model in ${r.dir}`);
  return 0;
});
