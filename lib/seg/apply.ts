import * as tf from "@tensorflow/tfjs";
import type { UNet } from "./unet";
import { preparePairs, nativeProbabilities, type FitMode } from "./pairs";
import { predictProbabilities } from "./train";
import type { SegmentModel } from "./model_file";
import type { Mask } from "../image/mask";

/**
 * Apply a U-Net to one micrograph through the same path `nanomorph segment` uses for its held-out
 * images: `preparePairs` (resize to size² or size² tiles at native resolution), `predictProbabilities`
 * (inference-mode BN, batches of 8), `nativeProbabilities` (stitch tiles, or resize back bilinearly).
 */

/** A probability map at an image's native resolution: row-major height×width values in [0,1]. */
export interface ProbabilityMap {
  width: number;
  height: number;
  probs: Float32Array;
}

/**
 * Probabilities of `net` on image `file` at native resolution. Every tensor made is disposed.
 * @throws naming the file when it cannot be read or is under 8 px a side
 */
export async function predictImage(net: UNet, file: string, size: number, fit: FitMode): Promise<ProbabilityMap> {
  const prepared = await preparePairs([file], null, size, fit);
  let probs: Float32Array;
  try {
    const t = predictProbabilities(net, prepared.x, 8);
    probs = t.dataSync() as Float32Array;
    t.dispose();
  } finally {
    prepared.x.dispose();
  }
  const [height, width] = prepared.sizes[0];
  return { width, height, probs: await nativeProbabilities(probs, size, prepared, 0) };
}

/** Probabilities of a loaded model on `file` at native resolution, with the model's size and fit. */
export function predictWithModel(model: SegmentModel, file: string): Promise<ProbabilityMap> {
  return predictImage(model.net, file, model.settings.size, model.settings.fit);
}

/** Binary foreground mask (1 where p ≥ threshold; default the model's) of `file` at native resolution. */
export async function segmentImageWithModel(model: SegmentModel, file: string, threshold = model.settings.threshold): Promise<Mask> {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`segmentImageWithModel: threshold must be in (0, 1), got ${threshold}`);
  const p = await predictWithModel(model, file);
  const data = new Uint8Array(p.probs.length);
  for (let i = 0; i < data.length; i++) data[i] = p.probs[i] >= threshold ? 1 : 0;
  return { width: p.width, height: p.height, data };
}
