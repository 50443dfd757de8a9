/**
 * The benchmark CNN (issue 2 item 9), written with raw tfjs ops and the hand-written batch norm:
 * input 64×64×3 → stem conv3×3→16 + BN + ReLU → 4 residual stages (16, 32, 64, 128 channels; each
 * conv3×3+BN+ReLU, conv3×3+BN, add shortcut (identity, or a 1×1 conv when channels change), ReLU),
 * max-pool 2 between stages → global average pool → dense 10. No conv biases (BN follows).
 * bench/peers/small_resnet.py builds the identical model in PyTorch.
 * Forward ≈ 64.5 M multiply-adds per image (≈ 4.1 GFLOP per batch of 32).
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../lib/util/rng";
import { batchNormTrain, updateMovingStats } from "../../lib/nn/batchnorm";
import { convBnInfer } from "../../lib/nn/fold_bn";
import { variableGrads } from "../../lib/nn/variable_grads";

/** Channels of the four stages. */
export const STAGE_CHANNELS = [16, 32, 64, 128];

/** A conv + batch-norm pair (gamma/beta trainable, moving statistics not). */
interface ConvBn {
  w: tf.Variable<tf.Rank.R4>; gamma: tf.Variable<tf.Rank.R1>; beta: tf.Variable<tf.Rank.R1>;
  movingMean: tf.Variable<tf.Rank.R1>; movingVar: tf.Variable<tf.Rank.R1>;
}

/** One residual stage. */
interface Stage { a: ConvBn; b: ConvBn; proj: tf.Variable<tf.Rank.R4> | null }

/** All parameters of the benchmark CNN. */
export interface SmallResNet {
  stem: ConvBn; stages: Stage[]; dense: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1>;
  /** Trainable variables (for the optimizer). */
  trainable: tf.Variable[];
  /** Every variable (for dispose). */
  all: tf.Variable[];
}

function heNormal(shape: number[], rng: Rng): tf.Tensor {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", rng.seedInt());
}

function convBn(k: number, cin: number, cout: number, rng: Rng): ConvBn {
  return {
    w: tf.variable(heNormal([k, k, cin, cout], rng)) as tf.Variable<tf.Rank.R4>,
    gamma: tf.variable(tf.ones([cout])) as tf.Variable<tf.Rank.R1>,
    beta: tf.variable(tf.zeros([cout])) as tf.Variable<tf.Rank.R1>,
    movingMean: tf.variable(tf.zeros([cout]), false) as tf.Variable<tf.Rank.R1>,
    movingVar: tf.variable(tf.ones([cout]), false) as tf.Variable<tf.Rank.R1>,
  };
}

/** Build the model with seeded He-normal conv/dense weights, BN gamma 1, beta 0. */
export function buildSmallResNet(seed: number, classes = 10): SmallResNet {
  // tidy frees the initial-value tensors that tf.variable copies from (variables themselves survive).
  return tf.tidy(() => build(new Rng(seed), classes) as unknown as tf.TensorContainer) as unknown as SmallResNet;
}

function build(rng: Rng, classes: number): SmallResNet {
  const stem = convBn(3, 3, STAGE_CHANNELS[0], rng);
  let cin = STAGE_CHANNELS[0];
  const stages: Stage[] = STAGE_CHANNELS.map((c) => {
    const s: Stage = {
      a: convBn(3, cin, c, rng), b: convBn(3, c, c, rng),
      proj: cin === c ? null : tf.variable(heNormal([1, 1, cin, c], rng)) as tf.Variable<tf.Rank.R4>,
    };
    cin = c;
    return s;
  });
  const dense = tf.variable(heNormal([cin, classes], rng)) as tf.Variable<tf.Rank.R2>;
  const bias = tf.variable(tf.zeros([classes])) as tf.Variable<tf.Rank.R1>;
  const cbs = [stem, ...stages.flatMap((s) => [s.a, s.b])];
  const trainable: tf.Variable[] = [...cbs.flatMap((c) => [c.w, c.gamma, c.beta]),
    ...stages.flatMap((s) => (s.proj ? [s.proj] : [])), dense, bias];
  const all = [...trainable, ...cbs.flatMap((c) => [c.movingMean, c.movingVar])];
  return { stem, stages, dense, bias, trainable, all };
}

/** Batch statistics collected during a training forward pass, for the moving-average update. */
export type BatchStats = { cb: ConvBn; mean: tf.Tensor1D; variance: tf.Tensor1D }[];

/** conv3x3 + BN (+ ReLU). Inference folds BN into one fused conv (bias + activation). */
function applyConvBn(x: tf.Tensor4D, cb: ConvBn, training: boolean, stats: BatchStats, relu: boolean, residual?: tf.Tensor4D): tf.Tensor4D {
  if (!training) {
    const y = convBnInfer(x, cb.w, cb.movingMean, cb.movingVar, cb.gamma, cb.beta, { relu: relu && !residual });
    return residual ? tf.relu(tf.add(y, residual) as tf.Tensor4D) : y;
  }
  const r = batchNormTrain(tf.conv2d(x, cb.w, 1, "same"), cb.gamma, cb.beta, undefined, { relu, residual });
  stats.push({ cb, mean: tf.keep(r.mean), variance: tf.keep(r.variance) });
  return r.y;
}

/**
 * Logits [N, classes] for x [N,64,64,3]. Training mode uses batch statistics and pushes them (kept,
 * caller disposes) into `stats`; inference mode uses the moving statistics.
 */
export function smallResNetLogits(m: SmallResNet, x: tf.Tensor4D, training: boolean, stats: BatchStats = []): tf.Tensor2D {
  let h: tf.Tensor4D = applyConvBn(x, m.stem, training, stats, true);
  m.stages.forEach((s, i) => {
    if (i > 0) h = tf.maxPool(h, 2, 2, "valid");
    const a = applyConvBn(h, s.a, training, stats, true);
    const shortcut = s.proj ? tf.conv2d(h, s.proj, 1, "same") : h;
    h = applyConvBn(a, s.b, training, stats, true, shortcut);
  });
  return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, m.dense), m.bias);
}

/**
 * One SGD training step: forward (batch statistics), softmax cross-entropy, backward, update of the
 * trainable variables and of the BN moving statistics. Returns the loss (caller disposes).
 */
export function smallResNetTrainStep(m: SmallResNet, opt: tf.Optimizer, x: tf.Tensor4D, yOneHot: tf.Tensor2D): tf.Scalar {
  const stats: BatchStats = [];
  const { value, grads } = variableGrads(
    () => tf.losses.softmaxCrossEntropy(yOneHot, smallResNetLogits(m, x, true, stats)) as tf.Scalar, m.trainable);
  opt.applyGradients(grads);
  for (const s of stats) updateMovingStats(s.cb.movingMean, s.cb.movingVar, s.mean, s.variance);
  tf.dispose([...Object.values(grads), ...stats.flatMap((s) => [s.mean, s.variance])]);
  return value;
}
