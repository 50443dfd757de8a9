/**
 * The label-efficiency experiment behind `nanomorph probe`, callable from notebooks too: list a
 * folder (or a split folder / fixed test set), embed every image once with a frozen encoder (features
 * cached on disk), then for every split seed fit a head on n labelled images per class — or, with
 * `budgets`, on B images picked without looking at labels — and score it on the held-out images.
 */
import * as path from "path";
import { initBackend } from "../backend/index";
import { loadProbeConfig, sweepConfigOf, type ProbeRunConfig } from "./config";
import { listProbeImages, prepareSweepData } from "./dataset";
import { runSweepParallel } from "./parallel";
import { runBudgetSweep, randomRows, type BudgetRecord, type Selection, type SelectRows } from "./budget";
import { feasibleLabelsPerClass, downscaleNote } from "./feasible";
import { suggestRows } from "./suggest";
import type { Protocol, RunRecord } from "./sweep";
import { checkProbeClasses } from "./class_checks";
import { prepareOutputDir } from "../util/output_dir";
import { profileName, profileIsExplicit } from "../config/index";
import { UsageError } from "../util/errors";
import type { PreprocessChoice } from "../models/preprocess";

/** Options of {@link runProbeExperiment}; every setting left out comes from configs/probe.json for the profile. */
export interface ProbeExperimentOptions {
  /** Folder-per-class images, or a split folder with train/ (or augmented_train/) and test/. */
  data: string;
  /** Folder-per-class fixed test set (same classes as `data`). */
  test?: string;
  /** Encoder spec: imagenet | resnet50 | resnet18 | resnet8 | checkpoint dir | Keras .h5. Default "imagenet". */
  encoder?: string;
  /**
   * Labelled images per class. Values a class cannot hold are an error when given here, and are dropped
   * with a note when they come from the profile.
   */
  labelsPerClass?: number[];
  /** Total label budgets instead of n per class (honest head; rows carry `budget`). */
  budgets?: number[];
  /** How budget images are picked: random (default) | suggest (coverage of the feature space). */
  select?: Selection;
  /** Split seeds firstSplitSeed … firstSplitSeed + splits − 1. */
  splits?: number;
  /** Encoder seeds (seed the probe for fixed encoders). */
  seeds?: number[];
  protocol?: Protocol;
  preprocess?: PreprocessChoice;
  /** Encoder input side, px. */
  size?: number;
  /** Test-time mean pooling over tiles × tiles. */
  tiles?: number;
  standardize?: boolean;
  /** Worker threads for the fits (default: CPU cores). */
  workers?: number;
  /**
   * Where the caller will write the runs (`writeRuns(result.runs, out, result.stem)`): checked before any
   * work, so a folder that cannot be written fails in seconds, not after the sweep. Writing is left to the
   * caller so results reach the screen before a write can fail.
   */
  out?: string;
  /** Settings of the profile (default: the active profile's configs/probe.json). */
  config?: ProbeRunConfig;
  /** Progress and notes, one line each (default: stderr). */
  log?: (line: string) => void;
}

/** What {@link runProbeExperiment} returns. */
export interface ProbeExperimentResult {
  /** One row per (encoder seed, split seed, n or budget). */
  runs: RunRecord[] | BudgetRecord[];
  /** Encoder display name (a path's base name). */
  encoderName: string;
  /** File stem for the runs: `probe-<encoder>-<protocol>` or `probe-<encoder>-budget-<select>`. */
  stem: string;
}

/** The label-blind selector behind `select`: random, or the coverage pick of `nanomorph suggest`. */
function selectorFor(select: Selection): SelectRows {
  if (select === "random") return randomRows;
  return (X, pool, budget, seed) => suggestRows(X, pool, budget, { seed }).map((s) => s.row);
}

/**
 * Run the probe experiment. Checks the options against the data (class sizes, an `out` that can be
 * written) before any feature is computed.
 * @throws UsageError naming the option (as the CLI spells it) when a value does not fit the data
 */
