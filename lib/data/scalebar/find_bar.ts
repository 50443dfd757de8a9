/**
 * Locate scale-bar candidates in a grey image: solid horizontal bars (bright on dark or dark on bright),
 * found as bands of equally long, aligned row runs that contrast with the rows just above and below.
 *
 * Why runs and not connected components: end caps ("|——|"), outlines and labels touching the bar join
 * its component, while the bar's rows stay long runs with the same ends; texture and blobs almost never
 * give several aligned rows with contrast on both sides.
 */

/** A pixel rectangle, x0/y0 inclusive, x1/y1 exclusive (so width = x1 − x0). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A grey image: one 8-bit sample per pixel, row-major. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One bar-shaped region. */
export interface BarCandidate {
  /** The bar's rows and columns (ends with their partial anti-aliased pixels rounded in). */
  box: Box;
  /** Length in pixels, sub-pixel: between the half-level crossings of its ends, averaged over its interior rows. */
  lengthPx: number;
  /** Thickness in rows. */
  thicknessPx: number;
  /** "bright": a light bar on darker surroundings; "dark": the opposite. */
  polarity: "bright" | "dark";
  /** Mean grey level of the bar (0…255, original polarity). */
  barLevel: number;
  /** Weaker of the two contrasts (grey levels) between the bar and the strips above and below it. */
  contrast: number;
  /** Ranking score, 0…1: contrast, uniformity and shape; higher is more bar-like. */
  score: number;
  /**
   * True when the rows cross the half level but no crossing agrees with the run's ends (something
   * bright joins an end, or the threshold run stopped short), or when the band is the inside of an
   * outlined bar (a thin frame above and below, the surround beyond it back towards the band's level),
   * or when it runs into the image's left or right edge (it may have been cut with the figure), or when
   * its length moves by more than 1.5 % between the background next to it and each end's background
   * beyond its blurred edge (a wide blur, or an end on a differently lit region):
   * `lengthPx` may then be several pixels off the bar meant, so findScaleBar gives no reading from it.
   */
  endsUnclear?: true;
}

/** Options for {@link findBarCandidates}. Defaults in brackets. */
export interface FindBarOptions {
  /** Shortest bar, pixels [max(8, 3 % of the width)]. */
  minLengthPx?: number;
  /** Longest bar as a fraction of the width [0.9]. */
  maxLengthFraction?: number;
  /** Least contrast (grey levels) with the strips above and below [50]. */
  minContrast?: number;
  /** How many candidates to return, best first [5]. */
  maxCandidates?: number;
  /**
   * Scan every rowStep-th row for flat runs [1] (and the rows beside a flat one): bars thinner than
   * rowStep rows may be missed, at 1/rowStep of the scan's cost (find_scale_bar tries 2 first).
   */
  rowStep?: number;
}

// Thresholds on the polarity-normalised image (bar bright); a bar of any grey level ≥ 125 above a darker
// surround appears at one of them. The contrast test on real pixel values decides, not the threshold.
const THRESHOLDS = [250, 225, 200, 175, 150, 125];

interface Run {
  x0: number;
  x1: number;
}

function rowRuns(v: Uint8Array, width: number, y: number, t: number, minLen: number, maxLen: number): Run[] {
  const out: Run[] = [];
  let start = -1;
  const base = y * width;
  for (let x = 0; x <= width; x++) {
    const on = x < width && v[base + x] >= t;
    if (on && start < 0) start = x;
    else if (!on && start >= 0) {
      const len = x - start;
      if (len >= minLen && len <= maxLen) out.push({ x0: start, x1: x });
      start = -1;
    }
  }
  return out;
}

function stripStats(v: Uint8Array, width: number, height: number, x0: number, x1: number, y0: number, y1: number, t: number): { mean: number; n: number; onFraction: number } {
  let s = 0;
  let n = 0;
  let on = 0;
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
    for (let x = x0; x < x1; x++) { const p = v[y * width + x]; s += p; n++; if (p >= t) on++; }
  }
  return { mean: n ? s / n : NaN, n, onFraction: n ? on / n : 0 };
}

