/**
 * Groups of images that are rotated or flipped copies of one another, found by content (never by file
 * name). The authors' `singular` class holds each original plus its 90/180/270° rotations, so a plain
 * stratified split can put a rotated copy of a test image into training; the honest protocol splits by
 * these groups instead (splits.ts `groupedStratifiedSplit`).
 *
 * Method: every image is reduced to a small square grey thumbnail (area average), standardised (zero
 * mean, unit norm: robust to brightness, contrast and JPEG noise). Candidates are pairs whose
 * D4-symmetrised thumbnails (the mean over the 8 rotations/flips, identical for all copies) are close;
 * a candidate joins the group when one of the 8 transforms of one thumbnail matches the other within
 * `tolerance` (RMS per pixel of the standardised thumbnails). Groups are the connected components.
 */
import { decodeImage } from "../data/decode";

/** A grey square thumbnail, row-major, `size`×`size`. */
export interface Thumb {
  size: number;
  data: Float64Array;
}

/** Settings of duplicate grouping. Defaults in brackets. */
export interface DuplicateGroupOptions {
  /** Thumbnail side in px. [16] */
  size?: number;
  /**
   * RMS difference per pixel (of thumbnails standardised to zero mean and unit variance) below which
   * two images are the same content. [0.15: re-encoded JPEG copies measure < 0.05; unrelated TEM
   * crops > 0.5]
   */
  tolerance?: number;
}

/** The 8 elements of the dihedral group D4 on an n×n grid: (row, col) → source index. */
function transformIndex(k: number, n: number, r: number, c: number): number {
  const m = n - 1;
  switch (k) {
    case 0: return r * n + c;             // identity
    case 1: return c * n + (m - r);       // rotate 90° counter-clockwise
    case 2: return (m - r) * n + (m - c); // rotate 180°
    case 3: return (m - c) * n + r;       // rotate 90° clockwise
    case 4: return r * n + (m - c);       // flip left-right
    case 5: return (m - r) * n + c;       // flip up-down
    case 6: return c * n + r;             // transpose
    default: return (m - c) * n + (m - r); // anti-transpose
  }
}

/** Thumbnail `t` under transform k (0..7) of D4. */
export function transformThumb(t: Thumb, k: number): Thumb {
  const n = t.size;
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out[r * n + c] = t.data[transformIndex(k, n, r, c)];
  return { size: n, data: out };
}

/** Zero mean, unit RMS (a flat image stays all zeros). */
export function standardiseThumb(t: Thumb): Thumb {
  const d = t.data;
  let mean = 0;
  for (const v of d) mean += v;
  mean /= d.length;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / d.length);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = sd > 1e-12 ? (d[i] - mean) / sd : 0;
  return { size: t.size, data: out };
}

function rms(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

/** Smallest RMS difference between `a` and any of the 8 transforms of `b` (standardised thumbnails). */
export function dihedralDistance(a: Thumb, b: Thumb): number {
  if (a.size !== b.size) throw new Error(`dihedralDistance: thumbnails of ${a.size} and ${b.size} px`);
  let best = Infinity;
  for (let k = 0; k < 8; k++) best = Math.min(best, rms(a.data, transformThumb(b, k).data));
  return best;
}

/**
 * Group ids for standardised thumbnails: `groups[i] === groups[j]` when i and j are connected by
 * rotated/flipped matches within `tolerance`. Ids are 0..G−1 in order of each group's first image.
 * O(N²) on the 10 distinct values of a symmetrised 16×16 thumbnail for candidates, then 8 transforms per candidate.
 * @throws for thumbnails of different sizes or a tolerance that is not positive.
 */
export function groupThumbs(thumbs: Thumb[], tolerance = 0.15): number[] {
  if (!(tolerance > 0)) throw new Error(`groupThumbs: tolerance must be > 0, got ${tolerance}`);
  const n = thumbs.length;
  const std = thumbs.map(standardiseThumb);
  if (std.some((t) => t.size !== std[0].size)) throw new Error("groupThumbs: thumbnails of different sizes");
  // D4-symmetrised signature: identical for all 8 copies of an image, so copies are near in it.
  const sig = std.map((t) => {
    const acc = new Float64Array(t.data.length);
    for (let k = 0; k < 8; k++) { const x = transformThumb(t, k).data; for (let i = 0; i < acc.length; i++) acc[i] += x[i] / 8; }
    return acc;
  });
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (find(i) === find(j)) continue;
      // the symmetrised signatures differ by at most the transform-matched distance (triangle inequality)
      if (rms(sig[i], sig[j]) > tolerance) continue;
      if (dihedralDistance(std[i], std[j]) <= tolerance) parent[find(j)] = find(i);
    }
  }
  const ids = new Map<number, number>();
  return parent.map((_, i) => {
    const r = find(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    return ids.get(r)!;
  });
}

/**
 * Duplicate groups of image files (see the file comment): each file decoded as a grey `size`×`size`
 * thumbnail, then `groupThumbs`. Returns one group id per file, 0..G−1.
 * @throws naming the file when one cannot be decoded.
 */
export async function duplicateGroups(files: string[], opts: DuplicateGroupOptions = {}): Promise<number[]> {
  const size = opts.size ?? 16;
  const thumbs: Thumb[] = [];
  for (const f of files) {
    const d = await decodeImage(f, { size, channels: 3 });
    const full = d.depth === 16 ? 65535 : 255;
    const data = new Float64Array(size * size);
    for (let i = 0; i < data.length; i++) data[i] = (d.data[i * 3] + d.data[i * 3 + 1] + d.data[i * 3 + 2]) / (3 * full);
    thumbs.push({ size, data });
  }
  return groupThumbs(thumbs, opts.tolerance ?? 0.15);
}

/** Summary of a grouping: images, groups, and the largest group's size. */
export function groupSummary(groups: number[]): { images: number; groups: number; largest: number; inGroups: number } {
  const counts = new Map<number, number>();
  for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
  const sizes = [...counts.values()];
  return { images: groups.length, groups: counts.size, largest: sizes.length ? Math.max(...sizes) : 0, inGroups: sizes.filter((s) => s > 1).reduce((a, s) => a + s, 0) };
}
