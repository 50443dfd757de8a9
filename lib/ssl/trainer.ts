/**
 * The SSL pretraining loop (SimCLR or Barlow Twins): two seeded augmented views per batch, encoder and
 * projection head with BatchNorm in training mode, SGD with cosine decay, `tf.tidy` per step.
 *
 * Exact resume: every random choice is derived from (seed, epoch, step) (the epoch's shuffle from
 * `seed/epoch`, each view's augmentation from `seed/step/view`), and a checkpoint holds the encoder,
 * head, BN moving statistics, optimiser state and step, so a resumed run replays the same loss
 * trajectory as an uninterrupted one (checkpoints are written at epoch ends, and at any step on SIGINT).
 *
 * Output directory: `checkpoints/epoch-NNNN/` (every `checkpointEvery` epochs and at the end),
 * `latest.json` (the newest checkpoint), `loss.csv` (one row per step), `log.json` (per-epoch summary
 * with the kNN monitor's accuracy). A NaN/Inf loss stops the run before the bad update with an error
 * naming the step and the last good checkpoint, which is left untouched.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng";
import { Progress } from "../util/progress";
import { writeFileAtomic, writeJsonAtomic, readJson } from "../util/fsx";
import { loadEncoder } from "../models/load";
import { ResNetEncoder } from "../models/encoder";
import { ProjectionHead } from "../models/head";
import { saveCheckpoint, readCheckpoint, restoreGroup, describeEncoder } from "../models/checkpoint";
import { augmentBatch } from "./augment";
import { cosineDecay } from "./schedule";
import { Sgd } from "./sgd";
import { variableGrads } from "../nn/variable_grads";
import { simclrLoss } from "./simclr_loss";
import { ntXentLoss } from "./ntxent_loss";
import { barlowLoss } from "./barlow_loss";
import { barlowOriginalLoss } from "./barlow_original_loss";
import { monitorAccuracy, type MonitorSet } from "./monitor";
import { resolvePretrainConfig, type PretrainConfig } from "./config";
import { watchInterrupts, interruptSignal, yieldToEventLoop, InterruptedError } from "../util/interrupt";
import { describeDataDifference, type DataFingerprint } from "../util/data_fingerprint";

/** The loss function of a config: (z1, z2) → scalar. */
export function lossFor(cfg: PretrainConfig): (z1: tf.Tensor2D, z2: tf.Tensor2D) => tf.Scalar {
  if (cfg.method === "simclr") {
    return cfg.loss === "paper"
      ? (a, b) => simclrLoss(a, b, { temperature: cfg.temperature })
      : (a, b) => ntXentLoss(a, b, { temperature: cfg.temperature });
  }
  return cfg.loss === "paper"
    ? (a, b) => barlowLoss(a, b, { lambda: cfg.barlowLambda ?? 0.005 })
    : (a, b) => barlowOriginalLoss(a, b, { lambda: cfg.barlowLambda ?? 5e-3 });
}

/** Thrown when the loss becomes NaN or ±Inf. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly epoch: number, readonly loss: number, readonly lastCheckpoint: string | null) {
    super(`pretrain: loss is ${loss} at step ${step} (epoch ${epoch + 1}); stopped before applying the update. ` +
      (lastCheckpoint ? `Last good checkpoint: ${lastCheckpoint}` : "No checkpoint was written yet.") +
      " Lower the learning rate or check the images for NaN/Inf.");
  }
}

/** Per-epoch summary in `log.json`. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimiser steps done at the end of the epoch. */
  step: number;
  meanLoss: number;
  /** kNN monitor accuracy (when run this epoch). */
  monitorAccuracy?: number;
  /** Learning rate at the last step of the epoch. */
  lr: number;
  /** Wall seconds of the epoch and its training throughput (2 views per image count as 1 image). */
  seconds: number;
  imagesPerSec: number;
}