/**
 * Sub-pixel length of one row of a bar: the distance between the two places where the row crosses the
 * half level (mean of bar and background; `bgRight` for the right end when given), each interpolated
 * linearly between the pixels on either side.
 * Walks out from the run [x0, x1) so blur and JPEG ringing that spread an edge over 2–3 pixels count as
 * half of it, whatever threshold found the run. `monotone`: from each end of the run out to the crossing
 * the row only falls towards the background (never 6 grey levels above its lowest so far), i.e. the walk
 * crossed a blurred edge and did not escape along something bright beside the bar; `reach`: how far the
 * farther crossing lies beyond its end of the run, pixels. Null when the row does not cross inside the image.
 */
export function halfLevelLength(v: Uint8Array, width: number, y: number, x0: number, x1: number, bar: number, bgLeft: number, bgRight = bgLeft): { length: number; monotone: boolean; reach: number } | null {
  const halfL = (bar + bgLeft) / 2, halfR = (bar + bgRight) / 2;
  const row = y * width;
  const mid = (x0 + x1 - 1) >> 1;
  if (v[row + mid] < Math.max(halfL, halfR)) return null;
  let l = mid;
  while (l > 0 && v[row + l - 1] >= halfL) l--;
  let r = mid;
  while (r < width - 1 && v[row + r + 1] >= halfR) r++;
  // Beyond each end of the run, out to the first pixel past the crossing, no pixel may rise more than 6
  // grey levels above the lowest one before it.
  let monotone = true;
  for (let x = Math.min(x0, mid) - 1, lo = v[row + x + 1]; x >= Math.max(0, l - 1); x--) { if (v[row + x] > lo + 6) monotone = false; lo = Math.min(lo, v[row + x]); }
  for (let x = Math.max(x1 - 1, mid) + 1, lo = v[row + x - 1]; x <= Math.min(width - 1, r + 1); x++) { if (v[row + x] > lo + 6) monotone = false; lo = Math.min(lo, v[row + x]); }
  if (l === 0 || r === width - 1) return { length: r - l + 1, monotone, reach: Math.max(x0 - l, r + 1 - x1) };
  const a = v[row + l], o = v[row + l - 1];
  const b = v[row + r], p = v[row + r + 1];
  const xl = l - (a - halfL) / (a - o);
  const xr = r + (b - halfR) / (b - p);
  return { length: xr - xl, monotone, reach: Math.max(x0 - xl, xr - x1) };
}

/** Whether row `y` holds a run of ≥ `minLen` pixels within ±12 grey levels of the run's first pixel. */
function isFlatRow(v: Uint8Array, width: number, y: number, minLen: number): boolean {
  const row = y * width;
  // lo = ref − 12: a pixel is within ±12 of ref when u = p − lo is 0…24. Branch-free: on noisy texture a
  // branch on it is mispredicted half the time (measured: twice as slow on the bench's 2048² export).
  let lo = v[row] - 12;
  let end = row + minLen - 1;
  for (let i = row + 1, e = row + width; i < e; i++) {
    const p = v[i];
    const u = p - lo;
    // All ones when u < 0 or u > 24 (a new run starts here), else 0.
    const m = -(((u | (24 - u)) >> 31) & 1);
    lo += m & (p - 12 - lo);
    end += m & (i + minLen - 1 - end);
    if (i >= end) return true;
  }
  return false;
}

let invScratch = new Uint8Array(0);

/** out = 255 − v on the rows flagged in `rows` (its own small function: the engine optimises it early). */
function invertRows(v: Uint8Array, out: Uint8Array, width: number, rows: Uint8Array): void {
  for (let y = 0; y < rows.length; y++) {
    if (!rows[y]) continue;
    for (let i = y * width, e = i + width; i < e; i++) out[i] = 255 - v[i];
  }
}

/**
 * 1 for rows holding a run of ≥ `minLen` pixels within ±12 grey levels of the run's first pixel. With
 * `step` > 1 only every step-th row is scanned, and the step − 1 rows on either side of a flat one: every
 * band at least `step` rows thick is still found whole, at 1/step of the cost.
 */
