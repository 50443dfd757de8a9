import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ParticleNet, type ParticleNetConfig } from "./net";
import { Adam } from "../nn/adam";
import { variableGrads } from "../nn/variable_grads";
import { instanceLoss, type InstanceLossOptions } from "./loss";
import { sampleCrops, type CropOptions } from "./crops";
import type { LabelledImage } from "./labelled_set";
import { writeModelFolder, readModelFolder, restoreStore, type ParticleModel } from "./model_file";
import type { DecodeOptions } from "./decode";
import { Rng } from "../util/rng";
import { Progress } from "../util/progress";
import { watchInterrupts, interruptSignal, yieldToEventLoop, InterruptedError } from "../util/interrupt";

/** Options of {@link trainParticleModel}. Defaults in brackets. */
export interface ParticleTrainOptions {
  /** Optimiser steps [3000]. */
  steps?: number;
  /** Crops per step [4]. */
  batchSize?: number;
  /** Adam learning rate at the start; cosine decay to 5 % of it by the last step [1e-3]. */
  learningRate?: number;
  /** Seed of weights (when not fine-tuning) and of every crop [0]. */
  seed?: number;
  crop?: CropOptions;
  loss?: InstanceLossOptions;
  /** Architecture of a new network (ignored when `init` is given). */
  net?: ParticleNetConfig;
  /** Start from this model's weights (fine-tuning); not disposed. */
  init?: ParticleModel;
  /** Decode settings stored in the model [init's, else design "boundary", thresholds 0.5]. */
  decode?: DecodeOptions;
  /**
   * Batch norm uses the stored statistics and keeps them, only its scale and shift learn [true with
   * `init` (fine-tuning on a few images, whose crops would otherwise replace what the generalist
   * learned from many), false from scratch].
   */
  freezeNorm?: boolean;
  /** Write a checkpoint every this many steps [100]. */
  checkpointEvery?: number;
  /** Provenance stored in the manifest's `training` (command, data, split, commit …). */
  provenance?: Record<string, unknown>;
  /** Progress label ["particles train"]. */
  label?: string;
  /** Called after every step with the steps done and the step's loss (notebooks, tests). */
  onStep?: (step: number, loss: number) => void;
}

/** What a training run returns: the folder written, steps done, loss per 100-step block, seconds. */
export interface ParticleTrainResult {
  dir: string;
  steps: number;
  losses: number[];
  seconds: number;
  resumedFrom: number;
}

/** Folder of the resumable checkpoint inside a training output folder. */
export const CHECKPOINT_SUBDIR = "checkpoint";

/**
 * Train the particle network on labelled images and write the model to `outDir` (manifest.json +
 * weights). Every `checkpointEvery` steps, and on SIGINT/SIGTERM, the network, the Adam moments and
 * the step go to `outDir/checkpoint/`; running again with the same `outDir` resumes there (crops are
 * drawn from an Rng forked by step number, so a resumed run draws what the uninterrupted one would).
 * A signal ends the run with `InterruptedError` after the checkpoint. Each step runs inside
 * `variableGrads`/tidy and disposes its batch (tensor count stays flat).
 * Throws on no images, bad options, or a checkpoint of another architecture.
 */
