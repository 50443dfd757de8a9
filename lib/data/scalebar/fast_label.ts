/**
 * The fast path of label reading: the text lines beside a bar (text_lines.ts), nearest first, each read
 * by the template reader (read_line_fast.ts). A line decides the label on its own only when all of it is
 * one plainly written length of a usual bar size (1, 2, 2.5, 3, 4, 5, 7, 7.5 × 10^k), every glyph is
 * read with confidence ≥ `minConfidence`, and for a line above/below the bar it lies over the bar's
 * columns. Anything else is left to the OCR engine (find_scale_bar.ts).
 */
import type { BarCandidate, Box, GreyImage } from "./find_bar";
import { isRoundLength } from "./parse_label";
import type { ParsedLabel } from "./parse_label";
import { readLineFast } from "./read_line_fast";
import { lineCrop } from "./text_lines";
import type { TextLine } from "./text_lines";

/** Ink thresholds tried per line, as splitLine's `bias`: Otsu's, then 40 % of the way to the ink's mean. */
const THRESHOLD_BIASES = [0, 0.4];

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
  const minText = opts.minTextPx ?? 6;
  const L = c.box.x1 - c.box.x0;
  const bar: Box = { x0: c.box.x0 - 1, y0: c.box.y0 - 1, x1: c.box.x1 + 1, y1: c.box.y1 + 1 };
  for (const line of lines) {
    if (line.box.y1 - line.box.y0 < minText) continue;
    if ((line.side === "above" || line.side === "below") && (line.box.x1 < c.box.x0 - 0.3 * L || line.box.x0 > c.box.x1 + 0.3 * L)) continue;
    const inkDark = (c.polarity === "dark") === (line.ink === "bar");
    // Otsu's threshold first; then a stricter one (blurred bold text whose counters filled in).
    for (const bias of THRESHOLD_BIASES) {
      const r = readLineFast(img, lineCrop(c, line), inkDark, [bar], undefined, { bias });
      if (!r) break;
      seen.push(`${r.text} (${r.confidence.toFixed(2)})`);
      if (!r.label || r.confidence < minConf || !isRoundLength(r.label.nm)) continue;
      return { label: r.label, text: r.text, confidence: r.confidence, box: r.box, line };
    }
  }
  return null;
}
