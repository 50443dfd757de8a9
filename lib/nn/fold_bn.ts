/**
 * Folding an inference-mode batch norm into the preceding (bias-free) convolution:
 * `BN(conv(x, W)) = conv(x, W·s) + (beta − mean·s)` with `s = gamma · rsqrt(var + eps)` per output
 * channel. One fused conv (+ bias, + activation) then replaces conv, BN and ReLU at inference.
 */
import * as tf from "@tensorflow/tfjs";
import { BN_EPSILON } from "./batchnorm";

/** A conv filter and bias with a batch norm folded in. */
export interface FoldedConv {
  /** [kh, kw, Cin, Cout] */
  filter: tf.Tensor4D;
  /** [Cout] */
  bias: tf.Tensor1D;
}

/**
 * Fold moving statistics and affine parameters into the filter `w` [kh,kw,Cin,Cout] (caller disposes
 * the result; inputs are not disposed).
 * @throws when a per-channel tensor is not [Cout]
 */
export function foldBatchNormIntoConv(
  w: tf.Tensor4D, movingMean: tf.Tensor1D, movingVariance: tf.Tensor1D,
  gamma: tf.Tensor1D | null, beta: tf.Tensor1D | null, epsilon: number = BN_EPSILON,
): FoldedConv {
  const c = w.shape[3];
  for (const [name, t] of [["movingMean", movingMean], ["movingVariance", movingVariance], ["gamma", gamma], ["beta", beta]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) {
      throw new Error(`lib/nn/fold_bn.ts foldBatchNormIntoConv: ${name} has shape [${t.shape}], expected [${c}] (filter [${w.shape}])`);
    }
  }
  return tf.tidy(() => {
    let s = tf.rsqrt(tf.add(movingVariance, epsilon));
    if (gamma) s = tf.mul(s, gamma);
    let bias = tf.neg(tf.mul(movingMean, s));
    if (beta) bias = tf.add(bias, beta);
    return { filter: tf.mul(w, s) as tf.Tensor4D, bias: bias as tf.Tensor1D };
  });
}

/**
 * Inference conv + BN (+ optional ReLU) as one fused conv2d with the folded filter and bias.
 * @param x [N,H,W,Cin]; stride and padding as for `tf.conv2d`
 */
export function convBnInfer(
  x: tf.Tensor4D, w: tf.Tensor4D, movingMean: tf.Tensor1D, movingVariance: tf.Tensor1D,
  gamma: tf.Tensor1D | null, beta: tf.Tensor1D | null,
  opts: { strides?: number; pad?: "same" | "valid"; relu?: boolean; epsilon?: number } = {},
): tf.Tensor4D {
  return tf.tidy(() => {
    const f = foldBatchNormIntoConv(w, movingMean, movingVariance, gamma, beta, opts.epsilon ?? BN_EPSILON);
    return tf.fused.conv2d({
      x, filter: f.filter, bias: f.bias, strides: opts.strides ?? 1, pad: opts.pad ?? "same",
      activation: opts.relu ?? false ? "relu" : "linear",
    });
  });
}
