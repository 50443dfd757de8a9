/**
 * Encoder-quality monitor for pretraining: leave-one-out k-nearest-neighbour accuracy of the frozen
 * embeddings on a small labelled set (cosine similarity, majority vote, ties broken by the summed
 * similarity). It needs no training, so it shows whether the representation is improving, not just the loss.
 */
import * as tf from "@tensorflow/tfjs";
import { embedInBatches, type Encoder } from "../models/encoder";

/**
 * Leave-one-out kNN accuracy of `features` [N, D] with integer `labels` (length N).
 * @param k neighbours (default 5; clamped to N − 1)
 * @throws when N < 2 or the label count differs from N
 */
export function knnAccuracy(features: tf.Tensor2D, labels: number[], k = 5): number {
  const n = features.shape[0];
  if (n < 2) throw new Error(`knnAccuracy: need at least 2 samples, got ${n}`);
  if (labels.length !== n) throw new Error(`knnAccuracy: ${labels.length} labels for ${n} feature rows`);
  const kk = Math.max(1, Math.min(k, n - 1));
  const sim = tf.tidy(() => {
    const f = tf.div(features, tf.maximum(tf.norm(features, 2, 1, true), 1e-12));
    return tf.matMul(f, f, false, true);
  });
  const s = sim.arraySync() as number[][];
  sim.dispose();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const order = s[i].map((v, j) => [v, j]).filter(([, j]) => j !== i).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, kk);
    const votes = new Map<number, [number, number]>();
    for (const [v, j] of order) {
      const c = votes.get(labels[j]) ?? [0, 0];
      votes.set(labels[j], [c[0] + 1, c[1] + v]);
    }
    let best = -1;
    let bestVote: [number, number] = [-1, -Infinity];
    for (const [lab, vote] of votes) {
      if (vote[0] > bestVote[0] || (vote[0] === bestVote[0] && vote[1] > bestVote[1])) { best = lab; bestVote = vote; }
    }
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

/** A labelled monitoring set: images [N,H,W,3] in [0,1] and their labels. */
export interface MonitorSet {
  images: tf.Tensor4D;
  labels: number[];
}

/** Embed the monitor set with `encoder` (inference mode) and return its leave-one-out kNN accuracy. */
export function monitorAccuracy(encoder: Encoder, set: MonitorSet, k = 5, batchSize = 32): number {
  const f = embedInBatches(encoder, set.images, batchSize);
  try {
    return knnAccuracy(f, set.labels, k);
  } finally {
    f.dispose();
  }
}