function flatRows(v: Uint8Array, width: number, height: number, minLen: number, step = 1): Uint8Array {
  const out = new Uint8Array(height);
  if (step > 1) {
    const done = new Uint8Array(height);
    for (let y = 0; y < height; y += step) {
      done[y] = 1;
      if (!isFlatRow(v, width, y, minLen)) continue;
      out[y] = 1;
      for (let k = Math.max(0, y - step + 1); k < Math.min(height, y + step); k++) {
        if (!done[k]) { done[k] = 1; out[k] = Number(isFlatRow(v, width, k, minLen)); }
      }
    }
    return out;
  }
  for (let y = 0; y < height; y++) out[y] = Number(isFlatRow(v, width, y, minLen));
  return out;
}

/**
 * Bar-shaped candidates in `img`, best first (see the file comment for the method). Both polarities are
 * searched. Returns [] when nothing bar-like is there; never throws for a valid image. Throws naming the
 * function when `data.length !== width·height`.
 */
export function findBarCandidates(img: GreyImage, opts: FindBarOptions = {}): BarCandidate[] {
  const { data, width, height } = img;
  if (data.length !== width * height) throw new Error(`findBarCandidates: data has ${data.length} samples, expected ${width}×${height}`);
  const minLen = Math.max(4, Math.round(opts.minLengthPx ?? Math.max(8, 0.03 * width)));
  const maxLen = Math.floor((opts.maxLengthFraction ?? 0.9) * width);
  const minContrast = opts.minContrast ?? 50;
  const found: BarCandidate[] = [];
  // Every row of a bar holds a flat run (±12 grey levels) at least minLen long; rows without one (texture,
  // particles) cannot be part of a bar and are skipped by all the threshold passes below.
  const flat = flatRows(data, width, height, minLen, Math.max(1, Math.floor(opts.rowStep ?? 1)));
  // The dark-bar passes read an inverted image, but only near flat rows (a band's rows, the strips assess
  // reads above and below it, ≤ 5 rows away); the other rows stay 0 and are never read. Inverting only
  // those saves a full pass over a noisy 2048² export, where few rows are flat.
  // One buffer per process, reused: a fresh 4 MB array per 2048² image made garbage collection a third of
  // the cost (measured). Only the rows flagged `near` are written and read, so stale rows do no harm.
  if (invScratch.length < data.length) invScratch = new Uint8Array(data.length);
  const inv = invScratch;
  const near = new Uint8Array(height);
  for (let y = 0; y < height; y++) {
    if (!flat[y]) continue;
    for (let k = Math.max(0, y - 6); k <= Math.min(height - 1, y + 6); k++) near[k] = 1;
  }
  invertRows(data, inv, width, near);
  for (const polarity of ["bright", "dark"] as const) {
    const v = polarity === "bright" ? data : inv;
    for (const t of THRESHOLDS) bandsAt(v, width, height, flat, t, minLen, maxLen, polarity, minContrast, found);
  }
  // The same bar shows up at several thresholds: keep the best-scoring one per overlapping group.
  found.sort((a, b) => b.score - a.score);
  // A bar on a panel makes the panel's rows next to it look like a bar of the other polarity; the bar is
  // the one with contrast on both sides (panel above and below), so drop the weaker neighbour.
  const panelBand = (a: BarCandidate): boolean => found.some((b) => b.polarity !== a.polarity && b.contrast >= a.contrast && adjacent(a, b));
  const kept: BarCandidate[] = [];
  for (const c of found) {
    if (panelBand(c)) continue;
    if (!kept.some((k) => overlapFraction(k.box, c.box) > 0.5)) kept.push(c);
    if (kept.length >= (opts.maxCandidates ?? 5)) break;
  }
  return kept;
}

/** An open band: runs continuing from row to row with the same ends. */
interface Band {
  x0: number;
  x1: number;
  y0: number;
  rows: Run[];
}

