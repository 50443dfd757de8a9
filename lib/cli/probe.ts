import * as path from "path";
import { type Command, parse, UsageError, numberArg, numberListArg } from "./args";
import { initBackend } from "../backend/index";
import { loadProbeConfig, sweepConfigOf } from "../probe/config";
import { listProbeImages, prepareSweepData } from "../probe/dataset";
import { runSweepParallel } from "../probe/parallel";
import { probeJson, formatTable, writeRuns } from "../probe/results";
import type { Protocol } from "../probe/sweep";
import { checkProbeClasses } from "../probe/class_checks";
import { prepareOutputDir } from "../util/output_dir";

const HELP = `usage: nanomorph probe --data DIR [--test DIR] --encoder imagenet|resnet8|PATH [options]

Label-efficiency sweep with a linear probe on frozen-encoder features (the paper's main result):
for every split seed, a stratified 80/20 split (or the fixed test set), n labelled images per class,
a softmax probe (Adam 1e-3, batch 4, ≤300 epochs, early stopping patience 10); prints the median
[IQR] test accuracy per n. Features are cached on disk (keyed by weights, file contents, size).

  --data DIR               folder-per-class images (any size/format: jpg, png, tif …), or a split
                           folder with train/ (or augmented_train/) and test/
  --test DIR               folder-per-class fixed test set (same classes as --data)
  --encoder SPEC           imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5 (default imagenet)
  --labels-per-class LIST  e.g. 1,2,4,8 (default from configs/probe.json for the profile)
  --splits K               split seeds 42 … 42+K−1 (default from the profile)
  --seeds LIST             encoder seeds (default from the profile; seed the probe for fixed encoders)
  --protocol P             honest (default: early stopping on validation carved from the labelled
                           images) | paper (early stopping watches the test split, as the authors did)
  --size PX                encoder input side (default from the profile; paper 224)
  --tiles K                test-time mean pooling over K×K tiles of a (K·size)² resize (default 1)
  --standardize            standardise features with the training images' mean/std
  --workers N              worker threads for the fits (default: CPU cores)
  --out DIR                also write runs as DIR/probe-<encoder>-<protocol>.csv/.json
  --json                   print only { "results": [ { "n", "median", "q1", "q3", "runs" } ] } on stdout

example: nanomorph probe --data ~/tem/nanowires --encoder imagenet --labels-per-class 1,2,4,8 --splits 20 --json`;

const OPTIONS = {
  data: { type: "string" },
  test: { type: "string" },
  encoder: { type: "string" },
  "labels-per-class": { type: "string" },
  splits: { type: "string" },
  seeds: { type: "string" },
  protocol: { type: "string" },
  size: { type: "string" },
  tiles: { type: "string" },
  standardize: { type: "boolean" },
  workers: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
} as const;

export const command: Command = {
  name: "probe",
  summary: "linear-probe label-efficiency sweep on any folder of images (median [IQR] accuracy per n)",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.data) throw new UsageError(`probe: --data DIR is required\n\n${HELP}`);
    const cfg = loadProbeConfig();
    const protocol = (v.protocol as string | undefined) ?? cfg.protocol;
    if (protocol !== "honest" && protocol !== "paper") throw new UsageError(`--protocol must be honest or paper, got '${protocol}'`);
    const labelsPerClass = numberListArg("labels-per-class", v["labels-per-class"] as string | undefined, cfg.labelsPerClass);
    if (labelsPerClass.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--labels-per-class must be positive integers, got '${v["labels-per-class"]}'`);
    const splits = numberArg("splits", v.splits as string | undefined, cfg.splits);
    if (!Number.isInteger(splits) || splits < 1) throw new UsageError(`--splits must be a positive integer, got '${v.splits}'`);
    const seeds = numberListArg("seeds", v.seeds as string | undefined, cfg.encoderSeeds);
    const size = numberArg("size", v.size as string | undefined, cfg.size);
    if (!Number.isInteger(size) || size < 32) throw new UsageError(`--size must be an integer ≥ 32, got '${v.size}'`);
    const tiles = numberArg("tiles", v.tiles as string | undefined, cfg.tiles);
    const workers = v.workers === undefined ? undefined : numberArg("workers", v.workers as string, 1);
    const spec = (v.encoder as string | undefined) ?? "imagenet";

    const images = listProbeImages(path.resolve(v.data as string), v.test ? path.resolve(v.test as string) : undefined);
    // Before any feature is computed: class counts, and an --out that can really be written.
    for (const w of checkProbeClasses(images, path.resolve(v.data as string))) console.error(w);
    if (v.out) prepareOutputDir(v.out as string, { option: "probe --out", inputs: [v.data as string, ...(v.test ? [v.test as string] : [])] });
    const backend = await initBackend();
    const name = /[\\/]/.test(spec) ? path.basename(spec.replace(/[\\/]+$/, "")) : spec;
    console.error(`probe: ${images.files.length} images, ${images.classes.length} classes (${images.classes.join(", ")})` +
      `${images.testRows ? `, fixed test set of ${images.testRows.length}` : ""}; encoder ${name} at ${size}px` +
      `${tiles > 1 ? ` × ${tiles}² tiles` : ""}; backend ${backend.name}; protocol ${protocol}`);
    const data = await prepareSweepData(images, [{ spec, name, seeds }], { size, tiles });
    const runs = await runSweepParallel(data, sweepConfigOf(cfg, {
      labelsPerClass, splitSeeds: Array.from({ length: splits }, (_, i) => cfg.firstSplitSeed + i),
      protocol: protocol as Protocol, standardize: v.standardize ? true : cfg.standardize,
    }), { workers });
    // Results first, so a failing write (disk full) cannot swallow them.
    if (v.json) console.log(JSON.stringify(probeJson(runs)));
    else console.log(formatTable(runs));
    if (v.out) {
      const files = writeRuns(runs, path.resolve(v.out as string), `probe-${name}-${protocol}`);
      console.error(`probe: wrote ${files.csv} and ${files.json}`);
    }
    return 0;
  },
};
