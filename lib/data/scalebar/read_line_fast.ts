/**
 * The fast label reader: one text line → glyphs (glyph_split.ts) → nearest-template characters
 * (glyph_classify.ts) → text, with the line's confidence = its least sure glyph. Milliseconds per line;
 * find_scale_bar.ts tries it before tesseract and accepts it only when the WHOLE line is one plainly
 * written length label, read surely.
 */
import type { Box, GreyImage } from "./find_bar";
import { classifyGlyph } from "./glyph_classify";
import type { GlyphReading } from "./glyph_classify";
import { glyphFeatures } from "./glyph_features";
import { neckCuts, splitLine } from "./glyph_split";
import type { Glyph, SplitOptions } from "./glyph_split";
import { loadTemplates, widestOfClass } from "./glyph_templates";
import type { GlyphTemplate } from "./glyph_templates";
import { parseLabels } from "./parse_label";
import type { ParsedLabel } from "./parse_label";

/** What the fast reader made of one line. */
export interface FastLineReading {
  /** Characters with a space where the gap between glyphs exceeds 0.35 line heights. */
  text: string;
  /** Each glyph's reading, left to right (spaces not included). */
  glyphs: GlyphReading[];
  /** The least confident glyph's confidence, 0…1, specks left out of the label (see `label`) aside. */
  confidence: number;
  /** The ink's box in source pixels. */
  box: Box;
  /**
   * The line read as a length, when ALL of it is one uncorrected label ("100.0nm", "0.5 µm"; a dot after
   * the unit or a speck set apart before the number aside), no gap
   * between glyphs is wider than 0.9 line heights (a glyph may be missing there) and no glyph-tall ink
   * was cut off at the crop's edge within the line (see SplitLine.cut); else null.
   */
  label: ParsedLabel | null;
  /** Why `label` is null when the text alone would parse, else "". */
  incomplete: string;
}

/**
 * Read the text line in `region` of `img` (`inkDark`: dark text on a lighter background; `blank` boxes
 * count as background; `opts` go to splitLine, e.g. a threshold bias). Returns null when the crop holds no contrasting ink. `templates` default to the
 * shipped ones (throws as loadTemplates does when they are missing).
 */
export function readLineFast(img: GreyImage, region: Box, inkDark: boolean, blank: Box[] = [], templates: GlyphTemplate[] = loadTemplates(), opts: SplitOptions = {}): FastLineReading | null {
  const line = splitLine(img, region, inkDark, blank, opts);
  if (!line || line.glyphs.length === 0) return null;
  const H = Math.max(1, line.baseline - line.top);
  const glyphs: GlyphReading[] = [];
  let text = "";
  let prev = -Infinity;
  // Gap before each glyph (0 for the first), line heights.
  const gaps: number[] = [];
  const widest = widestOfClass(templates);
  // A glyph much wider than any template of its class ("nm" touching, read as "m") is not that class.
  const read = (g: Glyph): GlyphReading => {
    const r = classifyGlyph(glyphFeatures(g, line), templates);
    return (g.x1 - g.x0) / H > 1.15 * (widest.get(r.char) ?? Infinity) ? { ...r, confidence: 0 } : r;
  };
  for (const g of line.glyphs) {
    let parts: [Glyph, GlyphReading][] = [[g, read(g)]];
    // A wide, unsure glyph may be two touching ones: keep the cut whose weaker part reads best, when
    // that beats the whole and neither part is a sliver read as punctuation.
    // A glyph wider than 1.2 line heights is tried too (only "m" is that wide), but a cut must then
    // read clearly better (by 0.1) than the whole.
    const wide = g.x1 - g.x0 > 1.2 * H;
    if ((parts[0][1].confidence < 0.3 && g.x1 - g.x0 > 0.75 * H) || wide) {
      let best = parts[0][1].confidence + (wide && parts[0][1].confidence >= 0.3 ? 0.1 : 0);
      for (const [a, b] of neckCuts(g)) {
        const ra = read(a), rb = read(b);
        const c = Math.min(ra.confidence, rb.confidence);
        if (c > best && ![ra.char, rb.char].some((ch) => ".,-".includes(ch))) { best = c; parts = [[a, ra], [b, rb]]; }
      }
    }
    for (const [p, r] of parts) {
      // A space between words, never inside one (a unit set wide: "µ m").
      if (p.x0 - prev > 0.35 * H && text && !(/\p{L}$/u.test(text) && /\p{L}/u.test(r.char))) text += " ";
      gaps.push(text ? (p.x0 - prev) / H : 0);
      text += r.char;
      prev = p.x1;
      glyphs.push(r);
    }
  }
  const k = line.scale;
  const box: Box = {
    x0: line.region.x0 + Math.min(...line.glyphs.map((g) => g.x0)) / k,
    y0: line.region.y0 + Math.min(...line.glyphs.map((g) => g.y0)) / k,
    x1: line.region.x0 + Math.max(...line.glyphs.map((g) => g.x1)) / k,
    y1: line.region.y0 + Math.max(...line.glyphs.map((g) => g.y1)) / k,
  };
  // A dot after the unit (a particle beside the label) cannot change the length and is left out; so is a
  // speck before the number set apart from it by over half a line height (never a decimal point).
  const chars = glyphs.map((g) => g.char);
  let first = 0, last = chars.length;
  while (last > 1 && ".,".includes(chars[last - 1]) && /\p{L}/u.test(chars[last - 2])) last--;
  while (first < last - 1 && ".,-".includes(chars[first]) && gaps[first + 1] > 0.5) first++;
  let core = "";
  for (let i = first; i < last; i++) core += (i > first && gaps[i] > 0.35 && !(/\p{L}/u.test(chars[i - 1]) && /\p{L}/u.test(chars[i])) ? " " : "") + chars[i];
  const widestGap = Math.max(0, ...gaps.slice(first + 1, last));
  // A decimal comma ("50,0nm") is written plainly, not a correction.
  const labels = parseLabels(core.replace(/,/g, "."));
  const whole = labels.length === 1 && labels[0].matched.trim() === core.trim() && !labels[0].corrected && !labels[0].guessedDigit;
  const incomplete = line.cut.length ? "ink cut off at the crop's edge within the line" : widestGap > 0.9 ? `a gap of ${widestGap.toFixed(1)} line heights between glyphs` : "";
  return { text, glyphs, confidence: Math.min(...glyphs.slice(first, last).map((r) => r.confidence)), box, label: whole && !incomplete ? labels[0] : null, incomplete };
}
