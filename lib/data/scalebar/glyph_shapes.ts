/**
 * Shape rules the fast reader (read_line_fast.ts) applies where the nearest templates are unsure:
 * - the digit "1" drawn as a plain vertical stroke (bold, small or in a font unlike every template):
 *   an UNSURE glyph of that shape reads "1", and fast_label.ts accepts such a reading only inside a sure
 *   label of a usual length (1, 2, 5 × 10^k);
 * - "µ" against "p" (an italic µ is nearer an upright p than any upright µ template): a glyph open at
 *   the top (two separate arms) and without a hole is no "p", whose bowl is closed;
 * - the other way round, a glyph read "µ"/"u" that may be a blurred "p" or "n" ({@link muShapeFits})
 *   is made unsure.
 */
import type { Glyph, SplitLine } from "./glyph_split";
import type { GlyphReading } from "./glyph_classify";

/**
 * Whether glyph `g` of `line` is a plain "1": as tall as the line's digits (top within 0.12 line heights
 * of the line's top, bottom within 0.12 of its baseline), at most 0.85 line heights wide with its foot
 * and 0.7 without, with a stem of
 * contiguous columns at most 0.3 line heights wide that holds ink on every row but the top and bottom
 * 8 %; all other ink (beyond 0.06 line heights of the stem) is a flag left of the stem in the top 45 % (its top rows no wider than the stem plus
 * 0.15 line heights on the left, so not the bar of a "7" or "T") or a foot in the bottom 20 % (reaching
 * right of the stem at most 1.5× as far as left of it). A "4" (ink left of the stem lower down), "7" (no full-height stem), "T" and "L" fail.
 * Never throws.
 */
export function isPlainOne(g: Glyph, line: Pick<SplitLine, "top" | "baseline">): boolean {
  const H = Math.max(1, line.baseline - line.top);
  const w = g.x1 - g.x0, h = g.y1 - g.y0;
  if (Math.abs(g.y0 - line.top) > 0.12 * H || Math.abs(g.y1 - line.baseline) > 0.12 * H) return false;
  if (w > 0.85 * H || h < 0.76 * H) return false;
  const r0 = Math.floor(0.08 * h), r1 = Math.ceil(0.92 * h);
  // Stem: columns with ink on ≥ 90 % of the rows; they must be contiguous and narrow.
  const rows = r1 - r0;
  const stemCols: number[] = [];
  for (let x = 0; x < w; x++) {
    let n = 0;
    for (let y = r0; y < r1; y++) n += g.mask[y * w + x];
    if (n >= 0.9 * rows) stemCols.push(x);
  }
  if (stemCols.length === 0) return false;
  const s0 = stemCols[0], s1 = stemCols[stemCols.length - 1] + 1;
  if (s1 - s0 !== stemCols.length || s1 - s0 > 0.3 * H) return false;
  // Every inner row has ink in the stem.
  for (let y = r0; y < r1; y++) {
    let any = 0;
    for (let x = s0; x < s1; x++) any |= g.mask[y * w + x];
    if (!any) return false;
  }
  // Blur widens the stem by a column or two on some rows: ink that close to it is the stem's.
  const t = Math.max(1, Math.round(0.06 * H));
  const flagRows = 0.45 * h, footRows = 0.8 * h, topRows = Math.max(1, Math.round(0.08 * h));
  // How far a foot reaches beyond the stem on each side (columns).
  let footLeft = 0, footRight = 0, flagLeft = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!g.mask[y * w + x] || (x >= s0 - t && x < s1 + t)) continue;
      if (y >= footRows) { if (x < s0) footLeft = Math.max(footLeft, s0 - x); else footRight = Math.max(footRight, x + 1 - s1); continue; }
      if (x >= s1) return false;
      if (y >= flagRows) return false;
      if (y < topRows && x < s0 - 0.15 * H) return false;
      flagLeft = Math.max(flagLeft, s0 - t - x);
    }
  }
  // Above its foot a "1" is at most 0.7 line heights wide (stem and flag).
  if (s1 + t - Math.max(0, s0 - t - flagLeft) > 0.7 * H) return false;
  // A foot reaching further right than 1.5× its left part is an "L" (upright or italic).
  return footRight <= 1.5 * footLeft;
}