/** Options of {@link pretrain}. */
export interface PretrainOptions {
  /** Output directory (created). */
  out: string;
  /** Continue from `out/latest.json` (default false; without it an existing run in `out` is an error). */
  resume?: boolean;
  /** Labelled images for the kNN monitor (optional). */
  monitor?: MonitorSet;
  /** Stop (with a checkpoint) after this many epochs of this call — for tests and time-boxed runs. */
  stopAfterEpochs?: number;
  /** Stop after this many steps of this call with a mid-epoch checkpoint `step-NNNNNNNN` (as on SIGINT). */
  stopAfterSteps?: number;
  /**
   * On SIGINT/SIGTERM write a checkpoint at the current step and throw InterruptedError (exit code
   * 130/143 in the CLI) (default false; the CLI sets it). The loop yields to the event loop after every
   * step either way, so an outer handler (grid runner, notebook kernel) can always run.
   */
  handleSignals?: boolean;
  /** The training files and their hashes: stored in checkpoints; `resume` refuses a run made on other data. */
  data?: DataFingerprint;
  /** Called after every epoch. */
  onEpoch?: (r: EpochRecord) => void;
  /** Progress bar label (default "pretrain <method>"). */
  label?: string;
}

/** What {@link pretrain} returns. The caller disposes `encoder` (and `head`). */
export interface PretrainResult {
  config: PretrainConfig;
  encoder: ResNetEncoder;
  head: ProjectionHead;
  /** Steps done in total. */
  steps: number;
  /** Loss of every step from the start of the run (resumed runs include the earlier steps). */
  stepLosses: number[];
  epochs: EpochRecord[];
  /** Newest checkpoint directory. */
  checkpoint: string;
  /** Untrained-encoder monitor accuracy (epoch 0), when a monitor set was given. */
  initialMonitorAccuracy?: number;
}

interface RunState {
  config: PretrainConfig;
  stepsPerEpoch: number;
  stepLosses: number[];
  stepLrs: number[];
  epochs: EpochRecord[];
  initialMonitorAccuracy?: number;
  /** Training data of the run (absent in runs written before it was recorded). */
  data?: DataFingerprint;
}

function configKey(c: PretrainConfig): string {
  // Epochs may grow on resume unless the schedule spans the run (then it changes the learning rates).
  return JSON.stringify({ ...c, epochs: c.lr.spanRun ? c.epochs : 0 });
}

/**
 * Pretrain an encoder with SimCLR or Barlow Twins on `images` [N,S,S,3] in [0,1]
 * (S = config.imageSize). See the module doc for outputs and resume semantics.
 * @throws NonFiniteLossError on NaN/Inf loss; Error when `out` holds another run or the config differs on resume
 */
