/**
 * The fast path of label reading: the text lines beside a bar (text_lines.ts), nearest first, each read
 * by the template reader (read_line_fast.ts). A line decides the label on its own only when a part of it
 * (glyphs between wide gaps) is wholly one plainly written length of a usual bar size (1, 2, 2.5, 3, 4,
 * 5, 7, 7.5 × 10^k), every glyph of it read with confidence ≥ `minConfidence`, for a line above/below the
 * bar that part lies over the bar's columns (±30 % of its length), and no other part there reads another
 * length. A part whose unit is "nm" or "mm" but not which (read_line_fast.ts `nmOrMm`) counts as nm only
 * where millimetres would give a field of view no electron micrograph has ({@link millimetresPossible}).
 * Anything else is left to the OCR engine (find_scale_bar.ts).
 */
import type { BarCandidate, Box, GreyImage } from "./find_bar";
import { isRoundLength } from "./parse_label";
import type { ParsedLabel } from "./parse_label";
import { readLineFast } from "./read_line_fast";
import type { FastLabelPart } from "./read_line_fast";
import { lineCrop } from "./text_lines";
import type { TextLine } from "./text_lines";
import type { SplitOptions } from "./glyph_split";

/** Whether `nm` is 1, 2 or 5 × 10^k (the lengths a "1" read by its shape alone may be part of). */
export function isOneTwoFive(nm: number): boolean {
  return isRoundLength(nm, [1, 2, 5, 10]);
}

/**
 * The widest field of view an electron micrograph has, nm: 100 mm. A scanning microscope's lowest
 * magnification (5–20×) shows 5–25 mm; a figure crop shows less than its micrograph.
 */
export const MAX_FIELD_NM = 1e8;

/**
 * Whether a label read as `nm` nanometres over a `barPx`-px bar in an image `widthPx` wide could be in
 * millimetres instead: the field of view that reading gives (10^6 times the nm one) is at most
 * {@link MAX_FIELD_NM}. Where it is not, a unit that is "nm" or "mm" (read_line_fast.ts nmOrMm) is nm.
 */
export function millimetresPossible(nm: number, barPx: number, widthPx: number): boolean {
  return (1e6 * nm / barPx) * widthPx <= MAX_FIELD_NM;
}

/** Ink thresholds tried per line, as splitLine's `bias`: Otsu's, then 40 % and 70 % of the way to the ink's mean. */
const THRESHOLD_BIASES = [0, 0.4, 0.7];

/** For lines on speckled texture (TextLine.smoothed): ink thresholds as fractions of the way from the surround to the bar. */
const SMOOTH_LEVELS = [0.65, 0.55, 0.75];

/** A label the fast path decided. */
export interface FastLabel {
  label: ParsedLabel;
  /** The line as read. */
  text: string;
  /** The weakest glyph's confidence, 0…1. */
  confidence: number;
  /** The label's ink, source pixels. */
  box: Box;
  line: TextLine;
}

/** Options for {@link readLabelFast}. Defaults in brackets. */
export interface FastLabelOptions {
  /** Least glyph confidence (margin to the nearest other character, 0…1) for a line to decide [0.3]. */
  minConfidence?: number;
  /** Lines lower than this, source pixels, are not read [6]. */
  minTextPx?: number;
}

/**
 * Read the label of bar `c` from `lines` (nearest first) with the template reader; null when no line
 * qualifies (see the file comment). `seen` collects what was read, for the refusal message. Throws only
 * when the shipped templates are missing (see glyph_templates.ts).
 */
