import * as tf from "@tensorflow/tfjs";

/** Weights of {@link instanceLoss}. Defaults in brackets. */
export interface InstanceLossOptions {
  /** Cross-entropy weight of boundary pixels relative to background/interior [2]. */
  boundaryWeight?: number;
  /** Weight of the distance term [1]. */
  distanceWeight?: number;
}

/**
 * Loss of the particle network: pixel-weighted softmax cross-entropy of channels 0..2 against the
 * classes (label 255 ignored), plus `distanceWeight` × the binary cross-entropy of sigmoid(channel 3)
 * against the normalised distance target, averaged over particle pixels only.
 * `logits` [B,H,W,4]; `classes` [B,H,W] int32 (0,1,2 or 255); `distance` [B,H,W] float in [0,1].
 * Returns a scalar; throws on shapes that disagree.
 */
export function instanceLoss(logits: tf.Tensor4D, classes: tf.Tensor3D, distance: tf.Tensor3D, opts: InstanceLossOptions = {}): tf.Scalar {
  const [b, h, w, c] = logits.shape;
  if (c !== 4 || classes.shape.join() !== [b, h, w].join() || distance.shape.join() !== [b, h, w].join()) {
    throw new Error(`instanceLoss: logits [${logits.shape}], classes [${classes.shape}], distance [${distance.shape}] disagree (need [B,H,W,4], [B,H,W], [B,H,W])`);
  }
  const wb = opts.boundaryWeight ?? 2, wd = opts.distanceWeight ?? 1;
  return tf.tidy(() => {
    const valid = tf.cast(tf.notEqual(classes, 255), "float32");
    const cls = tf.mul(tf.cast(classes, "float32"), valid).toInt();
    const onehot = tf.oneHot(tf.reshape(cls, [-1]), 3).reshape([b, h, w, 3]);
    const logp = tf.logSoftmax(tf.slice(logits, [0, 0, 0, 0], [-1, -1, -1, 3]));
    const pixW = tf.mul(valid, tf.add(1, tf.mul(tf.cast(tf.equal(cls, 2), "float32"), wb - 1)));
    const ce = tf.div(tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(onehot, logp), 3)), pixW)), tf.add(tf.sum(valid), 1));
    const z = tf.squeeze(tf.slice(logits, [0, 0, 0, 3], [-1, -1, -1, 1]), [3]);
    const fg = tf.mul(valid, tf.cast(tf.greater(cls, 0), "float32"));
    const bce = tf.sub(tf.softplus(z), tf.mul(distance, z));
    const dl = tf.div(tf.sum(tf.mul(bce, fg)), tf.add(tf.sum(fg), 1));
    return tf.add(ce, tf.mul(dl, wd)) as tf.Scalar;
  });
}
