import { defineCommand, opt } from "./options";

/** `nanomorph pretrain`: self-supervised pretraining (lib/ssl/experiment.ts). */
export const command = defineCommand({
  name: "pretrain",
  summary: "self-supervised pretraining (SimCLR / Barlow Twins) with checkpoints and exact --resume",
  usage: "pretrain --method simclr|barlow --out DIR [--data DIR] [--resume [--fresh]] [options]",
  description: `Self-supervised pretraining of an encoder (SimCLR or Barlow Twins, the paper's losses) on a folder of
images, with settings from configs/pretrain.json for the profile (ci: resnet8 at 64 px, a few epochs; paper:
ImageNet ResNet50, 224 px, batch 64, 200 epochs, SGD lr 0.2 cosine over 1000 steps). Without --profile the
'quality' settings apply: a short fine-tune of the ImageNet ResNet50 (docs/defaults.md gives the measurements;
frozen ImageNet features were as good or better there).

The result is usable wherever an encoder is asked for: --encoder DIR (the run directory or one checkpoint).
Ctrl-C (SIGINT), SIGTERM or SIGHUP writes a checkpoint at the current step and exits 130 / 143 / 129; --resume
continues from it exactly, and refuses another --data folder or config (naming what differs).`,
  options: {
    method: opt.enum(["simclr", "barlow"], { placeholder: "M", description: "the self-supervised method", required: true }),
    out: opt.string({ placeholder: "DIR", required: true, description: "run directory: checkpoints/epoch-NNNN/, latest.json, loss.csv, log.json" }),
    data: opt.string({ placeholder: "DIR", description: "folder-per-class images (class labels only feed the kNN monitor)", defaultText: "the synthetic nanowire set of the profile" }),
    resume: opt.flag("continue the run in --out exactly where its last checkpoint stopped; refused when --out holds no checkpoint (a typo in the path must not restart from step 1)"),
    fresh: opt.flag("with --resume: start a new run when --out holds no checkpoint yet"),
    encoder: opt.string({ placeholder: "SPEC", description: "starting encoder: resnet8 | resnet18 | resnet50 | imagenet | PATH", defaultText: "from the profile" }),
    seed: opt.number({ placeholder: "N", description: "master seed", integer: true, min: 0, max: 2 ** 32 - 1, defaultText: "from the profile (42)" }),
    epochs: opt.number({ placeholder: "N", description: "number of epochs", integer: true, min: 1, max: 100000, defaultText: "from the profile" }),
    loss: opt.enum(["paper", "standard"], { placeholder: "V", description: "paper, or standard (NT-Xent 2N / original Barlow sums)", defaultText: "paper" }),
  },
  examples: ["nanomorph pretrain --method barlow --profile ci --out runs/barlow-ci"],
}, async ({ values: v }) => {
  const { runPretrainExperiment } = await import("../ssl/experiment");
  const { NonFiniteLossError } = await import("../ssl/trainer");
  const overrides = {
    ...(v.encoder !== undefined ? { encoder: v.encoder } : {}), ...(v.seed !== undefined ? { seed: v.seed } : {}),
    ...(v.epochs !== undefined ? { epochs: v.epochs } : {}), ...(v.loss !== undefined ? { loss: v.loss } : {}),
  };
  try {
    const r = await runPretrainExperiment({
      method: v.method, out: v.out, data: v.data, resume: v.resume, fresh: v.fresh, overrides,
      onEpoch: (e) => {
        if (e.monitorAccuracy !== undefined) console.error(`pretrain: epoch ${e.epoch} loss ${e.meanLoss.toFixed(4)} kNN accuracy ${e.monitorAccuracy.toFixed(3)}`);
      },
    });
    const last = r.epochs[r.epochs.length - 1];
    console.log(`pretrain: ${v.method} on ${r.imageCount} images (${r.classes.join(", ")}), ${r.steps} steps; ` +
      `final loss ${last ? last.meanLoss.toFixed(4) : "n/a"}` +
      (r.initialMonitorAccuracy !== undefined && last?.monitorAccuracy !== undefined
        ? `; kNN accuracy ${r.initialMonitorAccuracy.toFixed(3)} (untrained) → ${last.monitorAccuracy.toFixed(3)}` : "") +
      `\ncheckpoint: ${r.checkpoint}\nuse it with: --encoder ${v.out}`);
    r.encoder.dispose(); r.head.dispose();
    return 0;
  } catch (e) {
    if (e instanceof NonFiniteLossError) { console.error(`nanomorph pretrain: ${e.message}`); return 3; }
    throw e;
  }
});
