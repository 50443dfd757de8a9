import type { Mask } from "../image/mask";
import { pixelDensity } from "../image/mask";
import { connectedComponents } from "../image/components";
import { distanceTransform } from "../image/edt";
import { skeletonize, neighbourCounts, skeletonLengths, pruneSpurs } from "../image/skeleton";
import { localOrientations, nematicOrder, orientationHistogram, principalAngle } from "./orientation";

/**
 * Domain measurements: every 8-connected foreground domain of a mask gets an area, a skeleton
 * (Zhang–Suen/Lü–Wang thinning, staircase removal, spur pruning), a length, a width profile from the exact Euclidean distance
 * transform along the skeleton, orientations, and end/branch points.
 *
 * Definitions (pixels; multiply by `nmPerPx` for nm, by its square for nm²):
 * - skeletonLength: centre-to-centre length of the skeleton graph (orthogonal step 1, diagonal √2).
 *   Chain codes over-estimate lines between the axes and the diagonals by up to 8% (22.5°).
 * - length: the skeleton graph length with each link divided by the chain factor of its local
 *   orientation (`chainFactor`, removes that bias), plus Σ over end points of DT: thinning eats each free end
 *   back by about half a width (calibrated on flat-ended bars, where it restores the length exactly). A domain whose skeleton is one pixel gets 2·DT − 1.
 * - width at a skeleton pixel p: DT(p) + max(DT(q₁), DT(q₂)) + (s − 1), where DT is the distance to the
 *   nearest background pixel centre, q₁, q₂ are p's two neighbours across the local orientation (the
 *   8-neighbour step closest to the normal) and s their step length (1 or √2). On bars drawn with known
 *   width this is exact for axis-aligned bars of any width, odd or even, and reads at most ~0.75 px
 *   narrow for oblique ones (plain 2·DT − 1 is 1 px off on even widths and up to 1 px on oblique ones).
 *   areaWidth = area / length is the mean width of a uniform wire without that orientation bias.
 * - orientation: per-domain principal axis of its pixels (second moments); per-skeleton-pixel local
 *   axis (see `localOrientations`). Degrees in [0,180), counter-clockwise from +x with y up.
 * Accuracy on 432 drawn bars (L = 100 px, W = 2…9 px, angles every 7.5°, three sub-pixel offsets):
 * length max error 5.7% (mean +0.8%; 1% when axis-aligned), DT width max 0.96 px (mean bias −0.1 px at
 * W = 2 to −0.5 px at W = 9; exact when axis-aligned), orientation max 0.05°, always 2 ends, 0 branches; nematic order of one bar ≥ 0.94 for W ≤ 5
 * (0.87 at W = 9: the skeleton bends toward a corner in the last few pixels).
 * - end points: skeleton pixels with one skeleton neighbour; branch points: 8-connected clusters of
 *   skeleton pixels with ≥ 3 skeleton neighbours.
 */
export interface DomainOptions {
  /** Pixel size in nm; when set, physical fields are filled. Default undefined (pixels only). */
  nmPerPx?: number;
  /** Domains smaller than this many pixels are ignored. Default 1 (keep all). */
  minArea?: number;
  /** Half-size of the window for local skeleton orientation, px. Default 3. */
  orientationRadius?: number;
  /** Spurs shorter than this × the distance transform at their junction are pruned (see `pruneSpurs`). Default 2; 0 keeps all. */
  pruneFactor?: number;
  /** Bins over [0,180) for orientation histograms. Default 18 (10° each). */
  orientationBins?: number;
}

