/**
 * The length of a short scale bar (under ~30 px) with an error bound, so that such a bar is read only
 * when its length is known to better than 2 %. On a long bar ±0.5 px of blur at each end is under 2 %;
 * on a 20-px bar it is 5 %, so a short bar is measured more carefully and its error bounded:
 *
 * - each row's half level lies between its own plateau (a blur across a thin bar lowers its edge rows) and
 *   each end's own background; each end's half level is taken against that end's own background (column medians going out from
 *   the end until they settle, find_bar.ts's `endBackground`), not the strips above and below, which a
 *   label's ink close to the bar drags towards the bar (measured: EMPS 406975041a, a 26-px `20 nm` bar
 *   under its label, 25.7 px against the strips, 26.1 px at its ends' own background, 26.0 by eye on
 *   rows 502–504);
 * - every interior row must cross the half level at both ends, walking out over an edge that only falls
 *   towards the background, with its crossings at most 2.5 px beyond the ends of the threshold run that
 *   found the bar (the run's length and the crossings agree; found at the highest threshold, the run of a
 *   blurred bar stops up to ~1.5 px short of each half-level crossing);
 * - the bound, pixels, is the sum of: half the spread of the rows' lengths; half the change of the
 *   length when both backgrounds move by ±δ (a blurred edge moves with the level, a crisp one does not;
 *   δ: the spread of the three background estimates, each end's and the surround's, or the noise of a
 *   column median over the rows, or 5 % of the contrast, the largest),
 *   or, when larger, its change with the surround's level (row medians above or below past the edge,
 *   the side farther from the bar's level) at both ends instead (an end background unlike the surround may be something joined to that end);
 *   twice the pixel noise's effect on the mean of the rows' lengths (noise, a robust sd of the plateau and
 *   of the background 2–6 px beyond each end, over the edges' slopes, over √rows); and 0.2 px (0.1 px per end: linear interpolation between two pixels of an area-sampled edge errs by
 *   at most 0.09 px).
 *
 * Tested on rendered bars of known sub-pixel length, crisp to blurred, with noise and JPEG
 * (test/data.scalebar_short_bar.spec.ts): the true length is always within the bound (at most 0.63 of
 * it there; 0.80 over 5880 bars of 1–6 rows blurred up to σ 1.5, measured once).
 * EMPS 406975041a's 26-px bar: 26.07 ± 0.48 px (1.8 %; 26.03–26.06 by an independent pixel check).
 */
import { edgeFreeLevel, endBackground, halfLevelLength } from "./find_bar";
import type { BarCandidate, GreyImage } from "./find_bar";

/** How a short bar was measured. */
export interface ShortBarLength {
  /** Length, pixels (sub-pixel), between the half-level crossings at each end's own background. */
  lengthPx: number;
  /** Bound on the error of `lengthPx`, pixels (see the file comment). */
  boundPx: number;
  /** Interior rows measured. */
  rows: number;
  /** Why the length cannot be bounded, when it cannot (then lengthPx/boundPx are NaN/Infinity). */
  unsure?: string;
}

/**
 * Least uncertainty of a background level, share of the contrast (JPEG ringing and texture beside an
 * edge; on the rendered bars of the test the bound holds with it, see the file comment).
 */
const LEVEL_FLOOR = 0.05;
/** Interpolation error of the two ends, pixels. */
const INTERP_PX = 0.2;
/** How far (px) beyond an end of the threshold run a row's half-level crossing may lie. */
const RUN_REACH_PX = 2.5;

/**
 * Measure bar `c` of `img` (a candidate from findBarCandidates) as a short bar: its length at each end's
 * own background and the bound on that length's error (pixels). `unsure` says why when a row does not
 * cross cleanly at both ends, a crossing disagrees with the run, or an end meets the image edge. Never
 * throws for a candidate of that image.
 */
