/**
 * Training-mode batch norm over the last axis: the forward pass (output and batch statistics) and its
 * closed-form gradient, each as one backend kernel where the backend has a fused one (native: ATen's
 * batch-norm kernels, two passes over the activation forward and two backward), else composed of tfjs
 * ops through channel_ops (wasm's fast paths). lib/nn/batchnorm.ts wraps these in a `tf.customGrad`, so
 * models never see which path runs. Ops inside run untaped (the custom gradient is the only tape entry).
 *
 * Composed gradient, with r = rsqrt(var + eps), n = count:
 * dbeta = Σdy, dgamma = Σ dy·x̂ = r(Σ dy·x − mean·Σdy), dx = gamma·r·(dy − Σdy/n − x̂·Σdy·x̂/n),
 * evaluated as `a·dy + b·x + c` with per-channel a, b, c: four full-size ops instead of autodiff's dozen.
 * Both paths agree to float32 rounding (test/backend.batch_norm_train.spec.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { channelAffine, channelMean, channelSum } from "./channel_ops";

/** Kernel name of the fused forward: inputs {x, gamma, beta, residual?}, attrs {epsilon, relu}; outputs [y, mean, variance]. */
export const BN_TRAIN_KERNEL = "NanomorphBatchNormTrain";
/** Kernel name of the fused gradient: inputs {dy, x, gamma, mean, variance, reluOut?}, attrs {epsilon, relu}; outputs [dx, dgamma, dbeta] and, with relu, dz. */
export const BN_TRAIN_GRAD_KERNEL = "NanomorphBatchNormTrainGrad";

/** Whether the active backend runs `kernel` itself (else the composed ops run). */
function fused(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/** What follows the affine map inside the fused batch norm (a ResNet block's tail). */
export interface BatchNormPost {
  /** Added after the affine map (same shape as x). */
  residual?: tf.Tensor;
  /** ReLU applied last. */
  relu?: boolean;
}

/**
 * Batch statistics (biased variance: divides by the count) and the output
 * `y = relu?((x - mean) * rsqrt(var + eps) * gamma + beta + residual?)`.
 * @param x activations [..., C]; @param gamma [C]; @param beta [C]
 * @returns y (shape of x), mean [C], variance [C]; new tensors, inputs untouched
 */
export function batchNormTrainForward<T extends tf.Tensor>(
  x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, post: BatchNormPost = {},
): { y: T; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const relu = post.relu ?? false, residual = post.residual;
  if (fused(BN_TRAIN_KERNEL)) {
    const inputs: tf.NamedTensorMap = residual ? { x, gamma, beta, residual } : { x, gamma, beta };
    const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN_KERNEL, inputs, { epsilon, relu }) as tf.Tensor[];
    return { y: y as T, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  const [y, mean, variance] = tf.tidy(() => {
    // Two passes (mean, then the mean square of x - mean), as tf.moments: no cancellation.
    const m = channelMean(x);
    const v = channelMean(tf.square(channelAffine(x, null, tf.neg(m))));
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(v, epsilon))) as tf.Tensor1D;
    let out: tf.Tensor = channelAffine(x, scale, tf.sub(beta, tf.mul(m, scale)) as tf.Tensor1D);
    if (residual) out = tf.add(out, residual);
    if (relu) out = tf.relu(out);
    return [out, m, v];
  });
  return { y: y as T, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * Gradient of {@link batchNormTrainForward}'s y with respect to x, gamma, beta and the residual.
 * @param dy upstream gradient, shape of x; @param x the forward input [..., C]
 * @param gamma [C]; @param mean, variance the forward's batch statistics [C]
 * @param reluOut with a ReLU, the forward's output y (its sign is the ReLU's mask); else null
 * @returns [dx (shape of x), dgamma [C], dbeta [C], dz]: dz is the gradient at the pre-ReLU sum, which
 * is also the residual's; without a ReLU it is `dy` itself
 */
export function batchNormTrainBackward(
  dy: tf.Tensor, x: tf.Tensor, gamma: tf.Tensor1D, mean: tf.Tensor1D, variance: tf.Tensor1D, epsilon: number,
  reluOut: tf.Tensor | null = null,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor] {
  if (fused(BN_TRAIN_GRAD_KERNEL)) {
    const inputs: tf.NamedTensorMap = reluOut ? { dy, x, gamma, mean, variance, reluOut } : { dy, x, gamma, mean, variance };
    const r = tf.engine().runKernel(BN_TRAIN_GRAD_KERNEL, inputs, { epsilon, relu: reluOut !== null }) as tf.Tensor[];
    return [r[0], r[1] as tf.Tensor1D, r[2] as tf.Tensor1D, reluOut ? r[3] : dy];
  }
  // relu'(z) = step(z), and z > 0 exactly where the output is (tfjs' Relu gradient, from its output).
  const dz = reluOut ? tf.tidy(() => tf.mul(dy, tf.step(reluOut))) : dy;
  const [dx, dgamma, dbeta] = tf.tidy(() => {
    const n = x.size / x.shape[x.rank - 1];
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const s1 = channelSum(dz);                                                // Σdz
    const s2 = tf.mul(r, tf.sub(channelSum(tf.mul(dz, x)), tf.mul(mean, s1))); // Σ dz·x̂
    const a = tf.mul(gamma, r);
    const bcoef = tf.neg(tf.div(tf.mul(tf.mul(a, r), s2), n));
    const ccoef = tf.sub(tf.neg(tf.div(tf.mul(a, s1), n)), tf.mul(bcoef, mean));
    const dxx = tf.add(channelAffine(dz, a as tf.Tensor1D, null), channelAffine(x, bcoef as tf.Tensor1D, ccoef as tf.Tensor1D));
    return [dxx, s2 as tf.Tensor1D, s1];
  });
  return [dx, dgamma as tf.Tensor1D, dbeta as tf.Tensor1D, dz];
}