/**
 * The bands of runs ≥ `t` on the flat rows of `v` (runs continuing from the previous row with the same
 * ends, ±2 px for anti-aliasing), each assessed as a bar when it closes; bars are pushed to `found`.
 * A function of its own: the engine optimises it apart from the caller (measured: fewer de-optimisations).
 */
function bandsAt(v: Uint8Array, width: number, height: number, flat: Uint8Array, t: number, minLen: number, maxLen: number, polarity: "bright" | "dark", minContrast: number, found: BarCandidate[]): void {
  let open: Band[] = [];
  for (let y = 0; y <= height; y++) {
    const isFlat = y < height && flat[y] === 1;
    // Most rows are not flat and close nothing: skip them without allocating.
    if (!isFlat && open.length === 0) continue;
    const runs = isFlat ? rowRuns(v, width, y, t, minLen, maxLen) : [];
    const next: Band[] = [];
    const used = new Set<number>();
    for (const b of open) {
      const k = runs.findIndex((r, i) => !used.has(i) && Math.abs(r.x0 - b.x0) <= 2 && Math.abs(r.x1 - b.x1) <= 2);
      if (k >= 0) {
        used.add(k);
        b.rows.push(runs[k]);
        next.push(b);
      } else {
        const c = assess(v, width, height, b.rows, b.y0, y, polarity, minContrast, t);
        if (c) found.push(c);
      }
    }
    runs.forEach((r, i) => { if (!used.has(i)) next.push({ x0: r.x0, x1: r.x1, y0: y, rows: [r] }); });
    open = next;
  }
}

function adjacent(a: BarCandidate, b: BarCandidate): boolean {
  const gap = Math.max(a.box.y0 - b.box.y1, b.box.y0 - a.box.y1);
  const ox = Math.min(a.box.x1, b.box.x1) - Math.max(a.box.x0, b.box.x0);
  const minLen = Math.min(a.box.x1 - a.box.x0, b.box.x1 - b.box.x0);
  return gap <= Math.max(2, a.thicknessPx, b.thicknessPx) && ox >= 0.8 * minLen;
}

