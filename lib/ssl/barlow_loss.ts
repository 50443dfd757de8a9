/**
 * The paper's Barlow Twins loss (Lu et al. 2022): standardise each projection dimension over the batch,
 * C = z1ᵀz2 / N (D×D), loss = mean over the diagonal of (1 − Cii)² + λ · mean over the off-diagonal of
 * Cij², λ = 0.005. Means (not sums) make the loss independent of D; compare {@link barlowOriginalLoss}.
 * Standardisation uses the biased batch variance and `(var + eps)`, eps = 1e-5 (the paper does not state one;
 * it only guards constant dimensions).
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link barlowLoss}. */
export interface BarlowLossOptions {
  /** Off-diagonal weight λ (default 0.005, the paper's). */
  lambda?: number;
  /** Variance epsilon of the standardisation (default 1e-5). */
  eps?: number;
}

/** Standardise columns of z [N, D] over the batch: (z − mean) / sqrt(var + eps), biased variance. */
export function standardizeColumns(z: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(z, 0, true);
    return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor2D;
  });
}

/** Cross-correlation matrix C = ẑ1ᵀẑ2 / N of the standardised projections [N, D] → [D, D]. */
export function crossCorrelation(z1: tf.Tensor2D, z2: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.matMul(standardizeColumns(z1, eps), standardizeColumns(z2, eps), true, false), z1.shape[0]) as tf.Tensor2D);
}

/** Check two projection batches for the Barlow losses; throws naming the function. */
export function checkPair(fn: string, z1: tf.Tensor2D, z2: tf.Tensor2D): void {
  if (z1.rank !== 2 || !tf.util.arraysEqual(z1.shape, z2.shape) || z1.shape[0] < 2 || z1.shape[1] < 2) {
    throw new Error(`${fn}: z1 and z2 must both be [N, D] with N >= 2 and D >= 2, got [${z1.shape}] and [${z2.shape}]`);
  }
}

/**
 * @param z1 [N, D]; @param z2 [N, D]
 * @returns scalar mean_i (1 − Cii)² + λ · mean_{i≠j} Cij²
 */
export function barlowLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, opts: BarlowLossOptions = {}): tf.Scalar {
  checkPair("barlowLoss", z1, z2);
  const lambda = opts.lambda ?? 0.005;
  const eps = opts.eps ?? 1e-5;
  return tf.tidy(() => {
    const d = z1.shape[1];
    const c = crossCorrelation(z1, z2, eps);
    const eye = tf.eye(d);
    const onDiag = tf.mean(tf.square(tf.sub(1, tf.sum(tf.mul(c, eye), 1))));
    const offDiag = tf.div(tf.sum(tf.square(tf.mul(c, tf.sub(1, eye)))), d * (d - 1));
    return tf.add(onDiag, tf.mul(offDiag, lambda)) as tf.Scalar;
  });
}
