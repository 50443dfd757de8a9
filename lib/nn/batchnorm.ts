/**
 * Hand-written batch normalisation over the channel (last) axis.
 *
 * Why not `tf.batchNorm`: its gradient (the FusedBatchNorm grad in tfjs-core) tiles mean, variance and
 * scale up to the full activation shape; on wasm that cost ~0.5 s of a ~2 s ResNet training step
 * (docs: docs/toolchain.md §4b). Training mode runs lib/backend/batch_norm_train.ts instead: one
 * fused kernel each way where the backend has one, a closed-form composition otherwise.
 *
 * Porting note: defaults follow Keras (`momentum = 0.99`, `epsilon = 1e-3`); the moving variance is
 * updated with the biased batch variance, as tfjs-layers' BatchNormalization does
 * (tf.keras' fused path uses the Bessel-corrected one: set `unbiasedVariance: true` for that).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTrainBackward, batchNormTrainForward, type BatchNormPost } from "../backend/batch_norm_train";

/** Default variance epsilon (Keras `BatchNormalization(epsilon=1e-3)`). */
export const BN_EPSILON = 1e-3;
/** Default momentum of the moving statistics (Keras `BatchNormalization(momentum=0.99)`). */
export const BN_MOMENTUM = 0.99;

/** Result of a training-mode batch norm: the output and the batch statistics (shape [C]). */
export interface BatchNormTrainResult<T extends tf.Tensor> {
  /** Normalised, scaled and shifted activations, same shape as the input. */
  y: T;
  /** Per-channel batch mean, shape [C]. */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance (divides by the count), shape [C]. */
  variance: tf.Tensor1D;
}

function checkParams(fn: string, x: tf.Tensor, ...params: (tf.Tensor | null | undefined)[]): number {
  if (x.rank < 2) throw new Error(`lib/nn/batchnorm.ts ${fn}: input must have rank >= 2, got shape [${x.shape}]`);
  const c = x.shape[x.rank - 1];
  for (const p of params) {
    if (p && (p.rank !== 1 || p.shape[0] !== c)) {
      throw new Error(`lib/nn/batchnorm.ts ${fn}: per-channel parameter has shape [${p.shape}], expected [${c}] (input [${x.shape}])`);
    }
  }
  return c;
}

/** What follows the normalisation inside {@link batchNormTrain}'s one tape entry: a residual add, then a ReLU. */
export type BatchNormTrainOptions = BatchNormPost;

/**
 * Training-mode batch norm: statistics over every axis but the last, then optionally a residual add and
 * a ReLU: `y = relu((x - mean) * rsqrt(var + eps) * gamma + beta + residual)`, differentiable w.r.t. x,
 * gamma, beta and the residual.
 *
 * The gradient is closed-form (a `tf.customGrad` over lib/backend/batch_norm_train.ts): it saves x,
 * gamma, the statistics and (with ReLU) the output, whose sign is the ReLU's mask. Why fused: every
 * tensor a tape entry saves lives until the whole backward pass ends, so the normalised activation and
 * the pre-ReLU sum, which separate ops would save, cost two activation-sized tensors per conv layer (a
 * ResNet50 SimCLR step at batch 32 held ~3× PyTorch's memory). Matches autodiff through `tf.moments`,
 * add and relu to float32 rounding (test/nn.batchnorm.spec.ts).
 * The returned statistics carry no gradient (they feed the moving averages only).
 * @param x activations [..., C] (rank >= 2; NHWC or [N, C])
 * @param gamma scale [C], or null for 1
 * @param beta shift [C], or null for 0
 * @param epsilon variance epsilon (default {@link BN_EPSILON})
 * @throws when a parameter's shape is not [C], or the residual's shape is not x's
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T, gamma: tf.Tensor1D | null, beta: tf.Tensor1D | null, epsilon: number = BN_EPSILON, opts: BatchNormTrainOptions = {},
): BatchNormTrainResult<T> {
  const c = checkParams("batchNormTrain", x, gamma, beta);
  const res = opts.residual;
  if (res && !tf.util.arraysEqual(res.shape, x.shape)) {
    throw new Error(`lib/nn/batchnorm.ts batchNormTrain: residual has shape [${res.shape}], expected the input's [${x.shape}]`);
  }
  const relu = opts.relu ?? false;
  let kept: tf.Tensor[] = [];
  const g = gamma ?? tf.ones([c]);
  const b = beta ?? tf.zeros([c]);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, gg, bb, rr] = args as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const r = batchNormTrainForward(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, epsilon, { residual: res ? rr : undefined, relu });
    kept = [tf.keep(r.mean), tf.keep(r.variance)];
    save(relu ? [xx, gg, r.mean, r.variance, r.y] : [xx, gg, r.mean, r.variance]);
    return {
      value: r.y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, sv, out] = saved;
        const [dx, dgamma, dbeta, dz] = batchNormTrainBackward(dy, sx, sg as tf.Tensor1D, sm as tf.Tensor1D, sv as tf.Tensor1D, epsilon, relu ? out : null);
        if (res) return [dx, dgamma, dbeta, dz];
        if (dz !== dy) dz.dispose();
        return [dx, dgamma, dbeta];
      },
    };
  });
  const y = (res ? f(x, g, b, res) : f(x, g, b)) as T;
  // Re-home the statistics into the caller's scope (clone shares data), then drop the kept handles.
  const mean = tf.clone(kept[0]) as tf.Tensor1D, variance = tf.clone(kept[1]) as tf.Tensor1D;
  tf.dispose(kept);
  if (!gamma) g.dispose();
  if (!beta) b.dispose();
  return { y, mean, variance };
}

/**
 * Inference-mode batch norm with fixed (moving) statistics, folded to one multiply-add per element:
 * `y = x * s + (beta - mean * s)` with `s = gamma * rsqrt(var + eps)`.
 * @param x activations [..., C]
 * @param movingMean [C]; @param movingVariance [C]; @param gamma [C] or null; @param beta [C] or null
 * @param epsilon variance epsilon (default {@link BN_EPSILON})
 * @throws when a parameter's shape is not [C]
 */
