import * as tf from "@tensorflow/tfjs";

/**
 * Segmentation losses (pure functions of truth and sigmoid probabilities, [N,H,W,1]).
 *
 * Dice loss as in the paper's Keras code: 1 − Dice over the whole batch flattened,
 * Dice = (2·Σyp + s) / (Σy + Σp + s) with smooth s = 1e-6.
 */
export function diceLoss(yTrue: tf.Tensor, yPred: tf.Tensor, smooth = 1e-6): tf.Scalar {
  return tf.tidy(() => {
    const inter = tf.sum(tf.mul(yTrue, yPred));
    const denom = tf.add(tf.add(tf.sum(yTrue), tf.sum(yPred)), smooth);
    return tf.sub(1, tf.div(tf.add(tf.mul(2, inter), smooth), denom)) as tf.Scalar;
  });
}

/** Mean binary cross-entropy of probabilities (clipped to [eps, 1−eps], eps 1e-7 as Keras). */
export function bceLoss(yTrue: tf.Tensor, yPred: tf.Tensor, eps = 1e-7): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, eps, 1 - eps);
    const ll = tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}

/** The loss options: the paper's Dice loss, or BCE + Dice. */
export type SegLossName = "dice" | "bce+dice";

/** Loss by name. Throws on an unknown name. */
export function segLoss(name: SegLossName, yTrue: tf.Tensor, yPred: tf.Tensor, smooth = 1e-6): tf.Scalar {
  if (name === "dice") return diceLoss(yTrue, yPred, smooth);
  if (name === "bce+dice") return tf.tidy(() => tf.add(bceLoss(yTrue, yPred), diceLoss(yTrue, yPred, smooth)) as tf.Scalar);
  throw new Error(`segLoss: unknown loss '${name as string}' (dice, bce+dice)`);
}
