/**
 * The fast label reader: one text line → glyphs (glyph_split.ts) → nearest-template characters
 * (glyph_classify.ts) → text, with a part's confidence = its least sure glyph. Milliseconds per line;
 * fast_label.ts accepts a length only from a part of the line that is wholly one plainly written length
 * label, read surely.
 */
import type { Box, GreyImage } from "./find_bar";
import { classifyGlyph, meaning } from "./glyph_classify";
import type { GlyphReading } from "./glyph_classify";
import { glyphFeatures } from "./glyph_features";
import { clipAbove, joinGlyphs, neckCuts, sliceColumns, splitLine } from "./glyph_split";
import type { Glyph, SplitOptions } from "./glyph_split";
import { loadTemplates, widestOfClass, withoutClass } from "./glyph_templates";
import type { GlyphTemplate } from "./glyph_templates";
import { faintInkBefore } from "./faint_prefix";
import { parseLabels } from "./parse_label";
import { isNmOrMm, isOpenTopped, isPlainOne, mayBeCutMm, muShapeFits } from "./glyph_shapes";
import type { ParsedLabel } from "./parse_label";

/** A part of a line (its glyphs between gaps wider than 0.8 line heights) read as one length label. */
export interface FastLabelPart {
  label: ParsedLabel;
  /** The part's text as read. */
  text: string;
  /** Its least confident glyph's confidence, 0…1 (specks left out, see {@link readLineFast}). */
  confidence: number;
  /** Its ink's box, source pixels. */
  box: Box;
  /**
   * How many of its glyphs were unsure and read as "1" by their shape alone (glyph_shapes.ts); its
   * confidence is then that of the other glyphs, and fast_label.ts accepts it only at 1, 2, 5 × 10^k.
   */
  shapeOnes: number;
}

/** What the fast reader made of one line. */
export interface FastLineReading {
  /** Characters with a space where the gap between glyphs exceeds 0.35 line heights (never inside a word of letters). */
  text: string;
  /** Each glyph's reading, left to right (spaces not included). */
  glyphs: GlyphReading[];
  /** Each glyph's ink box, source pixels, in the order of `glyphs`. */
  boxes: Box[];
  /** The least confident glyph's confidence, 0…1 (0 for an empty line). */
  confidence: number;
  /** The ink's box in source pixels. */
  box: Box;
  /**
   * The parts of the line (glyphs between gaps wider than 0.8 line heights, e.g. "50x", "200 µm", "WD" on
   * an SEM data strip) that are each ONE uncorrected length label ("100.0nm", "0.5 µm"; a dot after the
   * unit, or a speck set apart before the number, left out) with no glyph-tall ink cut off at the crop's
   * edge beside them (a glyph may be hidden there, see SplitLine.cut).
   */
  parts: FastLabelPart[];
  /** The label when the line holds exactly one such part, else null. */
  label: ParsedLabel | null;
  /**
   * Parts whose number is read surely and whose unit is "nm" or "mm" but not which (letters merged by a
   * blur, glyph_shapes.ts isNmOrMm; a unit cut by the image's right edge whose letters and cut ink have
   * that shape; or an "nm" that may be an "mm" cut in the wrong place, mayBeCutMm),
   * each with its label read as nanometres and the number's confidence. Never sure by themselves:
   * fast_label.ts takes one only where millimetres would make the image's field of view impossible.
   */
  nmOrMm: FastLabelPart[];
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c);

/** Whether the left 40 % of a unit pair read as one glyph is open at the top (glyph_shapes.ts isOpenTopped). */
function firstLetterOpen(g: Glyph): boolean {
  const left = sliceColumns(g, 0, Math.max(1, Math.round(0.4 * (g.x1 - g.x0))));
  return left !== null && isOpenTopped(left);
}

/** Below this confidence a glyph is unsure (fast_label.ts's default gate): only then may its shape make it a "1". */
const UNSURE = 0.3;

/**
 * Read the text line in `region` of `img` (`inkDark`: dark text on a lighter background; `blank` boxes
 * count as background; `opts` go to splitLine, e.g. a threshold bias). Returns null when the crop holds
 * no contrasting ink. `templates` default to the shipped ones (throws as loadTemplates does when they
 * are missing).
 */
