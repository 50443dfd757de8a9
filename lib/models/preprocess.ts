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

/**
 * A requested mode: a fixed one, or "auto" = what the weights were trained with — "caffe" for the
 * ImageNet ResNet50 ("imagenet"), the mode a `nanomorph pretrain` checkpoint records (left to the
 * checkpoint: `undefined`), and "unit" for random initialisations and the authors' Keras .h5 encoders
 * (they were pretrained on [0,1] inputs).
 */
export type PreprocessChoice = PreprocessMode | "auto";

/**
 * Resolve a {@link PreprocessChoice} for an encoder spec (see {@link PreprocessChoice}); `undefined`
 * means "let the checkpoint decide". Throws on an unknown mode.
 */
export function preprocessFor(spec: string, choice: PreprocessChoice): PreprocessMode | undefined {
  if (choice === "unit" || choice === "caffe") return choice;
  if (choice !== "auto") throw new Error(`preprocess must be auto, unit or caffe, got '${choice as string}'`);
  if (spec === "imagenet") return "caffe";
  if (/\.(h5|hdf5)$/i.test(spec) || spec === "resnet50" || spec === "resnet18" || spec === "resnet8") return "unit";
  return undefined;
}

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
