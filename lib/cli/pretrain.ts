import * as fs from "fs";
import * as path from "path";
import { type Command, parse, UsageError, numberArg } from "./args";
import { profileName, profileIsExplicit } from "../config/index";
import { pretrainConfigFor } from "../ssl/config";
import { runPretrain } from "../ssl/run";
import { NonFiniteLossError } from "../ssl/trainer";
import type { SslMethod } from "../ssl/config";
import { prepareOutputDir } from "../util/output_dir";
import { holdOutputLock } from "../util/output_run";
import type { ProfileName } from "../config/index";

/**
 * The one-line note `pretrain` prints (stderr, once) for a profile, or undefined. For `quality`: on the
 * real EMPS two-class set its fine-tune did not beat the frozen ImageNet ResNet50 (README, "`pretrain`
 * defaults, and how they were chosen"), so a user should know `probe --encoder imagenet` needs no pretraining.
 */
export function pretrainProfileNote(profile: ProfileName): string | undefined {
  if (profile !== "quality") return undefined;
  return "pretrain: note: on the measured real set (EMPS few/many particles) frozen ImageNet features " +
    "(probe --encoder imagenet, no pretraining) were as good as these defaults' fine-tune or better; see README, \"`pretrain` defaults, and how they were chosen\"";
}

const HELP = `usage: nanomorph pretrain --method simclr|barlow --out DIR [--data DIR] [--profile ci|laptop|quality|paper]
                          [--resume] [--encoder resnet8|resnet18|resnet50|imagenet|PATH] [--seed N] [--epochs N]

Self-supervised pretraining of an encoder (SimCLR or Barlow Twins, the paper's losses) on a folder of
images, with settings from configs/pretrain.json for the profile (ci: resnet8 at 64 px, a few epochs;
paper: ImageNet ResNet50, 224 px, batch 64, 200 epochs, SGD lr 0.2 cosine over 1000 steps). Without
--profile the 'quality' settings apply: a short fine-tune of the ImageNet ResNet50 (README, "\`pretrain\`
defaults, and how they were chosen", gives the measurements; frozen ImageNet features were as good or better there).

  --method M       simclr | barlow (required)
  --out DIR        run directory: checkpoints/epoch-NNNN/, latest.json, loss.csv, log.json (required)
  --data DIR       folder-per-class images (class labels only feed the kNN monitor);
                   default: the synthetic nanowire set of the profile
  --resume         continue the run in --out exactly where its last checkpoint stopped; refused when
                   --out holds no checkpoint (a typo in the path must not restart from step 1)
  --fresh          with --resume: start a new run when --out holds no checkpoint yet
  --encoder SPEC   starting encoder (default from the profile)
  --seed N         master seed (default 42)
  --epochs N       number of epochs (default from the profile)
  --loss V         paper (default) | standard (NT-Xent 2N / original Barlow sums)

The result is usable wherever an encoder is asked for: --encoder DIR (the run directory or one checkpoint).
Ctrl-C (SIGINT), SIGTERM or SIGHUP writes a checkpoint at the current step and exits 130 / 143 / 129; --resume continues
from it exactly, and refuses another --data folder or config (naming what differs).

example: nanomorph pretrain --method barlow --profile ci --out runs/barlow-ci`;

const OPTIONS = {
  method: { type: "string" },
  out: { type: "string" },
  data: { type: "string" },
  resume: { type: "boolean" },
  fresh: { type: "boolean" },
  encoder: { type: "string" },
  seed: { type: "string" },
  epochs: { type: "string" },
  loss: { type: "string" },
} as const;

