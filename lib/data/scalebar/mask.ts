/**
 * Masks for burnt-in annotations (scale bar and its label), so measurements and training crops can leave
 * them out.
 */
import type { Box, GreyImage } from "./find_bar";

function clipBox(b: Box, width: number, height: number): Box {
  return {
    x0: Math.max(0, Math.floor(b.x0)),
    y0: Math.max(0, Math.floor(b.y0)),
    x1: Math.min(width, Math.ceil(b.x1)),
    y1: Math.min(height, Math.ceil(b.y1)),
  };
}

/**
 * A `width`×`height` row-major mask with 1 inside any of `regions` (pixels to exclude) and 0 elsewhere.
 * Boxes are x0/y0 inclusive, x1/y1 exclusive, fractional edges rounded outward, and clipped to the image.
 * Throws naming the function for a non-positive or non-integer size.
 */
export function excludeRegionMask(width: number, height: number, regions: Box[]): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`excludeRegionMask: width and height must be positive integers (got ${width}×${height})`);
  }
  const m = new Uint8Array(width * height);
  for (const r of regions) {
    const b = clipBox(r, width, height);
    for (let y = b.y0; y < b.y1; y++) m.fill(1, y * width + b.x0, y * width + Math.max(b.x0, b.x1));
  }
  return m;
}

/**
 * A copy of `img.data` with every region painted over. `fill` "ring" (default) uses the median of the
 * 2-px ring just outside each region, so a blanked bar blends into the micrograph instead of leaving a
 * black or white patch a network could learn; a number paints that grey level.
 */
export function blankRegions(img: GreyImage, regions: Box[], fill: number | "ring" = "ring"): Uint8Array {
  const { data, width, height } = img;
  const out = new Uint8Array(data);
  for (const r of regions) {
    const b = clipBox(r, width, height);
    if (b.x1 <= b.x0 || b.y1 <= b.y0) continue;
    let level: number;
    if (fill === "ring") {
      const ring: number[] = [];
      for (let y = b.y0 - 2; y < b.y1 + 2; y++) {
        for (let x = b.x0 - 2; x < b.x1 + 2; x++) {
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          if (x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1) continue;
          ring.push(data[y * width + x]);
        }
      }
      ring.sort((p, q) => p - q);
      level = ring.length ? ring[ring.length >> 1] : 128;
    } else {
      level = Math.max(0, Math.min(255, Math.round(fill)));
    }
    for (let y = b.y0; y < b.y1; y++) out.fill(level, y * width + b.x0, y * width + b.x1);
  }
  return out;
}