/**
 * Whether glyph `g` is open at the top (the two arms of a "µ" or "u"): each inked row of its top 15 % is
 * two runs at least 0.25 of its width apart, and on at least 60 % of the inked rows of its top 30 % the
 * runs are at least 0.15 of its width apart. A "p" or "n" closes its top in an arch (a serif p's stem
 * serif and arch are one or two pixels apart, measured on Computer Modern at 18 px). Never throws.
 */
export function isOpenTopped(g: Glyph): boolean {
  const w = g.x1 - g.x0, h = g.y1 - g.y0;
  /** The widest gap between two ink runs on row y, pixels (0 with one run or none), and whether it has ink. */
  const widestGap = (y: number): [number, boolean] => {
    let best = 0, gap = 0, seen = false;
    for (let x = 0; x < w; x++) {
      if (g.mask[y * w + x]) { if (seen && gap > best) best = gap; seen = true; gap = 0; } else if (seen) gap++;
    }
    return [best, seen];
  };
  let inked = 0, open = 0;
  const top = Math.max(1, Math.round(0.15 * h));
  for (let y = 0; y < Math.max(1, Math.round(0.3 * h)); y++) {
    const [gap, seen] = widestGap(y);
    if (!seen) continue;
    if (y < top && gap < 0.25 * w) return false;
    inked++;
    if (gap >= 0.15 * w) open++;
  }
  return inked > 0 && open >= 0.6 * inked;
}

/**
 * Whether glyph `g` is closed at the top (the arch of an "n", the bowl's top of a "p"): on at least 80 %
 * of the inked rows of its top quarter its ink is one run, or runs with no gap over 0.1 of its width,
 * spanning at least half its width. The opposite of {@link isOpenTopped} with a margin: a "µ" or "u"
 * whose arms a blur has joined at the top is neither. Never throws.
 */
export function isClosedTopped(g: Glyph): boolean {
  const w = g.x1 - g.x0, h = g.y1 - g.y0;
  let inked = 0, closed = 0;
  for (let y = 0; y < Math.max(1, Math.round(0.25 * h)); y++) {
    let first = -1, last = -1, gap = 0, widest = 0;
    for (let x = 0; x < w; x++) {
      if (g.mask[y * w + x]) { if (first >= 0) widest = Math.max(widest, gap); if (first < 0) first = x; last = x; gap = 0; } else if (first >= 0) gap++;
    }
    if (first < 0) continue;
    inked++;
    if (widest <= 0.1 * w && last - first + 1 >= 0.5 * w) closed++;
  }
  return inked > 0 && closed >= 0.8 * inked;
}

/**
 * Whether glyph `g` is a solid blob: fewer than 20 % of its inked rows hold a gap between two ink runs
 * (a letter's counters and arms leave gaps on most rows; a 6-px bold "p" blurred and upscaled is ink
 * wall to wall). Never throws.
 */
export function isSolid(g: Glyph): boolean {
  const w = g.x1 - g.x0, h = g.y1 - g.y0;
  let inked = 0, gapped = 0;
  for (let y = 0; y < h; y++) {
    let seen = false, gap = false, inGap = false;
    for (let x = 0; x < w; x++) {
      if (g.mask[y * w + x]) { if (inGap) gap = true; seen = true; inGap = false; } else if (seen) inGap = true;
    }
    if (seen) inked++;
    if (gap) gapped++;
  }
  return inked > 0 && gapped < 0.2 * inked;
}

/**
 * Whether a glyph read as µ (`r.char` "µ", "μ" or "u") may be one: not when it is a solid blob
 * ({@link isSolid}: nothing tells a µ there), not when a µ whose runner-up is "p" is closed at the
 * top ({@link isClosedTopped}: a bold p whose bowl a blur filled in), and not when a "u" read with a
 * margin under 0.5 over "n" is not open at the top ({@link isOpenTopped}: a blurred serif n, its foot
 * serifs closing its bottom). Measured on rendered labels whose unit alone was blurred (scripts/stress_small_labels.ts
 * UNIT_BLUR): without it "5 pm" read "5 µm" (DejaVu Sans bold 6 px, DejaVu Serif bold 8 px, DejaVu Serif
 * Condensed bold 16 px) and cmr10's "0.5 nm" and "0.5 mm" read "0.5 um" at 10 px. Never throws.
 */
export function muShapeFits(g: Glyph, r: Pick<GlyphReading, "char" | "runnerUpChar" | "confidence">): boolean {
  if (isSolid(g)) return false;
  if (r.char !== "u" && r.runnerUpChar === "p" && isClosedTopped(g)) return false;
  if (r.char === "u" && r.runnerUpChar === "n" && r.confidence < 0.5 && !isOpenTopped(g)) return false;
  return true;
}