export const command: Command = {
  name: "pretrain",
  summary: "self-supervised pretraining (SimCLR / Barlow Twins) with checkpoints and exact --resume",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    const method = v.method as string | undefined;
    if (method !== "simclr" && method !== "barlow") throw new UsageError(`pretrain: --method must be simclr or barlow, got '${method ?? ""}'\n\n${HELP}`);
    if (!v.out) throw new UsageError(`pretrain: --out DIR is required\n\n${HELP}`);
    const loss = v.loss as string | undefined;
    if (loss !== undefined && loss !== "paper" && loss !== "standard") throw new UsageError(`pretrain: --loss must be paper or standard, got '${loss}'`);
    const overrides: Record<string, unknown> = {};
    if (v.encoder) overrides.encoder = v.encoder;
    if (v.seed !== undefined) overrides.seed = numberArg("seed", v.seed as string, 42);
    if (v.epochs !== undefined) {
      const e = numberArg("epochs", v.epochs as string, 1);
      if (!Number.isInteger(e) || e < 1) throw new UsageError(`pretrain: --epochs must be a positive integer, got '${v.epochs}'`);
      overrides.epochs = e;
    }
    if (loss) overrides.loss = loss;
    // Before loading data or an encoder: a file in the way or the data folder itself is refused.
    const out = prepareOutputDir(v.out as string, { option: "pretrain --out", inputs: v.data ? [v.data as string] : [] }).dir;
    // One run per folder: two pretrains (or a --resume beside a live run) would interleave checkpoints.
    const [releaseLock, staleNote] = holdOutputLock(out, "pretrain", "pretrain --out");
    if (staleNote) console.error(`pretrain: ${staleNote}`);
    try {
      return await runLocked();
    } finally {
      releaseLock();
    }
    async function runLocked(): Promise<number> {
      let resume = !!v.resume;
      if (resume && !fs.existsSync(path.join(out, "latest.json"))) {
        if (!v.fresh) {
          throw new UsageError(`pretrain --resume: ${out} holds no checkpoint to resume from (no latest.json); nothing was run. ` +
            "Check the --out path, or add --fresh to start a new run there");
        }
        console.error(`pretrain: ${out} holds no checkpoint yet; starting a new run (--fresh)`);
        resume = false;
      }
      // The settings in use, always (stderr): a user must see what runs before it runs.
      const shown = pretrainConfigFor(profileName(), { ...overrides, method: method as SslMethod });
      console.error(`pretrain: profile ${profileName()}${profileIsExplicit() ? "" : " (default; --profile to change)"}; ${shown.method} on ${shown.encoder} at ${shown.imageSize}px, ` +
        `batch ${shown.batchSize}, ${shown.epochs} epochs, preprocess ${shown.preprocess}, seed ${shown.seed}`);
      const note = pretrainProfileNote(profileName());
      if (note) console.error(note);
      try {
        const r = await runPretrain({
          method: method as SslMethod, out, data: v.data ? path.resolve(v.data as string) : undefined,
          profile: profileName(), overrides, resume, handleSignals: true,
          onEpoch: (e) => {
            if (e.monitorAccuracy !== undefined) console.error(`pretrain: epoch ${e.epoch} loss ${e.meanLoss.toFixed(4)} kNN accuracy ${e.monitorAccuracy.toFixed(3)}`);
          },
        });
        const last = r.epochs[r.epochs.length - 1];
        console.log(`pretrain: ${method} on ${r.imageCount} images (${r.classes.join(", ")}), ${r.steps} steps; ` +
          `final loss ${last ? last.meanLoss.toFixed(4) : "n/a"}` +
          (r.initialMonitorAccuracy !== undefined && last?.monitorAccuracy !== undefined
            ? `; kNN accuracy ${r.initialMonitorAccuracy.toFixed(3)} (untrained) → ${last.monitorAccuracy.toFixed(3)}` : "") +
          `\ncheckpoint: ${r.checkpoint}\nuse it with: --encoder ${out}`);
        r.encoder.dispose(); r.head.dispose();
        return 0;
      } catch (e) {
        if (e instanceof NonFiniteLossError) { console.error(`nanomorph pretrain: ${e.message}`); return 3; }
        throw e;
      }
    }
  },
};
