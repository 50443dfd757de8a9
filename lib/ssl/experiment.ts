/**
 * What `nanomorph pretrain` runs, callable from notebooks: claim the output folder (checked before any
 * data or encoder is loaded, one run per folder), decide between a new run and an exact resume (a
 * resume without a checkpoint is refused unless `fresh`), say the settings, and pretrain.
 */
import * as fs from "fs";
import * as path from "path";
import { profileName, profileIsExplicit, type ProfileName } from "../config/index";
import { pretrainConfigFor, type PretrainConfig, type SslMethod } from "./config";
import { runPretrain, type RunPretrainResult } from "./run";
import { prepareOutputDir } from "../util/output_dir";
import { holdOutputLock } from "../util/output_run";
import { UsageError } from "../util/errors";
import type { PretrainOptions } from "./trainer";

/**
 * The one-line note `pretrain` prints (stderr, once) for a profile, or undefined. For `quality`: on the
 * real EMPS two-class set its fine-tune did not beat the frozen ImageNet ResNet50 (docs/defaults.md), so
 * a user should know `probe --encoder imagenet` needs no pretraining.
 */
export function pretrainProfileNote(profile: ProfileName): string | undefined {
  if (profile !== "quality") return undefined;
  return "pretrain: note: on the measured real set (EMPS few/many particles) frozen ImageNet features " +
    "(probe --encoder imagenet, no pretraining) were as good as these defaults' fine-tune or better; see README, \"Defaults\" (docs/defaults.md)";
}

/** Options of {@link runPretrainExperiment}. */
export interface PretrainExperimentOptions {
  method: SslMethod;
  /** Run folder: checkpoints/epoch-NNNN/, latest.json, loss.csv, log.json. */
  out: string;
  /** Folder-per-class images (labels feed only the kNN monitor); default: the profile's synthetic set. */
  data?: string;
  /** Continue the run in `out` exactly where its last checkpoint stopped. */
  resume?: boolean;
  /** With `resume`: start a new run when `out` holds no checkpoint yet (else that is an error). */
  fresh?: boolean;
  /** Config overrides on top of the profile (encoder, seed, epochs, loss …). */
  overrides?: Partial<PretrainConfig>;
  /** Each epoch's mean loss and kNN accuracy. */
  onEpoch?: PretrainOptions["onEpoch"];
  /** Notes (default stderr). */
  log?: (line: string) => void;
}

/**
 * Pretrain into `out`. SIGINT/SIGTERM/SIGHUP write a checkpoint and stop (InterruptedError, 130/143/129).
 * @throws UsageError when `resume` finds no checkpoint and `fresh` is not set; Error naming the folder
 * when `out` cannot be used or another run holds it
 */
export async function runPretrainExperiment(o: PretrainExperimentOptions): Promise<RunPretrainResult> {
  const log = o.log ?? ((l: string) => console.error(l));
  // Before loading data or an encoder: a file in the way or the data folder itself is refused.
  const out = prepareOutputDir(o.out, { option: "pretrain --out", inputs: o.data ? [o.data] : [] }).dir;
  // One run per folder: two pretrains (or a --resume beside a live run) would interleave checkpoints.
  const [releaseLock, staleNote] = holdOutputLock(out, "pretrain", "pretrain --out");
  if (staleNote) log(`pretrain: ${staleNote}`);
  try {
    let resume = !!o.resume;
    if (resume && !fs.existsSync(path.join(out, "latest.json"))) {
      if (!o.fresh) {
        throw new UsageError(`pretrain --resume: ${out} holds no checkpoint to resume from (no latest.json); nothing was run. ` +
          "Check the --out path, or add --fresh to start a new run there");
      }
      log(`pretrain: ${out} holds no checkpoint yet; starting a new run (--fresh)`);
      resume = false;
    }
    // The settings in use, always: a user must see what runs before it runs.
    const shown = pretrainConfigFor(profileName(), { ...o.overrides, method: o.method });
    log(`pretrain: profile ${profileName()}${profileIsExplicit() ? "" : " (default; --profile to change)"}; ${shown.method} on ${shown.encoder} at ${shown.imageSize}px, ` +
      `batch ${shown.batchSize}, ${shown.epochs} epochs, preprocess ${shown.preprocess}, seed ${shown.seed}`);
    const note = pretrainProfileNote(profileName());
    if (note) log(note);
    return await runPretrain({
      method: o.method, out, data: o.data ? path.resolve(o.data) : undefined,
      profile: profileName(), overrides: o.overrides, resume, handleSignals: true, onEpoch: o.onEpoch,
    });
  } finally {
    releaseLock();
  }
}
