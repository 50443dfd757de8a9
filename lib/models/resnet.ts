/**
 * ResNet as functional tf ops over a {@link ParamStore}: seeded initialisation and a forward pass with
 * BatchNorm in training mode (batch statistics, optional moving-average update) or inference mode.
 * Uses the hand-written BN of `lib/nn/batchnorm` (fast gradients on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { pointwiseConv2d } from "../backend/pointwise_conv";
import { Rng } from "../util/rng";
import { batchNormInfer, batchNormTrain, updateMovingStats, BN_MOMENTUM, type BatchNormTrainOptions } from "../nn/batchnorm";
import { ParamStore } from "../nn/params";
import { allConvs, planResNet, type ConvSpec, type ResNetArch, type ResNetPlan } from "./resnet_arch";

/**
 * Create the weights of `arch` in a new store: He-normal (truncated, fan-in, as Keras' `he_normal`)
 * conv kernels, zero biases, BN gamma 1 / beta 0 / moving mean 0 / moving variance 1.
 * @param seed seeds the kernels (same seed → same weights)
 */
export function initResNet(arch: ResNetArch, seed: number): ParamStore {
  const rng = new Rng(seed).fork(`init/${arch.name}`);
  const store = new ParamStore(arch.name);
  for (const c of allConvs(planResNet(arch))) {
    const fanIn = c.kernel * c.kernel * c.inChannels;
    // Keras VarianceScaling(truncated_normal) divides by 0.8796 so the truncated law has variance 2/fanIn.
    const std = Math.sqrt(2 / fanIn) / 0.87962566103423978;
    const kernel = tf.truncatedNormal([c.kernel, c.kernel, c.inChannels, c.outChannels], 0, std, "float32", rng.seedInt());
    store.add(`${c.prefix}_conv/kernel`, kernel);
    kernel.dispose();
    if (arch.convBias) addConst(store, `${c.prefix}_conv/bias`, c.outChannels, 0, "trainable");
    addConst(store, `${c.prefix}_bn/gamma`, c.outChannels, 1, "trainable");
    addConst(store, `${c.prefix}_bn/beta`, c.outChannels, 0, "trainable");
    addConst(store, `${c.prefix}_bn/moving_mean`, c.outChannels, 0, "state");
    addConst(store, `${c.prefix}_bn/moving_variance`, c.outChannels, 1, "state");
  }
  return store;
}

/** The weight names `initResNet(arch)` creates, in the same order (no tensors allocated). */
export function resnetWeightNames(arch: ResNetArch): string[] {
  const out: string[] = [];
  for (const c of allConvs(planResNet(arch))) {
    out.push(`${c.prefix}_conv/kernel`);
    if (arch.convBias) out.push(`${c.prefix}_conv/bias`);
    for (const p of ["gamma", "beta", "moving_mean", "moving_variance"]) out.push(`${c.prefix}_bn/${p}`);
  }
  return out;
}

function addConst(store: ParamStore, name: string, n: number, value: number, kind: "trainable" | "state"): void {
  const t = tf.fill([n], value);
  store.add(name, t, kind);
  t.dispose();
}

/** How to run the network. */
export interface ResNetForwardOptions {
  /** BatchNorm uses batch statistics (true) or the moving statistics (false). Default false. */
  training?: boolean;
  /** In training mode, also update the moving statistics (Keras momentum 0.99). Default true. */
  updateStats?: boolean;
  /** Moving-average momentum. Default 0.99 (Keras). */
  momentum?: number;
  /** Return the 5 skip maps (stem, conv2 … conv5 outputs). Default false. */
  skips?: boolean;
  /** Skip global average pooling (features = null). Default false. */
  noPool?: boolean;
}

/** Output of {@link resnetForward}. */
export interface ResNetForwardResult {
  /** Global-average-pooled final map [N, featureDim], or null with `noPool`. */
  features: tf.Tensor2D | null;
  /** The 5 skip maps at strides 2, 4, 8, 16, 32 when asked for, else []. */
  skips: tf.Tensor4D[];
}

/**
 * Run the ResNet on preprocessed input `x` [N, H, W, 3]. Never disposes `x`. Intermediate tensors are
 * freed (tidy); the returned ones belong to the caller.
 * @throws when `x` is not rank 4 with 3 channels
 */