export async function pretrain(partial: Partial<PretrainConfig>, images: tf.Tensor4D, opts: PretrainOptions): Promise<PretrainResult> {
  const cfg = resolvePretrainConfig(partial);
  const n = images.shape[0];
  if (images.rank !== 4 || images.shape[1] !== cfg.imageSize || images.shape[2] !== cfg.imageSize || images.shape[3] !== 3) {
    throw new Error(`pretrain: images must be [N,${cfg.imageSize},${cfg.imageSize},3], got [${images.shape}]`);
  }
  if (n < 2) throw new Error(`pretrain: need at least 2 images, got ${n}`);
  const batch = Math.min(cfg.batchSize, n);
  const stepsPerEpoch = Math.max(1, Math.floor(n / batch));
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const latestFile = path.join(opts.out, "latest.json");
  if (!opts.resume && fs.existsSync(latestFile)) {
    throw new Error(`pretrain: ${opts.out} already holds a run (latest.json); pass resume (--resume) or choose another --out`);
  }
  fs.mkdirSync(opts.out, { recursive: true });

  const root = new Rng(cfg.seed);
  const encoder = await loadEncoder(cfg.encoder, { seed: root.fork("encoder").seedInt(), preprocess: cfg.preprocess, inputSize: cfg.imageSize });
  const head = new ProjectionHead({ inputDim: encoder.featureDim, sizes: cfg.projection }, root.fork("head").seedInt());
  const named = new Map<string, tf.Variable>();
  for (const [name, v] of encoder.params.entries()) if (encoder.params.kind(name) === "trainable") named.set(`encoder/${name}`, v);
  for (const [name, v] of head.params.entries()) if (head.params.kind(name) === "trainable") named.set(`head/${name}`, v);
  const sgd = new Sgd(named, { momentum: cfg.momentum });
  const lossFn = lossFor(cfg);

  let step = 0;
  let lastCheckpoint: string | null = null;
  let state: RunState = { config: cfg, stepsPerEpoch, stepLosses: [], stepLrs: [], epochs: [], data: opts.data };
  if (opts.resume && fs.existsSync(latestFile)) {
    const ck = readCheckpoint(opts.out);
    const saved = ck.manifest.state as unknown as RunState;
    if (configKey(saved.config) !== configKey(cfg)) {
      throw new Error(`pretrain: cannot resume ${opts.out}: its config differs (saved ${JSON.stringify(saved.config)}, now ${JSON.stringify(cfg)})`);
    }
    if (saved.data && opts.data) {
      const diff = describeDataDifference(saved.data, opts.data);
      if (diff) {
        encoder.dispose(); head.dispose(); sgd.dispose();
        throw new Error(`pretrain: cannot resume ${opts.out}: its data differs (${diff}). Pass the run's --data folder, or start a new run with another --out`);
      }
    } else if (saved.stepsPerEpoch !== stepsPerEpoch) {
      encoder.dispose(); head.dispose(); sgd.dispose();
      throw new Error(`pretrain: cannot resume ${opts.out}: it ran ${saved.stepsPerEpoch} steps per epoch, these ${n} images give ${stepsPerEpoch}; pass the run's data`);
    }
    restoreGroup(ck, "encoder", encoder.params);
    restoreGroup(ck, "head", head.params);
    restoreGroup(ck, "optimizer", sgd.state);
    step = ck.manifest.step;
    state = { ...saved, config: cfg, stepsPerEpoch, data: saved.data ?? opts.data, stepLosses: saved.stepLosses.slice(0, step), stepLrs: saved.stepLrs.slice(0, step) };
    lastCheckpoint = ck.dir;
  }

  const save = (name: string): string => {
    const dir = path.join(opts.out, "checkpoints", name);
    saveCheckpoint(dir, {
      step, epoch: Math.floor(step / stepsPerEpoch), encoder: describeEncoder(encoder),
      groups: { encoder: encoder.params, head: head.params, optimizer: sgd.state },
      state: state as unknown as Record<string, unknown>,
    });
    writeJsonAtomic(latestFile, { checkpoint: path.relative(opts.out, dir), step, epoch: Math.floor(step / stepsPerEpoch) });
    writeLogs(opts.out, state);
    lastCheckpoint = dir;
    return dir;
  };

  if (opts.monitor && state.initialMonitorAccuracy === undefined && step === 0) {
    state.initialMonitorAccuracy = monitorAccuracy(encoder, opts.monitor, cfg.monitorK);
  }

  let stopRequested = false;
  const stopWatching = opts.handleSignals ? watchInterrupts() : null;
  const progress = new Progress({ label: opts.label ?? `pretrain ${cfg.method}`, total: totalSteps * batch, unit: "img" });
  progress.resumeFrom(step * batch);
  const epochsAtStart = Math.floor(step / stepsPerEpoch);
  const stepsAtStart = step;
  try {
    while (step < totalSteps) {
      const epoch = Math.floor(step / stepsPerEpoch);
      if (opts.stopAfterEpochs !== undefined && epoch - epochsAtStart >= opts.stopAfterEpochs) break;
      const order = new Rng(cfg.seed).fork(`epoch/${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
      const t0 = Date.now();
      for (let pos = step % stepsPerEpoch; pos < stepsPerEpoch; pos++) {
        const lr = cosineDecay(step, cfg.lr, totalSteps);
        const idx = order.slice(pos * batch, (pos + 1) * batch);
        const loss = trainStep(images, idx, step, cfg, encoder, head, named, sgd, lossFn, lr);
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(step, epoch, loss, lastCheckpoint);
        state.stepLosses.push(loss);
        state.stepLrs.push(lr);
        step++;
        progress.tick(batch, { epoch: `${epoch + 1}/${cfg.epochs}`, step: String(step), loss });
        if (opts.stopAfterSteps !== undefined && step - stepsAtStart >= opts.stopAfterSteps && step < totalSteps) stopRequested = true;
        // A turn of the event loop per step: without it no signal handler can run until training ends.
        await yieldToEventLoop();
        // (At an epoch's last step the epoch is closed first; the signal is honoured after its checkpoint.)
        if (stopWatching && interruptSignal() && pos + 1 < stepsPerEpoch) stopRequested = true;
        if (stopRequested) break;
      }
      if (stopRequested) {
        const dir = save(`step-${String(step).padStart(8, "0")}`);
        const sig = stopWatching ? interruptSignal() : null;
        if (sig) throw new InterruptedError(sig, `checkpoint at step ${step} written to ${dir}; continue with --resume`);
        break;
      }
      const epochDone = epoch + 1;
      const seconds = (Date.now() - t0) / 1000;
      const losses = state.stepLosses.slice(epoch * stepsPerEpoch, epochDone * stepsPerEpoch);
      const rec: EpochRecord = {
        epoch: epochDone, step, meanLoss: losses.reduce((a, b) => a + b, 0) / losses.length,
        lr: state.stepLrs[step - 1], seconds, imagesPerSec: (stepsPerEpoch * batch) / Math.max(seconds, 1e-9),
      };
      if (opts.monitor && cfg.monitorEvery > 0 && (epochDone % cfg.monitorEvery === 0 || epochDone === cfg.epochs)) {
        rec.monitorAccuracy = monitorAccuracy(encoder, opts.monitor, cfg.monitorK);
      }
      state.epochs = state.epochs.filter((e) => e.epoch < epochDone).concat([rec]);
      opts.onEpoch?.(rec);
      const last = epochDone === cfg.epochs || (opts.stopAfterEpochs !== undefined && epochDone - epochsAtStart >= opts.stopAfterEpochs);
      const sig = stopWatching ? interruptSignal() : null;
      if (epochDone % cfg.checkpointEvery === 0 || last || (sig && step < totalSteps)) {
        const dir = save(`epoch-${String(epochDone).padStart(4, "0")}`);
        if (sig && step < totalSteps) throw new InterruptedError(sig, `checkpoint at step ${step} (end of epoch ${epochDone}) written to ${dir}; continue with --resume`);
      } else writeLogs(opts.out, state);
    }
  } catch (e) {
    writeLogs(opts.out, state);
    encoder.dispose(); head.dispose(); sgd.dispose();
    throw e;
  } finally {
    progress.finish();
    stopWatching?.();
  }
  sgd.dispose();
  return {
    config: cfg, encoder, head, steps: step, stepLosses: state.stepLosses.slice(), epochs: state.epochs.slice(),
    checkpoint: lastCheckpoint ?? "", initialMonitorAccuracy: state.initialMonitorAccuracy,
  };
}

/**
 * One SSL optimisation step on `images[idx]`: two augmented views (seeded by `cfg.seed` and `step`),
 * encoder + head in training mode, loss, gradients, SGD update at `lr`, all inside one tf.tidy.
 * Returns the loss; the update is skipped when it is not finite. `named` maps stable names to the
 * trainable variables (the same map the Sgd was built with).
 */
export function trainStep(
  images: tf.Tensor4D, idx: number[], step: number, cfg: PretrainConfig, encoder: ResNetEncoder, head: ProjectionHead,
  named: Map<string, tf.Variable>, sgd: Sgd, lossFn: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar, lr: number,
): number {
  return tf.tidy(() => {
    const x = tf.gather(images, tf.tensor1d(idx, "int32")) as tf.Tensor4D;
    const rng = new Rng(cfg.seed).fork(`step/${step}`);
    const v1 = augmentBatch(x, cfg.augment, rng.fork("view1"));
    const v2 = augmentBatch(x, cfg.augment, rng.fork("view2"));
    const varList = [...named.values()];
    const { value, grads } = variableGrads(() => {
      const z1 = head.apply(encoder.forward(v1, { training: true }).features!, true);
      const z2 = head.apply(encoder.forward(v2, { training: true }).features!, true);
      return lossFn(z1, z2);
    }, varList);
    const loss = value.dataSync()[0];
    if (Number.isFinite(loss)) {
      const byName = new Map<string, tf.Tensor>();
      for (const [name, v] of named) if (grads[v.name]) byName.set(name, grads[v.name]);
      sgd.apply(byName, lr);
    }
    return loss;
  });
}

/** Write `loss.csv` (step, epoch, loss, lr) and `log.json` (config + epoch records) atomically. */
function writeLogs(out: string, s: RunState): void {
  const rows = ["step,epoch,loss,lr"];
  s.stepLosses.forEach((l, i) => rows.push(`${i + 1},${Math.floor(i / s.stepsPerEpoch) + 1},${l},${s.stepLrs[i]}`));
  writeFileAtomic(path.join(out, "loss.csv"), rows.join("\n") + "\n");
  writeJsonAtomic(path.join(out, "log.json"), { config: s.config, initialMonitorAccuracy: s.initialMonitorAccuracy ?? null, epochs: s.epochs });
}

/** Read a run's `log.json` (config, untrained monitor accuracy, epoch records). */
export function readPretrainLog(out: string): { config: PretrainConfig; initialMonitorAccuracy: number | null; epochs: EpochRecord[] } {
  return readJson(path.join(out, "log.json"));
}
