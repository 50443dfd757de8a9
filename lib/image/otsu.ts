import { makeMask, type Mask } from "./mask";

/**
 * Otsu's threshold of a set of grey values: the cut that maximises the between-class variance of a
 * `bins`-bin histogram spanning [min, max]. Returns the centre of the winning bin, the convention of
 * scikit-image's `threshold_otsu` (foreground = value > threshold), so results compare one to one.
 * Throws on an empty input; a constant input returns its value (nothing is above it).
 */
export function otsuThreshold(values: ArrayLike<number>, bins = 256): number {
  const n = values.length;
  if (n === 0) throw new Error("otsuThreshold: no values");
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return lo;
  const hist = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < n; i++) hist[Math.min(bins - 1, Math.floor((values[i] - lo) / width))]++;
  const centre = (k: number): number => lo + (k + 0.5) * width;
  // Class weights and means for a cut after bin k, from cumulative sums in both directions (as in
  // skimage), so ties resolve to the same bin.
  let total = 0, totalMoment = 0;
  for (let k = 0; k < bins; k++) { total += hist[k]; totalMoment += hist[k] * centre(k); }
  let w0 = 0, m0 = 0, best = -1, bestK = 0;
  for (let k = 0; k < bins - 1; k++) {
    w0 += hist[k];
    m0 += hist[k] * centre(k);
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const mean0 = m0 / w0, mean1 = (totalMoment - m0) / w1;
    const between = w0 * w1 * (mean0 - mean1) ** 2;
    if (between > best) { best = between; bestK = k; }
  }
  return centre(bestK);
}

/** Which side of the Otsu cut is foreground. `auto`: the side holding fewer pixels (objects on a background). */
export type OtsuPolarity = "bright" | "dark" | "auto";

/**
 * Binary mask of a grey image by Otsu's threshold. `grey` is row-major `width*height` values (any
 * range). `polarity` picks the foreground side (default `auto`: the minority side, since particles and
 * wires usually cover less of a micrograph than the support film; a bright-field TEM shows them dark).
 */
export function otsuMask(grey: ArrayLike<number>, width: number, height: number, polarity: OtsuPolarity = "auto"): Mask {
  if (grey.length !== width * height) throw new Error(`otsuMask: got ${grey.length} values for a ${width}x${height} image`);
  const t = otsuThreshold(grey);
  let above = 0;
  for (let i = 0; i < grey.length; i++) if (grey[i] > t) above++;
  const bright = polarity === "bright" || (polarity === "auto" && above <= grey.length - above);
  const m = makeMask(width, height);
  for (let i = 0; i < grey.length; i++) m.data[i] = (grey[i] > t) === bright ? 1 : 0;
  return m;
}