export function readLabelFast(img: GreyImage, c: BarCandidate, lines: TextLine[], seen: string[], opts: FastLabelOptions = {}): FastLabel | null {
  const minConf = opts.minConfidence ?? 0.3;
  const minText = opts.minTextPx ?? 5;
  const L = c.box.x1 - c.box.x0;
  const bar: Box = { x0: c.box.x0 - 1, y0: c.box.y0 - 1, x1: c.box.x1 + 1, y1: c.box.y1 + 1 };
  for (const line of lines) {
    const lh = line.box.y1 - line.box.y0;
    if (lh < minText) continue;
    const aboveBelow = line.side === "above" || line.side === "below";
    if (aboveBelow && (line.box.x1 < c.box.x0 - 0.3 * L || line.box.x0 > c.box.x1 + 0.3 * L)) continue;
    const inkDark = (c.polarity === "dark") === (line.ink === "bar");
    // End caps ("|——|") are thin ticks at the bar's ends: ink wholly inside these columns is not text.
    const capW = Math.max(2, 0.02 * L);
    const caps: Box[] = [c.box.x0, c.box.x1].map((x) => ({ x0: x - capW, x1: x + capW, y0: c.box.y0 - 2 * lh, y1: c.box.y1 + 2 * lh }));
    // Otsu's threshold first; then stricter ones (blurred bold text whose counters filled in).
    // A line found blurred (text on speckled texture) is read blurred, at levels relative to the bar.
    const inkHigh = (v: number): number => (inkDark ? 255 - v : v);
    const settings: SplitOptions[] = line.smoothed
      ? SMOOTH_LEVELS.map((f) => ({ smoothPx: 1, threshold: inkHigh(c.barLevel) - (1 - f) * c.contrast }))
      : THRESHOLD_BIASES.map((bias) => ({ bias }));
    for (const setting of settings) {
      const r = readLineFast(img, lineCrop(c, line), inkDark, [bar], undefined, { ...setting, dropInside: caps });
      if (!r) { if (line.smoothed) continue; break; }
      seen.push(`${r.text} (${r.confidence.toFixed(2)})`);
      // Above/below the bar only a part over its columns counts (an SEM strip: "50x  200 µm  WD 5 mm").
      const overBar = (p: FastLabelPart): boolean => !aboveBelow || (p.box.x1 >= c.box.x0 - 0.3 * L && p.box.x0 <= c.box.x1 + 0.3 * L);
      // A "1" read by its shape alone (glyph_shapes.ts) counts only in a length of 1, 2 or 5 × 10^k.
      const isSure = (p: FastLabelPart): boolean => p.confidence >= minConf && isRoundLength(p.label.nm) && (p.shapeOnes === 0 || isOneTwoFive(p.label.nm));
      // An "nm" that may be an "mm" counts only where millimetres would make the field of view impossible.
      const nmOrMm = r.nmOrMm.filter((p) => overBar(p) && isSure(p) && !millimetresPossible(p.label.nm, c.lengthPx, img.width));
      const near = [...r.parts.filter(overBar), ...nmOrMm];
      const sure = near.filter(isSure);
      if (sure.length === 0) continue;
      // Two different lengths beside one bar: not decided here.
      if (near.some((p) => Math.abs(p.label.nm - sure[0].label.nm) > 1e-9 * sure[0].label.nm)) continue;
      const p = sure.reduce((a, b) => (b.confidence > a.confidence ? b : a));
      return { label: p.label, text: p.text, confidence: p.confidence, box: p.box, line };
    }
  }
  return null;
}

/**
 * Whether the template reader sees a decimal point in `box` (source pixels, e.g. the OCR engine's label
 * words) on one of `lines` beside bar `c`: a glyph read as "." or "," with confidence ≥ 0.5 whose two
 * neighbours are read as digits of the label (inside `box`, at least 0.6 of its height), the point small
 * beside them and its bottom on theirs, at any of the line's ink thresholds. The OCR engine drops a thin font's
 * point (rendered DejaVu Sans Light at 36 px: "20.0 nm" → "200 nm", "1.0 µm" → "10um"), so a whole number
 * it reads where this is true is not to be trusted. Never throws for a valid image (templates aside, as
 * {@link readLabelFast}).
 */
export function pointBetweenDigits(img: GreyImage, c: BarCandidate, lines: TextLine[], box: Box): boolean {
  const bar: Box = { x0: c.box.x0 - 1, y0: c.box.y0 - 1, x1: c.box.x1 + 1, y1: c.box.y1 + 1 };
  const bh = box.y1 - box.y0;
  // A digit of the label: inside its box (±0.3 of its height), at least 0.6 of its height tall.
  const digitOfLabel = (ch: string, b: Box): boolean => /[0-9]/.test(ch) && b.y1 - b.y0 >= 0.6 * bh && b.x0 >= box.x0 - 0.3 * bh && b.x1 <= box.x1 + 0.3 * bh && b.y0 >= box.y0 - 0.3 * bh && b.y1 <= box.y1 + 0.3 * bh;
  for (const line of lines) {
    const lh = line.box.y1 - line.box.y0;
    if (line.box.x1 < box.x0 - lh || line.box.x0 > box.x1 + lh || line.box.y1 < box.y0 - 0.5 * lh || line.box.y0 > box.y1 + 0.5 * lh) continue;
    const inkDark = (c.polarity === "dark") === (line.ink === "bar");
    for (const bias of THRESHOLD_BIASES) {
      const r = readLineFast(img, lineCrop(c, line), inkDark, [bar], undefined, { bias });
      if (!r) break;
      for (let i = 1; i + 1 < r.glyphs.length; i++) {
        const g = r.glyphs[i], b = r.boxes[i], left = r.boxes[i - 1], right = r.boxes[i + 1];
        if (!".,".includes(g.char) || g.confidence < 0.5) continue;
        if (!digitOfLabel(r.glyphs[i - 1].char, left) || !digitOfLabel(r.glyphs[i + 1].char, right)) continue;
        // A point: small beside its digits, its bottom on theirs (within 0.25 of their height).
        const dh = Math.min(left.y1 - left.y0, right.y1 - right.y0);
        if (b.y1 - b.y0 <= 0.4 * dh && Math.abs(b.y1 - Math.max(left.y1, right.y1)) <= 0.25 * dh) return true;
      }
    }
  }
  return false;
}
