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
import { overlapMatches } from "../../lib/particles/match";

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
    const matchOf = new Map(overlapMatches(pred.instances, truth.instances, 0.5).map((m) => [m.p, m.t]));
    pred.particles.forEach((q, r) => {
      const t = matchOf.get(q.id);
      const matched = t !== undefined;
      if (matched && truth.status[t] !== "kept") return;
      for (let c = 0; c < OBJECT_FEATURE_COUNT; c++) rows.x.push(f[r * OBJECT_FEATURE_COUNT + c]);
      rows.y.push(matched ? 1 : 0);
      rows.image.push(p.id);
    });
  }
  return rows;
}