export function measureShortBar(img: GreyImage, c: BarCandidate): ShortBarLength {
  const fail = (unsure: string, rows = 0): ShortBarLength => ({ lengthPx: NaN, boundPx: Infinity, rows, unsure });
  const { x0, x1, y0, y1 } = c.box;
  // Up to 14 columns beyond each end (endBackground looks 10 out); under 8 the background is not seen.
  const pad = Math.min(14, x0, img.width - x1);
  if (pad < 8) return fail("an end is within 8 px of the image edge, where its background cannot be seen");
  // A crop around the bar in bar-high polarity (a dark bar is inverted), `pad` columns beyond each end.
  const cx0 = x0 - pad, cw = x1 - x0 + 2 * pad;
  const cy0 = Math.max(0, y0 - 8), ch = Math.min(img.height, y1 + 8) - cy0;
  const v = new Uint8Array(cw * ch);
  const dark = c.polarity === "dark";
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
    const p = img.data[(cy0 + y) * img.width + cx0 + x];
    v[y * cw + x] = dark ? 255 - p : p;
  }
  const level = dark ? 255 - c.barLevel : c.barLevel;
  // Every row of the band (each held a run at the threshold that found the bar).
  const iy0 = y0 - cy0, iy1 = y1 - cy0;
  const rx0 = pad, rx1 = pad + x1 - x0;
  // The surround's level where the blurred edge above and below has died out (row medians), on the side
  // farther from the bar's level: a label's ink close to one side drags that side (and the candidate's
  // contrast, measured on strips) towards the bar.
  const sides = [edgeFreeLevel(v, cw, ch, rx0, rx1, iy0 - 1, -1, level), edgeFreeLevel(v, cw, ch, rx0, rx1, iy1, 1, level)].filter(Number.isFinite);
  const surround = Math.min(level - c.contrast, ...sides);
  const contrast = level - surround;
  // Each end's background; one nearer the bar than the surround by over 0.6 of the contrast (something
  // joined to that end) is not a background: the surround's is used there.
  const endBg = (b: number): number => (Number.isFinite(b) && Math.abs(b - surround) <= 0.6 * contrast ? b : surround);
  const bl = endBg(endBackground(v, cw, iy0, iy1, rx0 - 1, -1, level));
  const br = endBg(endBackground(v, cw, iy0, iy1, rx1, 1, level));
  // Each row's own plateau (median of its middle columns): a blur across a thin bar lowers its edge rows,
  // whose half level is then lower than the band's (measured: a 3-row bar blurred σ 1.2 came out 1.2 px
  // short at the band's level).
  const inset = Math.min(3, Math.floor(0.15 * (rx1 - rx0)));
  const rowLevel = Array.from({ length: iy1 - iy0 }, (_, k) => {
    const r = Array.from(v.subarray((iy0 + k) * cw + rx0 + inset, (iy0 + k) * cw + rx1 - inset)).sort((p, q) => p - q);
    return r[r.length >> 1];
  });
  const lengthsAt = (dl: number, l = bl, r = br): number[] | string => {
    const out: number[] = [];
    for (let y = iy0; y < iy1; y++) {
      const h = halfLevelLength(v, cw, y, rx0, rx1, rowLevel[y - iy0], l + dl, r + dl);
      if (h === null) return `row ${cy0 + y} does not cross the half level at both ends`;
      if (!h.monotone) return `row ${cy0 + y} rises again beyond an end (something joined to the bar)`;
      if (h.reach > RUN_REACH_PX) return `row ${cy0 + y} crosses ${h.reach.toFixed(1)} px beyond an end of the ${rx1 - rx0}-px run that found the bar`;
      out.push(h.length);
    }
    return out;
  };
  const mid = lengthsAt(0);
  if (typeof mid === "string") return fail(mid);
  const mean = (xs: number[]): number => xs.reduce((p, q) => p + q, 0) / xs.length;
  const lengthPx = mean(mid);
  // Pixel noise: the largest robust sd (1.4826 × the median absolute deviation) of the rows' plateaus
  // (middle columns) and of the background 2–6 px beyond each end of the run, where the crossings are
  // (robust: the foot of a blurred edge or, on a small panel, the micrograph's texture beyond it may
  // fill a column or two there; measured, a panel 6 px wide gave a plain sd of 34 at 8–14 px).
  const robustSd = (xs: number[]): number => {
    const med = (ys: number[]): number => { const t = [...ys].sort((p, q) => p - q); return t[t.length >> 1]; };
    const m = med(xs);
    return 1.4826 * med(xs.map((x) => Math.abs(x - m)));
  };
  const plateau: number[] = [], left: number[] = [], right: number[] = [];
  for (let y = iy0; y < iy1; y++) {
    for (let x = rx0 + inset; x < rx1 - inset; x++) plateau.push(v[y * cw + x] - rowLevel[y - iy0]);
    for (let k = 2; k <= 6; k++) { left.push(v[y * cw + rx0 - 1 - k]); right.push(v[y * cw + rx1 + k]); }
  }
  const noise = Math.max(robustSd(plateau), robustSd(left), robustSd(right));
  // How far the background may be off: the spread of its three estimates (each end's, the surround's),
  // the noise of a column median over the rows, and at least LEVEL_FLOOR of the contrast.
  const shift = Math.max(LEVEL_FLOOR * contrast, Math.abs(bl - surround), Math.abs(br - surround), (1.25 * noise) / Math.sqrt(iy1 - iy0));
  const lo = lengthsAt(-shift), hi = lengthsAt(shift), atSurround = lengthsAt(0, surround, surround);
  for (const alt of [lo, hi, atSurround]) if (typeof alt === "string") return fail(`its ends move with the background level (${alt})`, mid.length);
  const spread = (Math.max(...mid) - Math.min(...mid)) / 2;
  // K = 1/slope(left) + 1/slope(right), px per grey level, from the length's change over the shift (both
  // half levels move by `shift`/2 each way); a row's length varies by about noise × K, the mean of n rows
  // by that over √n: twice that is counted.
  const swing = Math.abs(mean(lo as number[]) - mean(hi as number[]));
  const noiseTerm = (2 * noise * (swing / shift)) / Math.sqrt(mid.length);
  // The larger of: the change with both backgrounds `shift` off, and the change to the surround's level
  // at both ends (an end background unlike the surround may be something joined to that end).
  const levelTerm = Math.max(swing / 2, Math.abs(mean(atSurround as number[]) - lengthPx));
  return { lengthPx, boundPx: spread + levelTerm + noiseTerm + INTERP_PX, rows: mid.length };
}