export function resnetForward(
  store: ParamStore, arch: ResNetArch, x: tf.Tensor4D, opts: ResNetForwardOptions = {}, plan: ResNetPlan = planResNet(arch),
): ResNetForwardResult {
  if (x.rank !== 4 || x.shape[3] !== 3) {
    throw new Error(`resnetForward(${arch.name}): input must be [N,H,W,3], got [${x.shape}]`);
  }
  const training = opts.training ?? false;
  const update = opts.updateStats ?? true;
  const momentum = opts.momentum ?? BN_MOMENTUM;
  const wantSkips = opts.skips ?? false;

  // conv, BN, then optionally the block's shortcut add and a ReLU (in training mode one tape entry:
  // lib/nn/batchnorm.ts says why).
  const convBn = (h: tf.Tensor4D, c: ConvSpec, padStem: boolean, post: BatchNormTrainOptions = {}): tf.Tensor4D => {
    const kernel = store.get(`${c.prefix}_conv/kernel`) as unknown as tf.Tensor4D;
    let y: tf.Tensor4D;
    if (padStem) {
      // Keras ResNet50: ZeroPadding2D(k//2) then a 'valid' strided conv, i.e. symmetric zero padding,
      // given to the conv itself (no padded copy of the input; backends pad implicitly).
      const p = Math.floor(c.kernel / 2);
      y = tf.conv2d(h, kernel, c.stride, [[0, 0], [p, p], [p, p], [0, 0]]);
    } else if (c.kernel === 1) {
      y = pointwiseConv2d(h, kernel, c.stride);
    } else {
      y = tf.conv2d(h, kernel, c.stride, "same");
    }
    const bias = arch.convBias ? store.get(`${c.prefix}_conv/bias`) : null;
    const g = store.get(`${c.prefix}_bn/gamma`) as unknown as tf.Tensor1D;
    const b = store.get(`${c.prefix}_bn/beta`) as unknown as tf.Tensor1D;
    const mm = store.get(`${c.prefix}_bn/moving_mean`);
    const mv = store.get(`${c.prefix}_bn/moving_variance`);
    if (!training) {
      if (bias) y = tf.add(y, bias);
      let z: tf.Tensor4D = batchNormInfer(y, mm as unknown as tf.Tensor1D, mv as unknown as tf.Tensor1D, g, b, arch.bnEpsilon);
      if (post.residual) z = tf.add(z, post.residual);
      return post.relu ? tf.relu(z) : z;
    }
    // With batch statistics a conv bias cancels exactly ((y + b) − mean(y + b) = y − mean(y)) and gets a
    // zero gradient, as in Keras; skipping the add saves one activation-sized tensor per conv on the tape.
    // The moving mean still tracks mean(y + b), so inference mode is unchanged.
    const r = batchNormTrain(y, g, b, arch.bnEpsilon, post);
    if (update) updateMovingStats(mm, mv, bias ? tf.add(r.mean, bias) : r.mean, r.variance, { momentum });
    return r.y;
  };

  const out = tf.tidy(() => {
    const skips: tf.Tensor4D[] = [];
    let h = convBn(x, plan.stem, true, { relu: true });
    if (wantSkips) skips.push(h);
    if (arch.stemPool) h = tf.maxPool<tf.Tensor4D>(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, "valid");
    for (const stage of plan.stages) {
      for (const block of stage) {
        const shortcut = block.shortcut ? convBn(h, block.shortcut, false) : h;
        let y = h;
        block.convs.forEach((c, i) => {
          const last = i === block.convs.length - 1;
          y = convBn(y, c, false, last ? { relu: true, residual: shortcut } : { relu: true });
        });
        h = y;
      }
      if (wantSkips) skips.push(h);
    }
    const result: tf.Tensor[] = opts.noPool ? [] : [tf.mean(h, [1, 2])];
    return result.concat(skips);
  });
  const features = opts.noPool ? null : (out[0] as tf.Tensor2D);
  return { features, skips: out.slice(opts.noPool ? 0 : 1) as tf.Tensor4D[] };
}
