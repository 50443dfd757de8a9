import * as path from "path";
import { defineCommand, opt } from "./options";
import { PROTOCOLS } from "../probe/protocols";

/** `nanomorph probe`: the label-efficiency sweep (lib/probe/experiment.ts). */
export const command = defineCommand({
  name: "probe",
  summary: "linear-probe label-efficiency sweep on any folder of images (median [IQR] accuracy per n)",
  usage: "probe --data DIR [--test DIR] [--encoder imagenet|resnet8|PATH] [options]",
  description: `Label-efficiency sweep with a linear head on frozen-encoder features (the paper's main result):
for every split seed, a stratified 80/20 split (or the fixed test set), n labelled images per class, a linear
head fitted on them; prints the median [IQR] test accuracy per n. Default head (protocol honest): L2 logistic
regression on standardised features, its C chosen by cross-validation on the labelled images only. Features
are cached on disk (keyed by weights, preprocessing, file contents, size). Without --profile the 'quality'
settings apply (never 'ci'); the settings used are printed first.`,
  options: {
    data: opt.string({ placeholder: "DIR", required: true, description: "folder-per-class images (any size/format: jpg, png, tif …), or a split folder with train/ (or augmented_train/) and test/" }),
    test: opt.string({ placeholder: "DIR", description: "folder-per-class fixed test set (same classes as --data)" }),
    encoder: opt.string({ placeholder: "SPEC", description: "imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5", default: "imagenet" }),
    "labels-per-class": opt.numbers({ description: "labelled images per class, e.g. 1,2,4,8 (values larger than the smallest class allows are an error)", integer: true, min: 1, max: 100000, maxLength: 64, defaultText: "from configs/probe.json for the profile" }),
    budget: opt.numbers({ description: "total label budgets instead, e.g. 2,4,8: B images picked without looking at labels (--select), honest head; JSON rows carry \"budget\" instead of \"n\"", integer: true, min: 1, max: 1000000, maxLength: 64 }),
    select: opt.enum(["random", "suggest"], { description: "how budget images are picked: random, or what 'nanomorph suggest' would pick (coverage of the feature space)", defaultText: "random" }),
    splits: opt.number({ placeholder: "K", description: "split seeds 42 … 42+K−1", integer: true, min: 1, max: 10000, defaultText: "from the profile" }),
    seeds: opt.numbers({ description: "encoder seeds (for a fixed encoder they seed the probe)", integer: true, min: 0, max: 2 ** 32 - 1, maxLength: 100, defaultText: "from the profile" }),
    protocol: opt.enum(PROTOCOLS, { placeholder: "P", description: "honest: logistic head, C by CV on the labelled images; honest-adam: the paper's Adam head, early stopping on validation carved from the labelled images; paper: Adam head, early stopping watches the test split, as the authors did", defaultText: "honest" }),
    preprocess: opt.enum(["auto", "unit", "caffe"], { placeholder: "P", description: "encoder input: auto (what the weights were trained with: ImageNet mean subtraction for imagenet, the recorded mode for checkpoints), unit ([0,1], the paper's) or caffe", defaultText: "auto" }),
    size: opt.number({ placeholder: "PX", description: "encoder input side (paper 224)", integer: true, min: 32, max: 4096, defaultText: "from the profile" }),
    tiles: opt.number({ placeholder: "K", description: "test-time mean pooling over K×K tiles of a (K·size)² resize", integer: true, min: 1, max: 16, defaultText: "1" }),
    standardize: opt.flag("standardise features with the training images' mean/std"),
    workers: opt.number({ placeholder: "N", description: "worker threads for the fits", integer: true, min: 1, max: 256, defaultText: "CPU cores" }),
    out: opt.string({ placeholder: "DIR", description: "also write runs as DIR/probe-<encoder>-<protocol>.csv/.json" }),
    json: opt.flag("print only { \"results\": [ { \"n\", \"median\", \"q1\", \"q3\", \"runs\" } ] } on stdout"),
  },
  examples: ["nanomorph probe --data ~/tem/nanowires --encoder imagenet --labels-per-class 1,2,4,8 --splits 20 --json"],
}, async ({ values: v }) => {
  const { runProbeExperiment } = await import("../probe/experiment");
  const { probeJson, formatTable, writeRuns } = await import("../probe/results");
  const r = await runProbeExperiment({
    data: v.data, test: v.test, encoder: v.encoder, labelsPerClass: v["labels-per-class"], budgets: v.budget, select: v.select,
    splits: v.splits, seeds: v.seeds, protocol: v.protocol, preprocess: v.preprocess, size: v.size, tiles: v.tiles,
    standardize: v.standardize || undefined, workers: v.workers, out: v.out,
  });
  // Results first, so a failing write (disk full) cannot swallow them.
  console.log(v.json ? JSON.stringify(probeJson(r.runs)) : formatTable(r.runs));
  if (v.out) {
    const files = writeRuns(r.runs, path.resolve(v.out), r.stem);
    console.error(`probe: wrote ${files.csv} and ${files.json}`);
  }
  return 0;
});