export function readLineFast(img: GreyImage, region: Box, inkDark: boolean, blank: Box[] = [], templates: GlyphTemplate[] = loadTemplates(), opts: SplitOptions = {}): FastLineReading | null {
  const line = splitLine(img, region, inkDark, blank, opts);
  if (!line || line.glyphs.length === 0) return null;
  const H = Math.max(1, line.baseline - line.top);
  const widest = widestOfClass(templates);
  // A glyph much wider than any template of its class ("nm" touching, read as "m") is not that class.
  const muOrP = (c: string): boolean => meaning(c) === "µ" || c === "p";
  const read = (g: Glyph): GlyphReading => {
    const f = glyphFeatures(g, line);
    let r = classifyGlyph(f, templates);
    // µ against p: open at the top and without a hole, it is no p (glyph_shapes.ts); read again without p.
    if (muOrP(r.char) && muOrP(r.runnerUpChar) && f.holes === 0 && isOpenTopped(g)) {
      const q = classifyGlyph(f, withoutClass(templates, "p"));
      if (meaning(q.char) === "µ") r = q;
    }
    // A µ or u whose shape may be a blurred p or n is unsure (glyph_shapes.ts muShapeFits).
    if (meaning(r.char) === "µ" && !muShapeFits(g, r)) r = { ...r, confidence: 0 };
    // A unit read as one blob (two touching letters of a small monospaced font, glyph_templates.ts) is
    // sure only as "µm": the others ("nm", "mm", "pm", "um") are there as its rivals, never to decide.
    // And only when its first letter (its left 40 %) is open at the top, a µ's two arms: a blurred "pm"
    // whose p bowl closed reads "µm" otherwise (rendered Liberation Sans Narrow "5 pm", 8–14 px).
    if (r.char.length > 1 && (r.char !== "µm" || !firstLetterOpen(g))) r = { ...r, confidence: 0 };
    return (g.x1 - g.x0) / H > 1.15 * (widest.get(r.char) ?? Infinity) ? { ...r, confidence: 0 } : r;
  };
  // Ink wholly above the line's top or below its baseline (a speck over the text, the top of a second
  // label line written under it) is no character of this line.
  const glyphs = line.glyphs.filter((g) => g.y1 > line.top && g.y0 < line.baseline);
  if (glyphs.length === 0) return null;
  // Tops a glyph of this line may have: the digits' (line top) and lower ones of other glyphs (x-height).
  const tops = [line.top];
  for (const g of glyphs) if (g.y0 > line.top + 0.15 * H && g.y0 < line.baseline - 0.3 * H && tops.every((t) => Math.abs(t - g.y0) > 0.05 * H)) tops.push(g.y0);
  // A glyph as one or two characters: a wide, unsure glyph may be two touching ones; keep the cut whose
  // weaker part reads best, when that beats the whole and neither part is a sliver read as punctuation.
  // A glyph wider than 1.2 line heights is tried too (only "m" is that wide), but a cut must then read
  // clearly better (by 0.1).
  const split = (g: Glyph): [Glyph, GlyphReading][] => {
    let parts: [Glyph, GlyphReading][] = [[g, read(g)]];
    const wide = g.x1 - g.x0 > 1.2 * H;
    if ((parts[0][1].confidence < 0.3 && g.x1 - g.x0 > 0.75 * H) || wide) {
      let best = parts[0][1].confidence + (wide && parts[0][1].confidence >= 0.3 ? 0.1 : 0);
      for (const [a, b] of neckCuts(g)) {
        const ra = read(a), rb = read(b);
        const c = Math.min(ra.confidence, rb.confidence);
        if (c > best && ![ra.char, rb.char].some((ch) => ".,-".includes(ch))) { best = c; parts = [[a, ra], [b, rb]]; }
      }
    }
    return parts;
  };
  const least = (ps: [Glyph, GlyphReading][]): number => Math.min(...ps.map(([, r]) => r.confidence));
  const cells: [Glyph, GlyphReading][] = [];
  for (const g0 of glyphs) {
    let parts = split(g0);
    // A glyph read unsurely that reaches above a possible top may be joined to a blob above it (a
    // particle touching an "m"): cut at each such top, keep the cut that reads best when it beats the
    // whole. Cut at the line's top anything may result; cut lower (x-height) only letters from a glyph
    // not read as a digit, so a digit is never shortened into another ("7" → "1") or a letter ("0" → "u").
    const digit = parts.some(([, r]) => /[0-9]/.test(r.char));
    if (least(parts) < 0.3) {
      for (const t of tops) {
        if (g0.y0 >= t - 0.15 * H) continue;
        const c = clipAbove(g0, t - 0.05 * H);
        if (!c || c.y1 - c.y0 < 0.3 * H) continue;
        const pc = split(c);
        if (least(pc) > least(parts) && (t === line.top || (!digit && pc.every(([, r]) => isLetter(r.char))))) parts = pc;
      }
    }
    cells.push(...parts);
  }
  // An unsure glyph shaped like a plain "1" (a bold or small stroke unlike every template's) reads "1";
  // it keeps its low confidence and is counted per part (FastLabelPart.shapeOnes).
  const byShape = cells.map(([g, r]) => r.confidence < UNSURE && isPlainOne(g, line));
  cells.forEach((cell, i) => { if (byShape[i]) cell[1] = { ...cell[1], char: "1" }; });
  // Gap before each glyph, line heights (0 for the first).
  const gaps = cells.map(([g], i) => (i === 0 ? 0 : (g.x0 - cells[i - 1][0].x1) / H));
  const chars = cells.map(([, r]) => r.char);
  const join = (from: number, to: number): string => {
    let t = "";
    for (let i = from; i < to; i++) t += (i > from && gaps[i] > 0.35 && !(isLetter(chars[i - 1]) && isLetter(chars[i])) ? " " : "") + chars[i];
    return t;
  };
  const k = line.scale;
  const toSrc = (from: number, to: number): Box => {
    const gs = cells.slice(from, to).map(([g]) => g);
    return {
      x0: line.region.x0 + Math.min(...gs.map((g) => g.x0)) / k, y0: line.region.y0 + Math.min(...gs.map((g) => g.y0)) / k,
      x1: line.region.x0 + Math.max(...gs.map((g) => g.x1)) / k, y1: line.region.y0 + Math.max(...gs.map((g) => g.y1)) / k,
    };
  };
  const parts: FastLabelPart[] = [];
  const nmOrMm: FastLabelPart[] = [];
  for (let start = 0; start < cells.length;) {
    let end = start + 1;
    while (end < cells.length && gaps[end] <= 0.8) end++;
    // A dot after the unit (a particle beside the label) cannot change the length and is left out; so
    // is a speck before the number set apart from it by over half a line height (never a decimal point).
    let first = start, last = end;
    while (last - first > 1 && ".,".includes(chars[last - 1]) && isLetter(chars[last - 2])) last--;
    while (last - first > 1 && ".,-".includes(chars[first]) && gaps[first + 1] > 0.5) first++;
    let core = join(first, last);
    // A decimal comma ("50,0nm") is written plainly, not a correction.
    let labels = parseLabels(core.replace(/,/g, "."));
    // A number followed by letters no template reads as a unit ("100 m", "100 rm"): merged "nm" or "mm"?
    // (Its digits on the baseline: a "p"'s stem read as "1" reaches below it.)
    let merged = false;
    // (A glyph read as a digit that stays below the digits' top is a letter's piece: a stem of 4-px "nm" read "1".)
    const xHeight = ([g]: [Glyph, GlyphReading]): boolean => g.y0 >= line.top + 0.15 * H;
    const lastDigit = cells.slice(first, last).map((cell) => /[0-9]/.test(cell[1].char) && !xHeight(cell)).lastIndexOf(true) + first;
    // Also a unit read as "nm" or "mm" by unsure glyphs only (a touching pair's own template, read with
    // confidence 0): the same merged letters.
    const nmOrMmUnit = labels.length === 1 && (labels[0].unit === "nm" || labels[0].unit === "mm");
    const unitOnlyUnsure = nmOrMmUnit && cells.slice(lastDigit + 1, last).every(([, r]) => r.confidence < UNSURE);
    const numberThenLetters = lastDigit > first - 1 && /^[0-9]+([.,][0-9]+)?$/.test(join(first, lastDigit + 1))
      && cells.slice(lastDigit + 1, last).every((cell) => isLetter(cell[1].char) || xHeight(cell)) && cells.slice(first, lastDigit + 1).every(([g]) => g.y1 <= line.baseline + 0.15 * H);
    const unitInk = (extra: Glyph[]): Glyph => [...cells.slice(lastDigit + 1, last).map(([g]) => g), ...extra].reduce(joinGlyphs);
    const gx0 = cells[first][0].x0 - 0.5 * H, gx1 = cells[last - 1][0].x1 + 0.5 * H;
    const partCut = line.cut.filter((c) => c.x1 > gx0 && c.x0 < gx1);
    // A unit cut off by the image's right edge (a figure cropped through its label, EMPS 2c6c108b4d "50 n|"):
    // all the cut ink lies after the unit's letters (or after the number, the unit wholly cut) and reaches
    // the image's edge, so the number is whole; the letters and the cut ink, joined, must still have an
    // nm-or-mm's shape (x-height, two letters wide, the first an arch, which no other unit begins with).
    const atImageEdge = (c: Glyph): boolean => line.region.x1 >= img.width && c.x1 >= Math.round((line.region.x1 - line.region.x0) * k) - 1;
    const cutUnit = partCut.length > 0 && (labels.length === 0 || nmOrMmUnit) && numberThenLetters
      && partCut.every((c) => c.x0 >= cells[last - 1][0].x1 - 1 && atImageEdge(c)) && isNmOrMm(unitInk(partCut), line);
    if (((labels.length === 0 || unitOnlyUnsure) && numberThenLetters && lastDigit < last - 1 && isNmOrMm(unitInk([]), line)) || cutUnit) {
      core = `${join(first, lastDigit + 1)} nm`;
      labels = parseLabels(core.replace(/,/g, "."));
      merged = true;
    }
    const cut = partCut.length > 0 && !cutUnit;
    // A blob set aside by the opening (SplitLine.specks) between two digits at the baseline may be a
    // decimal point: the number is then not certain.
    const digits = cells.slice(first, last).filter(([, r]) => /[0-9]/.test(r.char)).map(([g]) => g);
    const point = digits.length >= 2 && line.specks.some((p) => (p.x0 + p.x1) / 2 > digits[0].x1 && (p.x0 + p.x1) / 2 < digits[digits.length - 1].x0 && Math.abs(p.y1 - line.baseline) <= 0.3 * H);
    // An "nm" that may be an "mm" cut in the wrong place (glyph_shapes.ts) is not certain: 10^6 off.
    let mm = merged;
    for (let i = first + 1; i < last; i++) if (chars[i - 1] === "n" && chars[i] === "m" && mayBeCutMm(cells[i - 1][0], cells[i][0], k)) mm = true;
    // A whole number with faint ink just before it (a "0." the threshold lost, faint_prefix.ts) is not certain.
    const others = cells.map((_, i) => i).filter((i) => i < first || i >= last).map((i) => toSrc(i, i + 1));
    const faint = (): boolean => !core.includes(".") && faintInkBefore(img, toSrc(first, first + 1), line.region.y0 + line.top / k, line.region.y0 + line.baseline / k, inkDark, [...blank, ...others]);
    if (labels.length === 1 && labels[0].matched.trim() === core.trim() && !labels[0].corrected && !labels[0].guessedDigit && !cut && !point && !faint()) {
      // The unit's letters of an nm-or-mm part carry no confidence of their own: its number's decide.
      const upTo = merged ? lastDigit + 1 : last;
      const sure = cells.slice(first, upTo).filter((_, i) => !byShape[first + i]).map(([, r]) => r.confidence);
      const shapeOnes = upTo - first - sure.length;
      if (sure.length > 0) (mm ? nmOrMm : parts).push({ label: labels[0], text: core, confidence: Math.min(...sure), box: toSrc(first, last), shapeOnes });
    }
    start = end;
  }
  return {
    text: join(0, cells.length), glyphs: cells.map(([, r]) => r), boxes: cells.map((_, i) => toSrc(i, i + 1)), confidence: Math.min(...cells.map(([, r]) => r.confidence)),
    box: toSrc(0, cells.length), parts, label: parts.length === 1 ? parts[0].label : null, nmOrMm,
  };
}

