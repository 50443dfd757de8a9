/**
 * What a dataset allows before any features are computed: which n (labelled images per class) every
 * class's training pool can supply, and whether the encoder would see large micrographs squeezed far
 * below their native size. Cheap checks (file counts, image headers) so a user learns about them
 * before minutes of feature extraction.
 */
import { imageInfo } from "../data/decode";
import type { ProbeImages } from "./dataset";
import { byClass } from "../stats/splits";

/**
 * Images per class in the training pool of a stratified split with `testFraction` (or outside the
 * fixed test rows), the same count `stratifiedSplit` leaves; one entry per class.
 */
export function poolSizes(images: ProbeImages, testFraction = 0.2): number[] {
  const test = new Set(images.testRows ?? []);
  return byClass(images.labels, images.classes.length).map((rows) => {
    if (images.testRows) return rows.filter((i) => !test.has(i)).length;
    let nTest = Math.round(testFraction * rows.length);
    if (rows.length >= 2) nTest = Math.min(rows.length - 1, Math.max(1, nTest));
    return rows.length - nTest;
  });
}

/** The entries of `ns` that every class's pool can supply (see {@link poolSizes}), in the given order. */
export function feasibleLabelsPerClass(images: ProbeImages, ns: number[], testFraction = 0.2): number[] {
  const smallest = Math.min(...poolSizes(images, testFraction));
  return ns.filter((n) => n <= smallest);
}

/**
 * A warning when the median image (from up to 25 headers) is more than 2.5× larger on its short side
 * than what the encoder sees (`size`·`tiles`), naming the factor and a `--tiles` value that would keep
 * about 2.5× or less; null otherwise. Unreadable headers are skipped (the loaders report them).
 */
export async function downscaleNote(files: string[], size: number, tiles: number): Promise<string | null> {
  const step = Math.max(1, Math.floor(files.length / 25));
  const sides: number[] = [];
  for (let i = 0; i < files.length; i += step) {
    try {
      const h = await imageInfo(files[i]);
      sides.push(Math.min(h.width, h.height));
    } catch {
      // reported by the image loaders with the file name
    }
  }
  if (sides.length === 0) return null;
  sides.sort((a, b) => a - b);
  const median = sides[Math.floor(sides.length / 2)];
  const factor = median / (size * tiles);
  if (factor <= 2.5) return null;
  const suggest = Math.min(8, Math.ceil(median / (2.5 * size)));
  return `images are ~${median} px on the short side; the encoder sees them at ${size * tiles} px (${factor.toFixed(1)}× smaller), ` +
    `so fine detail is lost — --tiles ${suggest} embeds ${suggest}×${suggest} tiles of ${size} px and averages them`;
}
