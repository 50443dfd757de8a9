/**
 * Input preprocessing for encoders. Every encoder takes images in [0, 1] (RGB, NHWC) and applies one
 * of these modes inside `embed`/`skips`.
 * - `"unit"`: feed [0, 1] as is. This is what the paper does, also with ImageNet weights
 *   ("scaled to [0,1], no ImageNet mean subtraction"), and the default everywhere.
 * - `"caffe"`: what Keras ResNet50's ImageNet weights were trained with
 *   (`keras.applications.resnet50.preprocess_input`): ×255, RGB → BGR, minus the ImageNet BGR mean
 *   (103.939, 116.779, 123.68). Use it to check the port or for "proper" ImageNet features.
 */
import * as tf from "@tensorflow/tfjs";

/** Preprocessing mode (see module doc). */
export type PreprocessMode = "unit" | "caffe";

/** ImageNet channel means in BGR order, 0–255 scale (Keras `preprocess_input(mode="caffe")`). */
export const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68] as const;

/** Apply `mode` to `x` [N,H,W,3] in [0,1]. Returns a new tensor (never disposes `x`); "unit" returns a clone. */
export function preprocess(x: tf.Tensor4D, mode: PreprocessMode): tf.Tensor4D {
  if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`preprocess: input must be [N,H,W,3], got [${x.shape}]`);
  if (mode === "unit") return tf.clone(x);
  if (mode === "caffe") {
    return tf.tidy(() => tf.sub(tf.mul(tf.reverse(x, 3), 255), tf.tensor1d(CAFFE_BGR_MEAN as unknown as number[])) as tf.Tensor4D);
  }
  throw new Error(`preprocess: unknown mode '${mode as string}' (use "unit" or "caffe")`);
}
