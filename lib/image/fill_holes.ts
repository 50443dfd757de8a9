import type { Mask } from "./mask";
import { connectedComponents } from "./components";

/**
 * Fill holes: background regions (4-connected, so a diagonal gap in an outline does not leak) that do
 * not reach the image border become foreground. Thresholded particles with a bright core or a
 * thickness fringe are then measured whole. Returns a new mask.
 */
export function fillHoles(mask: Mask): Mask {
  const { width: w, height: h, data } = mask;
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = data[i] ? 0 : 1;
  const bg = connectedComponents({ width: w, height: h, data: inv }, 4);
  const outer = new Uint8Array(bg.count);
  for (let x = 0; x < w; x++) for (const y of [0, h - 1]) if (bg.labels[y * w + x] >= 0) outer[bg.labels[y * w + x]] = 1;
  for (let y = 0; y < h; y++) for (const x of [0, w - 1]) if (bg.labels[y * w + x] >= 0) outer[bg.labels[y * w + x]] = 1;
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = data[i] || (bg.labels[i] >= 0 && !outer[bg.labels[i]]) ? 1 : 0;
  return { width: w, height: h, data: out };
}
