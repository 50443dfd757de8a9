/**
 * Slow shading taken out of an image: the image minus its Gaussian blur at a scale far above the
 * objects'. A glow or a gradient across a micrograph pulls one global threshold, and the objects in
 * the lit or the dark part vanish into one region; after this, each object is compared with its own
 * neighbourhood (a local background), at the cost of halos around objects near the blur's scale.
 */
import { gaussianBlur } from "./gaussian";

/**
 * `grey` (row-major, `width`·`height` values) minus its Gaussian blur of σ `sigma` px: zero-mean
 * locally, objects much smaller than σ kept. Throws on a size mismatch or σ ≤ 0.
 */
export function flattenShading(grey: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (grey.length !== width * height) throw new Error(`flattenShading: ${grey.length} values for a ${width}x${height} image`);
  if (!(sigma > 0)) throw new Error(`flattenShading: sigma must be > 0 px, got ${sigma}`);
  const background = gaussianBlur(grey, width, height, sigma);
  const out = new Float32Array(grey.length);
  for (let i = 0; i < out.length; i++) out[i] = grey[i] - background[i];
  return out;
}