export function batchNormInfer<T extends tf.Tensor>(
  x: T, movingMean: tf.Tensor1D, movingVariance: tf.Tensor1D,
  gamma: tf.Tensor1D | null, beta: tf.Tensor1D | null, epsilon: number = BN_EPSILON,
): T {
  checkParams("batchNormInfer", x, movingMean, movingVariance, gamma, beta);
  return tf.tidy(() => {
    let scale = tf.rsqrt(tf.add(movingVariance, epsilon));
    if (gamma) scale = tf.mul(scale, gamma);
    let shift = tf.neg(tf.mul(movingMean, scale));
    if (beta) shift = tf.add(shift, beta);
    return tf.add(tf.mul(x, scale), shift) as T;
  });
}

/** Options of {@link updateMovingStats}. */
export interface MovingStatsOptions {
  /** Weight of the old value (default {@link BN_MOMENTUM} = 0.99, Keras). */
  momentum?: number;
  /**
   * Multiply the batch variance by n/(n-1) before averaging (default false, as tfjs-layers).
   * `count` must then be given.
   */
  unbiasedVariance?: boolean;
  /** Number of values per channel behind the batch statistics (N*H*W); needed for `unbiasedVariance`. */
  count?: number;
}

/**
 * Update moving statistics in place with Keras semantics:
 * `moving = moving * momentum + batch * (1 - momentum)`. Never disposes its inputs.
 * @throws when shapes differ, momentum is outside [0, 1], or `unbiasedVariance` lacks a `count` > 1
 */
export function updateMovingStats(
  movingMean: tf.Variable, movingVariance: tf.Variable,
  batchMean: tf.Tensor, batchVariance: tf.Tensor, opts: MovingStatsOptions = {},
): void {
  const momentum = opts.momentum ?? BN_MOMENTUM;
  const unbiased = opts.unbiasedVariance ?? false;
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new Error(`lib/nn/batchnorm.ts updateMovingStats: momentum must be in [0, 1], got ${momentum}`);
  }
  for (const [name, m, b] of [["mean", movingMean, batchMean], ["variance", movingVariance, batchVariance]] as const) {
    if (!tf.util.arraysEqual(m.shape, b.shape)) {
      throw new Error(`lib/nn/batchnorm.ts updateMovingStats: moving ${name} [${m.shape}] vs batch ${name} [${b.shape}]`);
    }
  }
  let correction = 1;
  if (unbiased) {
    const n = opts.count;
    if (n === undefined || !(n > 1)) {
      throw new Error(`lib/nn/batchnorm.ts updateMovingStats: unbiasedVariance needs count > 1, got ${n}`);
    }
    correction = n / (n - 1);
  }
  tf.tidy(() => {
    movingMean.assign(tf.add(tf.mul(movingMean, momentum), tf.mul(batchMean, 1 - momentum)));
    movingVariance.assign(tf.add(tf.mul(movingVariance, momentum), tf.mul(batchVariance, (1 - momentum) * correction)));
  });
}