/**
 * Whether an "n" followed by an "m" (glyphs `n`, `m` of one line, working-crop pixels) may be an "mm"
 * cut in the wrong place: the two touch (at most one column apart, as a cut between touching glyphs
 * leaves them) and the "m" is at least 1.75× as wide as the "n". Small blurred "mm" (10–16 px text)
 * merges into one blob that the reader cuts after the first m's second stem: an "n" of two stems and an
 * "m" holding the first m's third stem as well, so that "1 mm" reads "1 nm" (10^6 off). Measured on
 * rendered labels (scripts/stress_small_labels.ts, 15 fonts, 10–20 px, crisp and blurred+noisy+JPEG): every
 * such misreading had a ratio of 1.76–2.38; a true touching "nm" had under 1.75 in 808 of 821 cases
 * (crisp at 12–14 px 1.50–1.57; at 20–40 px up to 1.78, but there the two do not touch). Stem counts
 * do not tell the two apart (the cut piece has an n's two stems, and the merged stems of the two m's
 * count as one). Small letters are never sure (below). Never throws.
 */
export function mayBeCutMm(n: Glyph, m: Glyph, scale?: number): boolean {
  if (m.x0 - n.x1 > 1) return false;
  // Letters under 4.5 source pixels tall (`scale`, when given: working pixels per source pixel): no width ratio
  // tells the two apart (rendered 6–8 px text, 15 fonts: "mm" cut as "nm" at ratios 1.71–2.19, n's
  // 3.2–5.4 px tall, those under 1.75 at most 4.3 px; a true touching "nm" at 1.21–1.78).
  return m.x1 - m.x0 >= 1.75 * (n.x1 - n.x0) || (scale !== undefined && (n.y1 - n.y0) / scale < 4.5);
}

/**
 * Whether `unit` (the ink of the letters after a label's number, merged into one mask by a blur; working-
 * crop pixels) is an "nm" or an "mm" and nothing else: letters of x-height (top at least 0.15 line heights
 * below `line.top`, bottom within 0.15 of `line.baseline`: no µ, p or Å), 1.2–2.4 line heights wide (two
 * letters), and its first letter an arch (an "n", or an "m"'s first hump): from the left, a leg (at most
 * 0.35 line heights wide), a gap
 * and a second leg on the lower half, the gap's middle column free of ink from half height down to the
 * bottom (no bowl closing it: not a "u", whose counter closes in a bowl, nor an "o" or "a") and inked in
 * the top 30 % (closed by the arch: not a "u" or "v", open at the top). Which of "n" and "m" the first
 * letter is, no shape says once the letters merge (a blurred monospaced "mm" measures as EMPS 3430b20071's
 * "nm"): the caller decides by the field of view (fast_label.ts). Never throws.
 */
export function isNmOrMm(unit: Glyph, line: Pick<SplitLine, "top" | "baseline">): boolean {
  const H = Math.max(1, line.baseline - line.top);
  const w = unit.x1 - unit.x0, h = unit.y1 - unit.y0;
  if (unit.y0 < line.top + 0.15 * H || Math.abs(unit.y1 - line.baseline) > 0.15 * H) return false;
  if (w < 1.2 * H || w > 2.4 * H || h < 3) return false;
  const lower = Math.floor(0.5 * h), upper = Math.max(1, Math.round(0.3 * h));
  const inked = (x: number, y0: number, y1: number): boolean => {
    for (let y = y0; y < y1; y++) if (unit.mask[y * w + x]) return true;
    return false;
  };
  // Columns with ink on the lower half: the first run is the first leg, then the gap, then the second leg.
  let x = 0;
  while (x < w && !inked(x, lower, h)) x++;
  if (x > 0.15 * w) return false;
  const leg0 = x;
  while (x < w && inked(x, lower, h)) x++;
  // A leg, not a letter's whole width (an "o" or "a" whose bowl closes the gap below).
  if (x - leg0 > 0.35 * H) return false;
  const g0 = x;
  while (x < w && !inked(x, lower, h)) x++;
  const g1 = x;
  if (g1 === g0 || g1 >= w || g1 > 0.6 * w) return false;
  const mid = (g0 + g1 - 1) >> 1;
  return inked(mid, 0, upper);
}