function overlapFraction(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const iy = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (r: Box): number => (r.x1 - r.x0) * (r.y1 - r.y0);
  return (ix * iy) / Math.max(1, Math.min(area(a), area(b)));
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

/** Mean of row `y` over columns [x0, x1) (NaN outside the image). */
function rowMean(v: Uint8Array, width: number, height: number, y: number, x0: number, x1: number): number {
  if (y < 0 || y >= height || x1 <= x0) return NaN;
  let s = 0;
  for (let x = x0; x < x1; x++) s += v[y * width + x];
  return s / (x1 - x0);
}

/**
 * Whether the band [y0, y1) (bar-high polarity `v`, interior columns [sx0, sx1), level `level`) is the
 * inside of an outlined bar: on both sides a thin frame (the darkest of the 3 rows next to it) beyond
 * which, within 3 more rows, the row means come back towards the band's level by at least half the
 * band-to-frame contrast. The bar such a figure means is the frame's outer box, not this band.
 */
function framedInside(v: Uint8Array, width: number, height: number, sx0: number, sx1: number, y0: number, y1: number, level: number): boolean {
  for (const dir of [-1, 1]) {
    const edge = dir < 0 ? y0 - 1 : y1;
    let kf = 0, m = Infinity;
    for (let k = 0; k < 3; k++) { const r = rowMean(v, width, height, edge + dir * k, sx0, sx1); if (r < m) { m = r; kf = k; } }
    if (!Number.isFinite(m)) return false;
    let back = -Infinity;
    for (let k = kf + 1; k <= kf + 3; k++) { const r = rowMean(v, width, height, edge + dir * k, sx0, sx1); if (r > back) back = r; }
    if (!(back - m >= 0.5 * (level - m))) return false;
  }
  return true;
}

/** Median of row `y` over columns [x0, x1), sampled at most 64 columns evenly (NaN outside the image). */
function rowMedian(v: Uint8Array, width: number, height: number, y: number, x0: number, x1: number): number {
  if (y < 0 || y >= height || x1 <= x0) return NaN;
  const step = Math.max(1, Math.floor((x1 - x0) / 64));
  const r = new Uint8Array(Math.ceil((x1 - x0) / step));
  for (let x = x0, i = 0; x < x1; x += step) r[i++] = v[y * width + x];
  r.sort();
  return r[r.length >> 1];
}

/**
 * The background level beside a bar (bar-high `v`, bar level `level`) once its blurred edge has died
 * out: starting at row `from` and going in direction `dir`, the first row median (columns [x0, x1)) from
 * which the next row changes by at most max(2, 4 % of the remaining contrast), looking at most 6 rows
 * out; the lowest median seen when none settles. NaN when the first row is outside the image.
 */
export function edgeFreeLevel(v: Uint8Array, width: number, height: number, x0: number, x1: number, from: number, dir: -1 | 1, level: number): number {
  let prev = rowMedian(v, width, height, from, x0, x1);
  let lowest = prev;
  for (let k = 1; k <= 6 && Number.isFinite(prev); k++) {
    const m = rowMedian(v, width, height, from + dir * k, x0, x1);
    if (!Number.isFinite(m)) break;
    if (Math.abs(m - prev) <= Math.max(2, 0.04 * (level - prev))) return Math.min(prev, m);
    lowest = Math.min(lowest, m);
    prev = m;
  }
  return lowest;
}

/**
 * The background beyond one end of a bar (bar-high `v`, level `level`, rows [y0, y1)): column medians
 * going out from column `from` in direction `dir`, the first from which the next changes by at most
 * max(2, 4 % of the remaining contrast), within 10 columns; the lowest seen when none settles. NaN when
 * the image edge comes first.
 */
export function endBackground(v: Uint8Array, width: number, y0: number, y1: number, from: number, dir: -1 | 1, level: number): number {
  const c = new Uint8Array(y1 - y0);
  const colMedian = (x: number): number => {
    if (x < 0 || x >= width) return NaN;
    for (let y = y0; y < y1; y++) c[y - y0] = v[y * width + x];
    c.sort();
    return c[c.length >> 1];
  };
  let prev = colMedian(from);
  let lowest = prev;
  for (let k = 1; k <= 10 && Number.isFinite(prev); k++) {
    const m = colMedian(from + dir * k);
    if (!Number.isFinite(m)) return NaN;
    if (Math.abs(m - prev) <= Math.max(2, 0.04 * (level - prev))) return Math.min(prev, m);
    lowest = Math.min(lowest, m);
    prev = m;
  }
  return lowest;
}

function assess(v: Uint8Array, width: number, height: number, rows: Run[], y0: number, y1: number, polarity: "bright" | "dark", minContrast: number, t: number): BarCandidate | null {
  const x0 = median(rows.map((r) => r.x0));
  const x1 = median(rows.map((r) => r.x1));
  const len = x1 - x0;
  const thick = y1 - y0;
  if (thick > Math.max(3, len / 4)) return null;
  // Side strips skip one row (anti-aliased edge) and the end 15 % (caps, rounded corners, outlines).
  const inset = Math.min(Math.floor(len * 0.15), Math.max(2, thick + 1));
  const sx0 = x0 + inset;
  const sx1 = x1 - inset;
  const depth = Math.max(2, Math.min(thick, 4));
  const above = stripStats(v, width, height, sx0, sx1, y0 - 1 - depth, y0 - 1, t);
  const below = stripStats(v, width, height, sx0, sx1, y1 + 1, y1 + 1 + depth, t);
  if (above.n === 0 || below.n === 0) return null;
  // A bar's neighbours are not bar-coloured: this drops the edge band of a panel under text (glyph gaps
  // are panel-coloured) while keeping bars on texture, panels and plain backgrounds.
  if (above.onFraction > 0.25 || below.onFraction > 0.25) return null;
  // Bar level and uniformity from its interior rows (edge rows may be anti-aliased).
  const iy0 = thick > 2 ? y0 + 1 : y0;
  const iy1 = thick > 2 ? y1 - 1 : y1;
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let y = iy0; y < iy1; y++) {
    for (let x = sx0; x < sx1; x++) { const p = v[y * width + x]; s += p; s2 += p * p; n++; }
  }
  if (n === 0) return null;
  const level = s / n;
  const sd = Math.sqrt(Math.max(0, s2 / n - level * level));
  const contrast = Math.min(level - above.mean, level - below.mean);
  if (contrast < minContrast || sd > 30) return null;
  const bg = Math.max(above.mean, below.mean);
  // Length: half-level crossings averaged over the interior rows whose crossings agree with the run's
  // ends: within 3 px in all, or each within 4 px of its end across an edge that only falls towards the
  // background (a blur wider than the threshold's margin; measured: a black bar on a white panel whose
  // 3-px blurred ends made the run 116 px and the bar 122). When rows cross but none agrees (something
  // bright joins an end, an outlined bar), the ends are unclear.
  // Row lengths at backgrounds bl (left end) and br (right end) on every `step`-th interior row.
  const rowLengths = (bl: number, br: number, step = 1): { lens: number[]; crossed: boolean } => {
    const lens: number[] = [];
    let crossed = false;
    for (let y = iy0; y < iy1; y += step) {
      const h = halfLevelLength(v, width, y, x0, x1, level, bl, br);
      if (h === null) continue;
      crossed = true;
      if (Math.abs(h.length - len) <= 3 || (h.monotone && h.reach <= 4)) lens.push(h.length);
    }
    return { lens, crossed };
  };
  const mean = (xs: number[]): number => xs.reduce((p, q) => p + q, 0) / xs.length;
  const { lens, crossed } = rowLengths(bg, bg);
  const lengthPx = lens.length ? mean(lens) : len;
  // The same with each end's own background where the blurred edge has died out (column medians going
  // out from the end until they settle; the rows next to a blurred bar are part edge, and an end may lie
  // on a differently lit region; an end background nearer the bar than the surround, something joined to
  // that end, gives way to the rows' beyond the edge above/below). A length that moves by more than 1.5 %
  // with the background taken is not sure (measured on EMPS: a 32-px bar blurred over 3 rows, 31.0 px
  // next to 31.8, 31.7 by eye; on the truth table's 56 bars the two differ by at most 1.2 %).
  const sides = [edgeFreeLevel(v, width, height, sx0, sx1, y0 - 1, -1, level), edgeFreeLevel(v, width, height, sx0, sx1, y1, 1, level)].filter(Number.isFinite);
  const bgFar = sides.length ? Math.min(bg, Math.max(...sides)) : bg;
  const endBg = (b: number): number => (Number.isFinite(b) && Math.abs(b - bgFar) <= 0.6 * (level - bgFar) ? b : bgFar);
  // (At most 5 rows: the ends are vertical, and each row's walk costs a bar length.)
  const ends = rowLengths(endBg(endBackground(v, width, iy0, iy1, x0 - 1, -1, level)), endBg(endBackground(v, width, iy0, iy1, x1, 1, level)), Math.max(1, Math.floor((iy1 - iy0) / 5))).lens;
  const levelSensitive = lens.length > 0 && ends.length > 0 && Math.abs(mean(ends) - lengthPx) > 0.015 * lengthPx;
  const endsUnclear = (lens.length === 0 && crossed) || levelSensitive || framedInside(v, width, height, sx0, sx1, y0, y1, level) || x0 <= 0 || x1 >= width;
  // Ragged ends (rows with different ends) and texture lower the score; so does a barely-there contrast.
  const ragged = rows.reduce((m, r) => Math.max(m, Math.abs(r.x0 - x0), Math.abs(r.x1 - x1)), 0);
  const score = Math.min(1, contrast / 200) * Math.max(0, 1 - sd / 40) * (ragged <= 1 ? 1 : 0.8) * (len >= 20 ? 1 : 0.7);
  const barLevel = polarity === "bright" ? level : 255 - level;
  return { box: { x0, y0, x1, y1 }, lengthPx, thicknessPx: thick, polarity, barLevel, contrast, score, ...(endsUnclear ? { endsUnclear: true } : {}) };
}
