import * as path from "path";
import { type Command, parse, UsageError, numberArg, numberListArg } from "./args";
import { initBackend } from "../backend/index";
import { loadProbeConfig, sweepConfigOf } from "../probe/config";
import { listProbeImages, prepareSweepData } from "../probe/dataset";
import { runSweepParallel } from "../probe/parallel";
import { runBudgetSweep, randomRows, type Selection, type SelectRows } from "../probe/budget";
import { feasibleLabelsPerClass, downscaleNote } from "../probe/feasible";
import { suggestRows } from "../probe/suggest";
import { probeJson, formatTable, writeRuns } from "../probe/results";
import { PROTOCOLS, type Protocol } from "../probe/sweep";
import { profileName, profileIsExplicit } from "../config/index";
import type { PreprocessChoice } from "../models/preprocess";
import { checkProbeClasses } from "../probe/class_checks";
import { prepareOutputDir } from "../util/output_dir";

const HELP = `usage: nanomorph probe --data DIR [--test DIR] --encoder imagenet|resnet8|PATH [options]

Label-efficiency sweep with a linear head on frozen-encoder features (the paper's main result):
for every split seed, a stratified 80/20 split (or the fixed test set), n labelled images per class,
a linear head fitted on them; prints the median [IQR] test accuracy per n. Default head (protocol
honest): L2 logistic regression on standardised features, its C chosen by cross-validation on the
labelled images only. Features are cached on disk (keyed by weights, preprocessing, file contents, size).
Without --profile the 'quality' settings apply (never 'ci'); the settings used are printed first.

  --data DIR               folder-per-class images (any size/format: jpg, png, tif …), or a split
                           folder with train/ (or augmented_train/) and test/
  --test DIR               folder-per-class fixed test set (same classes as --data)
  --encoder SPEC           imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5 (default imagenet)
  --labels-per-class LIST  e.g. 1,2,4,8 (default from configs/probe.json for the profile)
                           (entries larger than the smallest class allows are dropped, with a note)
  --budget LIST            total label budgets instead, e.g. 2,4,8: B images picked without looking at
                           labels (--select), honest head; JSON rows carry "budget" instead of "n"
  --select S               how budget images are picked: random (default) | suggest (what
                           'nanomorph suggest' would pick: coverage of the feature space)
  --splits K               split seeds 42 … 42+K−1 (default from the profile)
  --seeds LIST             encoder seeds (default from the profile; seed the probe for fixed encoders)
  --protocol P             honest (default: logistic head, C by CV on the labelled images) |
                           honest-adam (the paper's Adam head, early stopping on validation carved from
                           the labelled images) | paper (Adam head, early stopping watches the test
                           split, as the authors did)
  --preprocess P           encoder input: auto (default: what the weights were trained with — ImageNet
                           mean subtraction for imagenet, the recorded mode for checkpoints) | unit
                           ([0,1], the paper's) | caffe
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
  budget: { type: "string" },
  select: { type: "string" },
  preprocess: { type: "string" },
  size: { type: "string" },
  tiles: { type: "string" },
  standardize: { type: "boolean" },
  workers: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
} as const;

/** The label-blind selector behind `--select`: random, or the coverage pick of `nanomorph suggest`. */
function selectorFor(select: Selection): SelectRows {
  if (select === "random") return randomRows;
  return (X, pool, budget, seed) => suggestRows(X, pool, budget, { seed }).map((s) => s.row);
}

export const command: Command = {
  name: "probe",
  summary: "linear-probe label-efficiency sweep on any folder of images (median [IQR] accuracy per n)",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.data) throw new UsageError(`probe: --data DIR is required\n\n${HELP}`);
    const cfg = loadProbeConfig();
    const protocol = (v.protocol as string | undefined) ?? cfg.protocol;
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(", ")}, got '${protocol}'`);
    const preprocess = ((v.preprocess as string | undefined) ?? cfg.preprocess) as PreprocessChoice;
    if (!["auto", "unit", "caffe"].includes(preprocess)) throw new UsageError(`--preprocess must be auto, unit or caffe, got '${preprocess}'`);
    let labelsPerClass = numberListArg("labels-per-class", v["labels-per-class"] as string | undefined, cfg.labelsPerClass);
    if (labelsPerClass.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--labels-per-class must be positive integers, got '${v["labels-per-class"]}'`);
    const budgets = v.budget === undefined ? null : numberListArg("budget", v.budget as string, []);
    if (budgets && (budgets.length === 0 || budgets.some((b) => !Number.isInteger(b) || b < 1))) throw new UsageError(`--budget must be positive integers, got '${v.budget}'`);
    const select = ((v.select as string | undefined) ?? "random") as Selection;
    if (select !== "random" && select !== "suggest") throw new UsageError(`--select must be random or suggest, got '${v.select}'`);
    if (v.select !== undefined && !budgets) throw new UsageError("--select goes with --budget (per-class draws are random by definition)");
    const splits = numberArg("splits", v.splits as string | undefined, cfg.splits);
    // Bounded: every split is a full probe fit; 1e9 of them would exhaust memory before the first result.
    if (!Number.isInteger(splits) || splits < 1 || splits > 10000) throw new UsageError(`--splits must be an integer in 1..10000, got '${v.splits}'`);
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
    if (!budgets) {
      const fits = feasibleLabelsPerClass(images, labelsPerClass, cfg.testFraction);
      const dropped = labelsPerClass.filter((n) => !fits.includes(n));
      if (fits.length === 0) throw new UsageError(`probe: no --labels-per-class value fits: the smallest class leaves ${Math.max(0, Math.min(...labelsPerClass) - 1)} or fewer training images; pass smaller values`);
      if (dropped.length) {
        if (v["labels-per-class"] !== undefined) throw new UsageError(`probe: --labels-per-class ${dropped.join(",")} exceeds what the smallest class's training part holds; the largest that fits here is ${Math.max(...fits)}`);
        console.error(`probe: note: n = ${dropped.join(", ")} dropped from the profile's list (a class has too few images)`);
        labelsPerClass = fits;
      }
    }
    const backend = await initBackend();
    const name = /[\\/]/.test(spec) ? path.basename(spec.replace(/[\\/]+$/, "")) : spec;
    console.error(`probe: ${images.files.length} images, ${images.classes.length} classes (${images.classes.join(", ")})` +
      `${images.testRows ? `, fixed test set of ${images.testRows.length}` : ""}; encoder ${name} at ${size}px` +
      `${tiles > 1 ? ` × ${tiles}² tiles` : ""}, preprocess ${preprocess}; backend ${backend.name}; protocol ${protocol}`);
    console.error(`probe: profile ${profileName()}${profileIsExplicit() ? "" : " (default; --profile to change)"}: ` +
      `${budgets ? `budgets {${budgets.join(", ")}} picked by ${select}` : `n ∈ {${labelsPerClass.join(", ")}}`}, ${splits} splits, seeds ${seeds.join(",")}`);
    const squeeze = await downscaleNote(images.files, size, tiles);
    if (squeeze) console.error(`probe: note: ${squeeze}`);
    const data = await prepareSweepData(images, [{ spec, name, seeds, preprocess }], { size, tiles });
    const splitSeeds = Array.from({ length: splits }, (_, i) => cfg.firstSplitSeed + i);
    const runs = budgets
      ? runBudgetSweep(data, { budgets, splitSeeds, testFraction: cfg.testFraction }, select, selectorFor(select))
      : await runSweepParallel(data, sweepConfigOf(cfg, {
        labelsPerClass, splitSeeds, protocol: protocol as Protocol, standardize: v.standardize ? true : cfg.standardize,
      }), { workers });
    // Results first, so a failing write (disk full) cannot swallow them.
    if (v.json) console.log(JSON.stringify(probeJson(runs)));
    else console.log(formatTable(runs));
    if (v.out) {
      const files = writeRuns(runs, path.resolve(v.out as string), budgets ? `probe-${name}-budget-${select}` : `probe-${name}-${protocol}`);
      console.error(`probe: wrote ${files.csv} and ${files.json}`);
    }
    return 0;
  },
};