export async function trainParticleModel(images: readonly LabelledImage[], outDir: string, opts: ParticleTrainOptions = {}): Promise<ParticleTrainResult> {
  if (!images.length) throw new Error("trainParticleModel: no labelled images");
  const steps = opts.steps ?? 3000, bs = opts.batchSize ?? 4, lr0 = opts.learningRate ?? 1e-3, seed = opts.seed ?? 0;
  const every = opts.checkpointEvery ?? 100;
  const freezeNorm = opts.freezeNorm ?? opts.init !== undefined;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`trainParticleModel: steps must be a positive integer, got ${steps}`);
  if (!(Number.isInteger(bs) && bs >= 1)) throw new Error(`trainParticleModel: batchSize must be a positive integer, got ${bs}`);
  if (!(lr0 > 0)) throw new Error(`trainParticleModel: learningRate must be > 0, got ${lr0}`);
  const net = new ParticleNet(opts.init ? opts.init.manifest.arch : { ...opts.net, seed });
  const size = opts.crop?.size ?? 160;
  if (size % net.multiple) { net.dispose(); throw new Error(`trainParticleModel: crop size ${size} must be a multiple of ${net.multiple}`); }
  const vars = new Map(net.params.entries().filter(([n]) => net.params.kind(n) === "trainable"));
  const adam = new Adam(vars);
  const ckDir = path.join(outDir, CHECKPOINT_SUBDIR);
  const decode: DecodeOptions = opts.decode ?? opts.init?.manifest.decode ?? { design: "boundary", foreground: 0.5, seed: 0.5, minSeed: 3 };
  const training = { ...opts.provenance, steps, batchSize: bs, learningRate: lr0, seed, freezeNorm, crop: opts.crop ?? {}, loss: opts.loss ?? {}, images: images.length, init: opts.init ? path.basename(opts.init.dir) : null };
  let start = 0;
  const losses: number[] = [];
  try {
    if (opts.init) for (const [name, v] of opts.init.net.params.entries()) net.params.assign(name, v);
    if (fs.existsSync(path.join(ckDir, "manifest.json"))) {
      const ck = readModelFolder(ckDir);
      if (JSON.stringify(ck.manifest.arch) !== JSON.stringify(net.arch)) throw new Error(`${ckDir}: checkpoint of another architecture; remove it or choose another --out`);
      restoreStore(ck, "net", net.params);
      restoreStore(ck, "adam", adam.state);
      start = ck.manifest.step;
      adam.step = start;
      losses.push(...((ck.manifest.training.losses as number[] | undefined) ?? []));
    }
  } catch (e) {
    net.dispose(); adam.dispose();
    throw e;
  }
  const save = (dir: string, step: number, groups: "all" | "net"): void => {
    writeModelFolder(dir, groups === "all" ? { net: net.params, adam: adam.state } : { net: net.params }, { arch: net.arch, decode, step, training: { ...training, losses } });
  };
  const bar = new Progress({ label: opts.label ?? "particles train", total: steps, unit: "step" });
  bar.resumeFrom(start);
  const stopWatching = watchInterrupts();
  const t0 = Date.now();
  let blockSum = 0, blockN = 0;
  try {
    for (let s = start; s < steps; s++) {
      const rng = new Rng(seed).fork(`crops-${s}`);
      const b = sampleCrops(images, bs, rng, { ...opts.crop, size });
      const lr = lr0 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * s) / steps)));
      const x = tf.tensor4d(b.grey, [bs, size, size, 1]);
      const cls = tf.tensor3d(Int32Array.from(b.classes), [bs, size, size], "int32");
      const dist = tf.tensor3d(b.distance, [bs, size, size]);
      const { value, grads } = variableGrads(() => instanceLoss(net.forward(x, !freezeNorm), cls, dist, opts.loss), net.trainableVariables);
      const byName = new Map<string, tf.Tensor>();
      for (const [name, v] of vars) { const g = grads[v.name]; if (g) byName.set(name, g); }
      adam.apply(byName, lr);
      tf.dispose(Object.values(grads));
      if (!freezeNorm) net.updateMovingStats();
      const l = value.dataSync()[0];
      tf.dispose([value, x, cls, dist]);
      if (!Number.isFinite(l)) throw new Error(`trainParticleModel: loss became ${l} at step ${s + 1}; lower the learning rate`);
      blockSum += l; blockN++;
      if ((s + 1) % 100 === 0) { losses.push(blockSum / blockN); blockSum = 0; blockN = 0; }
      bar.tick(1, { loss: l.toFixed(4), lr: lr.toExponential(1) });
      opts.onStep?.(s + 1, l);
      if ((s + 1) % every === 0 && s + 1 < steps) save(ckDir, s + 1, "all");
      await yieldToEventLoop();
      const sig = interruptSignal();
      if (sig) {
        save(ckDir, s + 1, "all");
        throw new InterruptedError(sig, `checkpoint at step ${s + 1} in ${ckDir}; run the same command again to resume`);
      }
    }
    if (blockN) losses.push(blockSum / blockN);
    save(outDir, steps, "net");
    fs.rmSync(ckDir, { recursive: true, force: true });
  } finally {
    stopWatching();
    bar.finish();
    net.discardMoments();
    net.dispose();
    adam.dispose();
  }
  return { dir: outDir, steps, losses, seconds: (Date.now() - t0) / 1000, resumedFrom: start };
}