/** Measurements of one connected domain (pixel units unless the field name ends in Nm/Nm2). */
export interface DomainMeasure {
  /** Index in raster order of first pixel (after the minArea filter, ids stay those of the labelling). */
  id: number;
  /** Pixels. */
  area: number;
  /** Centroid column and row. */
  centroid: [number, number];
  /** Bounding box [xmin, ymin, xmax, ymax], inclusive. */
  bbox: [number, number, number, number];
  /** Skeleton pixel count. */
  skeletonPixels: number;
  /** Skeleton graph length, px. */
  skeletonLength: number;
  /** End-corrected length, px (see DomainOptions doc). */
  length: number;
  /** Mean width along the skeleton (DT-based, see DomainOptions), px. */
  meanWidth: number;
  /** area / length, px: mean width of a uniform wire without the DT's orientation bias. */
  areaWidth: number;
  /** Median width along the skeleton, px. */
  medianWidth: number;
  /** Principal-axis orientation of the domain's pixels, degrees [0,180). */
  orientation: number;
  /** Eccentricity of the pixel second moments (0 = round, →1 = line). */
  elongation: number;
  /** Nematic order of the local skeleton orientations within the domain. */
  nematicOrder: number;
  /** Mean axial direction of the skeleton (nematic director of its local orientations), degrees [0,180). */
  director: number;
  /** Skeleton end points. */
  endPoints: number;
  /** Skeleton branch points (clusters of pixels with ≥3 neighbours). */
  branchPoints: number;
  /** Physical values when nmPerPx was given. */
  areaNm2?: number;
  /** End-corrected length in nm. */
  lengthNm?: number;
  /** Mean width in nm. */
  meanWidthNm?: number;
  /** Median width in nm. */
  medianWidthNm?: number;
  /** area / length in nm. */
  areaWidthNm?: number;
}

/** Per-image summary plus the per-domain rows and pooled distributions. */
export interface ImageMeasure {
  width: number;
  height: number;
  /** Fraction of foreground pixels. */
  density: number;
  /** Domains kept (area ≥ minArea). */
  domainCount: number;
  /** One row per kept domain. */
  domains: DomainMeasure[];
  /** Σ domain lengths, px. */
  totalLength: number;
  /** Skeleton-length-weighted mean width, px. */
  meanWidth: number;
  /** Width at every skeleton pixel of kept domains, px (the width distribution). */
  widths: number[];
  /** Local orientation at every skeleton pixel with a direction, degrees. */
  orientations: number[];
  /** Histogram of `orientations` over [0,180). */
  orientationHistogram: number[];
  /** Nematic order parameter S of all local orientations. */
  nematicOrder: number;
  /** Director of all local orientations, degrees. */
  director: number;
  /** Σ end points and Σ branch points over domains. */
  endPoints: number;
  branchPoints: number;
  /** nm per pixel, when given. */
  nmPerPx?: number;
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Measure every connected domain of a mask. Throws on a non-positive nmPerPx. */
export function measureDomains(mask: Mask, opts: DomainOptions = {}): ImageMeasure {
  const nm = opts.nmPerPx;
  if (nm !== undefined && !(nm > 0)) throw new Error(`measureDomains: nmPerPx must be > 0, got ${nm}`);
  const minArea = opts.minArea ?? 1;
  const radius = opts.orientationRadius ?? 3;
  const bins = opts.orientationBins ?? 18;
  const { width: w, height: h } = mask;
  const cc = connectedComponents(mask, 8);
  const dt = distanceTransform(mask);
  const skel = skeletonize(mask);
  if ((opts.pruneFactor ?? 2) > 0) pruneSpurs(skel, dt, opts.pruneFactor ?? 2);
  const k = cc.count;
  // Restore one skeleton pixel (the deepest) for domains that thinning erased entirely.
  const hasSkel = new Uint8Array(k), deepest = new Int32Array(k).fill(-1);
  for (let p = 0; p < w * h; p++) {
    const l = cc.labels[p];
    if (l < 0) continue;
    if (skel.data[p]) hasSkel[l] = 1;
    if (deepest[l] < 0 || dt[p] > dt[deepest[l]]) deepest[l] = p;
  }
  for (let l = 0; l < k; l++) if (!hasSkel[l]) skel.data[deepest[l]] = 1;

  const nbr = neighbourCounts(skel);
  const orient = localOrientations(skel, cc.labels, radius);
  const lens = skeletonLengths(skel, cc.labels, k, orient);
  const acc = Array.from({ length: k }, () => ({
    n: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, xmin: w, ymin: h, xmax: -1, ymax: -1,
    widths: [] as number[], angles: [] as number[], ends: 0, endDt: 0, skelDt: 0, branchPx: [] as number[],
  }));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = y * w + x;
    const l = cc.labels[p];
    if (l < 0) continue;
    const a = acc[l];
    a.n++; a.sx += x; a.sy += y; a.sxx += x * x; a.syy += y * y; a.sxy += x * y;
    if (x < a.xmin) a.xmin = x;
    if (y < a.ymin) a.ymin = y;
    if (x > a.xmax) a.xmax = x;
    if (y > a.ymax) a.ymax = y;
    if (!skel.data[p]) continue;
    a.widths.push(localWidth(dt, orient[p], x, y, w, h));
    a.skelDt = dt[p];
    if (Number.isFinite(orient[p])) a.angles.push(orient[p]);
    if (nbr[p] === 1) { a.ends++; a.endDt += dt[p]; }
    if (nbr[p] >= 3) a.branchPx.push(p);
  }
  const domains: DomainMeasure[] = [];
  const widths: number[] = [], orientations: number[] = [];
  let totalLength = 0, endPoints = 0, branchPoints = 0, wsum = 0, wn = 0;
  for (let l = 0; l < k; l++) {
    const a = acc[l];
    if (a.n < minArea) continue;
    const mx = a.sx / a.n, my = a.sy / a.n;
    const cxx = a.sxx / a.n - mx * mx, cyy = a.syy / a.n - my * my, cxy = a.sxy / a.n - mx * my;
    const tr = cxx + cyy, det = cxx * cyy - cxy * cxy;
    const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const l1 = tr / 2 + disc, l2 = tr / 2 - disc;
    const skelPx = a.widths.length;
    const length = skelPx === 1 ? 2 * a.skelDt - 1 : lens.corrected[l] + a.endDt;
    const branches = countClusters(a.branchPx, w);
    const nem = nematicOrder(a.angles);
    const meanW = a.widths.reduce((s, v) => s + v, 0) / skelPx;
    const d: DomainMeasure = {
      id: l, area: a.n, centroid: [mx, my], bbox: [a.xmin, a.ymin, a.xmax, a.ymax],
      skeletonPixels: skelPx, skeletonLength: lens.chain[l], length, areaWidth: a.n / length,
      meanWidth: meanW, medianWidth: median(a.widths),
      orientation: principalAngle(cxx, cyy, cxy),
      elongation: l1 > 0 ? Math.sqrt(Math.max(0, 1 - l2 / l1)) : 0,
      nematicOrder: nem.order, director: nem.director,
      endPoints: a.ends, branchPoints: branches,
    };
    if (nm !== undefined) {
      d.areaNm2 = a.n * nm * nm; d.lengthNm = length * nm; d.meanWidthNm = meanW * nm;
      d.medianWidthNm = d.medianWidth * nm; d.areaWidthNm = d.areaWidth * nm;
    }
    domains.push(d);
    totalLength += length; endPoints += a.ends; branchPoints += branches;
    for (const v of a.widths) { widths.push(v); wsum += v; wn++; }
    for (const v of a.angles) orientations.push(v);
  }
  const nem = nematicOrder(orientations);
  const out: ImageMeasure = {
    width: w, height: h, density: pixelDensity(mask), domainCount: domains.length, domains,
    totalLength, meanWidth: wn ? wsum / wn : NaN, widths, orientations,
    orientationHistogram: orientationHistogram(orientations, bins),
    nematicOrder: nem.order, director: nem.director, endPoints, branchPoints,
  };
  if (nm !== undefined) out.nmPerPx = nm;
  return out;
}