export async function runProbeExperiment(o: ProbeExperimentOptions): Promise<ProbeExperimentResult> {
  const log = o.log ?? ((l: string) => console.error(l));
  const cfg = o.config ?? loadProbeConfig();
  const protocol = o.protocol ?? cfg.protocol;
  const preprocess = o.preprocess ?? cfg.preprocess;
  const select = o.select ?? "random";
  if (o.select !== undefined && !o.budgets) throw new UsageError("--select goes with --budget (per-class draws are random by definition)");
  const splits = o.splits ?? cfg.splits;
  const seeds = o.seeds ?? cfg.encoderSeeds;
  const size = o.size ?? cfg.size;
  const tiles = o.tiles ?? cfg.tiles;
  const spec = o.encoder ?? "imagenet";
  let labelsPerClass = o.labelsPerClass ?? cfg.labelsPerClass;

  const dataDir = path.resolve(o.data);
  const images = listProbeImages(dataDir, o.test ? path.resolve(o.test) : undefined);
  for (const w of checkProbeClasses(images, dataDir)) log(w);
  if (o.out) prepareOutputDir(o.out, { option: "probe --out", inputs: [o.data, ...(o.test ? [o.test] : [])] });
  if (!o.budgets) {
    const fits = feasibleLabelsPerClass(images, labelsPerClass, cfg.testFraction);
    const dropped = labelsPerClass.filter((n) => !fits.includes(n));
    if (fits.length === 0) throw new UsageError(`no --labels-per-class value fits: the smallest class leaves ${Math.max(0, Math.min(...labelsPerClass) - 1)} or fewer training images; pass smaller values`);
    if (dropped.length) {
      if (o.labelsPerClass) throw new UsageError(`--labels-per-class ${dropped.join(",")} exceeds what the smallest class's training part holds; the largest that fits here is ${Math.max(...fits)}`);
      log(`probe: note: n = ${dropped.join(", ")} dropped from the profile's list (a class has too few images)`);
      labelsPerClass = fits;
    }
  }
  const backend = await initBackend();
  const encoderName = /[\\/]/.test(spec) ? path.basename(spec.replace(/[\\/]+$/, "")) : spec;
  log(`probe: ${images.files.length} images, ${images.classes.length} classes (${images.classes.join(", ")})` +
    `${images.testRows ? `, fixed test set of ${images.testRows.length}` : ""}; encoder ${encoderName} at ${size}px` +
    `${tiles > 1 ? ` × ${tiles}² tiles` : ""}, preprocess ${preprocess}; backend ${backend.name}; protocol ${protocol}`);
  log(`probe: profile ${profileName()}${profileIsExplicit() ? "" : " (default; --profile to change)"}: ` +
    `${o.budgets ? `budgets {${o.budgets.join(", ")}} picked by ${select}` : `n ∈ {${labelsPerClass.join(", ")}}`}, ${splits} splits, seeds ${seeds.join(",")}`);
  const squeeze = await downscaleNote(images.files, size, tiles);
  if (squeeze) log(`probe: note: ${squeeze}`);
  const data = await prepareSweepData(images, [{ spec, name: encoderName, seeds, preprocess }], { size, tiles });
  const splitSeeds = Array.from({ length: splits }, (_, i) => cfg.firstSplitSeed + i);
  const runs = o.budgets
    ? runBudgetSweep(data, { budgets: o.budgets, splitSeeds, testFraction: cfg.testFraction }, select, selectorFor(select))
    : await runSweepParallel(data, sweepConfigOf(cfg, {
      labelsPerClass, splitSeeds, protocol, standardize: o.standardize ? true : cfg.standardize,
    }), { workers: o.workers });
  return { runs, encoderName, stem: o.budgets ? `probe-${encoderName}-budget-${select}` : `probe-${encoderName}-${protocol}` };
}
