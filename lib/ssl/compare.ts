/**
 * Baselines for the pretraining comparison: the kNN monitor accuracy of any encoder spec (frozen
 * ImageNet ResNet50, an untrained encoder, a checkpoint) on a labelled set, at a chosen input size.
 */
import * as tf from "@tensorflow/tfjs";
import { loadEncoder, type LoadEncoderOptions } from "../models/load";
import { monitorAccuracy, type MonitorSet } from "./monitor";

/** One baseline to evaluate. */
export interface BaselineSpec {
  /** Label shown in tables and plots. */
  label: string;
  /** loadEncoder spec ("imagenet", "resnet8", a run directory, an .h5 file). */
  spec: string;
  /** Encoder options (preprocess, seed). */
  options?: LoadEncoderOptions;
  /** Input side in px; the monitor images are resized (bilinear) when it differs (default: as given). */
  size?: number;
}

/** A baseline's accuracy and timing. */
export interface BaselineResult {
  label: string;
  spec: string;
  size: number;
  accuracy: number;
  seconds: number;
}

/**
 * kNN (leave-one-out, cosine) accuracy of each baseline on `set`. Encoders are loaded, used and disposed
 * one at a time.
 * @param k neighbours (default 5)
 */
export async function baselineAccuracies(baselines: BaselineSpec[], set: MonitorSet, k = 5, batchSize = 16): Promise<BaselineResult[]> {
  const out: BaselineResult[] = [];
  for (const b of baselines) {
    const t0 = Date.now();
    const enc = await loadEncoder(b.spec, b.options ?? {});
    const size = b.size ?? set.images.shape[1];
    const images = size === set.images.shape[1] ? set.images : tf.tidy(() => tf.image.resizeBilinear(set.images, [size, size]) as tf.Tensor4D);
    try {
      const accuracy = monitorAccuracy(enc, { images, labels: set.labels }, k, batchSize);
      out.push({ label: b.label, spec: b.spec, size, accuracy, seconds: (Date.now() - t0) / 1000 });
    } finally {
      if (images !== set.images) images.dispose();
      enc.dispose();
    }
  }
  return out;
}
