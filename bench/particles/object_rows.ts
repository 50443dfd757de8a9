/**
 * Labelled object rows for the object filter: every particle a method keeps on labelled micrographs,
 * with its features (lib/particles/object_features.ts) and whether it is a real particle (matched
 * one-to-one to a kept true particle at IoU ≥ 0.5 → 1; matched to nothing → 0; objects whose best
 * match is a true particle dropped at the border or under the minimum area are left out: the
 * evaluation counts them neither way).
 */
import { readGrey, type GreyImage } from "../../lib/particles/grey_image";
import { measureInstances } from "../../lib/particles/extract";
import { objectFeatures, OBJECT_FEATURE_COUNT } from "../../lib/particles/object_features";
import { readLabelImage } from "../../lib/particle_model/labelled_set";
import type { LabelledPair } from "../../lib/particle_model/evaluate";
import type { InstanceLabels } from "../../lib/particles/instances";

/** Rows of one method on some images: features (row-major), labels 0/1 and the image of each row. */
export interface ObjectRows { x: number[]; y: number[]; image: string[] }

/** Build {@link ObjectRows} for `pairs` with `predict` (grey → instances). */
export async function objectRows(pairs: readonly LabelledPair[], predict: (g: GreyImage, file: string) => Promise<InstanceLabels>): Promise<ObjectRows> {
  const rows: ObjectRows = { x: [], y: [], image: [] };
  for (const p of pairs) {
    const g = await readGrey(p.image);
    const pred = measureInstances(await predict(g, p.image), null);
    const truth = measureInstances(await readLabelImage(p.labels), null);
    const f = objectFeatures(g, pred);
    const T = truth.instances, P = pred.instances;
    const inter = new Map<number, number>();
    for (let i = 0; i < P.labels.length; i++) {
      const a = P.labels[i], b = T.labels[i];
      if (a >= 0 && b >= 0) { const k = a * T.count + b; inter.set(k, (inter.get(k) ?? 0) + 1); }
    }
    const areaP = new Map<number, number>(), areaT = new Map<number, number>();
    for (let i = 0; i < P.labels.length; i++) {
      if (P.labels[i] >= 0) areaP.set(P.labels[i], (areaP.get(P.labels[i]) ?? 0) + 1);
      if (T.labels[i] >= 0) areaT.set(T.labels[i], (areaT.get(T.labels[i]) ?? 0) + 1);
    }
    const best = new Map<number, { t: number; iou: number }>();
    for (const [k, n] of inter) {
      const a = Math.floor(k / T.count), b = k % T.count;
      const iou = n / (areaP.get(a)! + areaT.get(b)! - n);
      if (iou > (best.get(a)?.iou ?? 0)) best.set(a, { t: b, iou });
    }
    pred.particles.forEach((q, r) => {
      const m = best.get(q.id);
      const matched = m !== undefined && m.iou >= 0.5;
      if (matched && truth.status[m.t] !== "kept") return;
      for (let c = 0; c < OBJECT_FEATURE_COUNT; c++) rows.x.push(f[r * OBJECT_FEATURE_COUNT + c]);
      rows.y.push(matched ? 1 : 0);
      rows.image.push(p.id);
    });
  }
  return rows;
}
