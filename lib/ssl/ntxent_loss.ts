/**
 * The standard SimCLR NT-Xent loss (Chen et al. 2020): the 2N projections [z1; z2] are L2-normalised,
 * every one is contrasted against the other 2N − 1 (same-view and cross-view negatives), with its other
 * view as the positive; cross-entropy at temperature T averaged over the 2N anchors. For identical
 * embeddings the loss is log(2N − 1).
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link ntXentLoss}. */
export interface NtXentLossOptions {
  /** Temperature T (default 0.1; SimCLR's paper used 0.1–0.5). */
  temperature?: number;
}

/**
 * @param z1 [N, D]; @param z2 [N, D]
 * @returns scalar loss
 * @throws when the shapes differ, N < 1, or T <= 0
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, opts: NtXentLossOptions = {}): tf.Scalar {
  const t = opts.temperature ?? 0.1;
  if (!(t > 0)) throw new Error(`ntXentLoss: temperature must be > 0, got ${t}`);
  if (z1.rank !== 2 || !tf.util.arraysEqual(z1.shape, z2.shape) || z1.shape[0] < 1) {
    throw new Error(`ntXentLoss: z1 and z2 must both be [N, D] with N >= 1, got [${z1.shape}] and [${z2.shape}]`);
  }
  return tf.tidy(() => {
    const n = z1.shape[0];
    const z = tf.concat([z1, z2], 0);
    const zn = tf.div(z, tf.maximum(tf.norm(z, 2, 1, true), 1e-12));
    // Self-similarities are removed by a large negative logit (exp → 0), as in common implementations.
    const sim = tf.sub(tf.div(tf.matMul(zn, zn, false, true), t), tf.mul(tf.eye(2 * n), 1e9));
    // Positive of row i is row (i + N) mod 2N.
    const pos = Array.from({ length: 2 * n }, (_, i) => (i + n) % (2 * n));
    const labels = tf.oneHot(tf.tensor1d(pos, "int32"), 2 * n);
    return tf.losses.softmaxCrossEntropy(labels, sim) as tf.Scalar;
  });
}
