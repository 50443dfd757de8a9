/**
 * The original Barlow Twins loss (Zbontar et al. 2021): C = BN(z1)ᵀ BN(z2) / N with BN the batch
 * standardisation (biased variance, eps 1e-5 as PyTorch's BatchNorm1d(affine=False)),
 * loss = Σ_i (1 − Cii)² + λ Σ_{i≠j} Cij², λ = 5e-3. Sums: the loss scales with D, unlike the
 * paper's {@link barlowLoss}.
 */
import * as tf from "@tensorflow/tfjs";
import { checkPair, crossCorrelation } from "./barlow_loss";

/** Options of {@link barlowOriginalLoss}. */
export interface BarlowOriginalLossOptions {
  /** Off-diagonal weight λ (default 5e-3, Zbontar et al.). */
  lambda?: number;
  /** BN epsilon (default 1e-5, PyTorch BatchNorm1d). */
  eps?: number;
}

/**
 * @param z1 [N, D]; @param z2 [N, D]
 * @returns scalar Σ_i (1 − Cii)² + λ Σ_{i≠j} Cij²
 */
export function barlowOriginalLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, opts: BarlowOriginalLossOptions = {}): tf.Scalar {
  checkPair("barlowOriginalLoss", z1, z2);
  const lambda = opts.lambda ?? 5e-3;
  const eps = opts.eps ?? 1e-5;
  return tf.tidy(() => {
    const c = crossCorrelation(z1, z2, eps);
    const eye = tf.eye(z1.shape[1]);
    const onDiag = tf.sum(tf.square(tf.sub(1, tf.sum(tf.mul(c, eye), 1))));
    const offDiag = tf.sum(tf.square(tf.mul(c, tf.sub(1, eye))));
    return tf.add(onDiag, tf.mul(offDiag, lambda)) as tf.Scalar;
  });
}