/** Width at skeleton pixel (x, y) from the distance transform across the local orientation (see DomainOptions). */
function localWidth(dt: Float64Array, angleDeg: number, x: number, y: number, w: number, h: number): number {
  const p = y * w + x;
  if (!Number.isFinite(angleDeg)) return 2 * dt[p] - 1;
  const t = ((angleDeg + 90) * Math.PI) / 180;
  const dx = Math.round(Math.cos(t)), dy = -Math.round(Math.sin(t));
  const at = (xx: number, yy: number): number => (xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : dt[yy * w + xx]);
  return dt[p] + Math.max(at(x + dx, y + dy), at(x - dx, y - dy)) + (Math.hypot(dx, dy) - 1);
}

/** Number of 8-connected clusters among a set of pixel indices (image width w). */
function countClusters(px: number[], w: number): number {
  if (px.length === 0) return 0;
  const set = new Set(px), seen = new Set<number>();
  let n = 0;
  for (const p of px) {
    if (seen.has(p)) continue;
    n++;
    const stack = [p];
    seen.add(p);
    while (stack.length) {
      const q = stack.pop()!;
      const x = q % w, y = (q / w) | 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        if (x + dx < 0 || x + dx >= w) continue;
        const r = (y + dy) * w + (x + dx);
        if (set.has(r) && !seen.has(r)) { seen.add(r); stack.push(r); }
      }
    }
  }
  return n;
}
