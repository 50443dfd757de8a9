import type { Mask } from "./mask";
import { distanceTransform } from "./edt";

/**
 * Binary opening by a disc of `radius` px (erosion then dilation), from two exact Euclidean distance
 * transforms: erosion keeps pixels farther than `radius` from the background, dilation restores every
 * pixel within `radius` of what survived. Removes specks and threads narrower than 2·radius while
 * leaving larger shapes as they were (up to their sharpest corners). radius 0 returns a copy.
 * Throws on a negative radius.
 */
export function openMask(mask: Mask, radius: number): Mask {
  if (!(radius >= 0)) throw new Error(`openMask: radius must be ≥ 0 px, got ${radius}`);
  const { width: w, height: h } = mask;
  if (radius === 0) return { width: w, height: h, data: mask.data.slice() };
  const dt = distanceTransform(mask);
  const eroded = new Uint8Array(w * h);
  // Complement of the eroded set, whose distance transform measures the distance to the survivors.
  for (let i = 0; i < eroded.length; i++) eroded[i] = dt[i] > radius ? 0 : 1;
  const back = distanceTransform({ width: w, height: h, data: eroded });
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] && back[i] <= radius ? 1 : 0;
  return { width: w, height: h, data: out };
}
