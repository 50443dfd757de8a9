/**
 * The paper's SimCLR loss (Lu et al. 2022, "Pretraining (SSL)"): L2-normalise both projections,
 * S = z1·z2ᵀ / T (N×N, cross-view similarities only), cross-entropy with the diagonal as targets over
 * the 2N rows of [S; Sᵀ], averaged. Unlike the standard NT-Xent ({@link ntXentLoss}), same-view pairs are
 * not used as negatives. Default temperature T = 0.1, as in the paper.
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link simclrLoss}. */
export interface SimclrLossOptions {
  /** Temperature T (default 0.1, the paper's). */
  temperature?: number;
}

/**
 * @param z1 projections of view 1 [N, D]; @param z2 projections of view 2 [N, D] (row i of both = image i)
 * @returns scalar mean cross-entropy over the 2N rows of [S; Sᵀ]
 * @throws when the shapes differ, N < 1, or T <= 0
 */
export function simclrLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, opts: SimclrLossOptions = {}): tf.Scalar {
  const t = opts.temperature ?? 0.1;
  if (!(t > 0)) throw new Error(`simclrLoss: temperature must be > 0, got ${t}`);
  if (z1.rank !== 2 || !tf.util.arraysEqual(z1.shape, z2.shape) || z1.shape[0] < 1) {
    throw new Error(`simclrLoss: z1 and z2 must both be [N, D] with N >= 1, got [${z1.shape}] and [${z2.shape}]`);
  }
  return tf.tidy(() => {
    const n = z1.shape[0];
    const a = tf.div(z1, tf.maximum(tf.norm(z1, 2, 1, true), 1e-12));
    const b = tf.div(z2, tf.maximum(tf.norm(z2, 2, 1, true), 1e-12));
    const s = tf.div(tf.matMul(a, b, false, true), t);
    const logits = tf.concat([s, tf.transpose(s)], 0);
    const labels = tf.concat([tf.eye(n), tf.eye(n)], 0);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
}
