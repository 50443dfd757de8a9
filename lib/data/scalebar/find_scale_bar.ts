/**
 * Scale bar → nm/px: find bar-shaped regions, OCR the text around each, keep the first bar with a length
 * label next to it, cross-check, and say how sure we are. Never guesses: without a parsed length label
 * beside a bar the answer is "no scale bar found" with the reason.
 */
import { findBarCandidates } from "./find_bar";
import type { BarCandidate, Box, FindBarOptions, GreyImage } from "./find_bar";
import { isRoundLength, parseLabels } from "./parse_label";
import type { ParsedLabel } from "./parse_label";
import { pointBetweenDigits, readLabelFast } from "./fast_label";
import type { FastLabel } from "./fast_label";
import { createLabelReader } from "./read_label";
import { readOutlinedLabel } from "./outlined_text";
import { measureShortBar } from "./short_bar";
import type { ShortBarLength } from "./short_bar";
import { findTextLines, lineCrop } from "./text_lines";
import type { TextLine } from "./text_lines";
import type { LabelReader, LabelReaderOptions, OcrLine, TextLevels } from "./read_label";

/** A scale bar that was found and read. */
export interface ScaleBarFound {
  found: true;
  /** Nanometres per pixel along x (the bar is horizontal, so this is the only axis it measures). */
  nmPerPx: number;
  /** The bar's length, pixels (sub-pixel). */
  lengthPx: number;
  /** The label as parsed (value, unit, nm). */
  label: ParsedLabel;
  /** The OCR line the label came from. */
  labelText: string;
  /** The bar as found. */
  bar: BarCandidate;
  /** Where the label text is (union of every line that gave the same length). */
  labelBox: Box;
  /** One box covering bar (with end caps) and label, padded: blank or mask this (see `mask.ts`). */
  exclude: Box;
  /** Confidence in the label line, 0…100 (tesseract's, or 50 + 50 × the template reader's margin). */
  ocrConfidence: number;
  /** Which reader decided the label: the glyph templates (fast_label.ts) or tesseract. */
  readBy: "templates" | "tesseract";
  /** Overall confidence, 0…1 (see {@link findScaleBar}). */
  confidence: number;
  /** Why the confidence was lowered, empty when it was not. */
  warnings: string[];
}

/** No usable scale bar: `reason` says what was missing. */
export interface ScaleBarNotFound {
  found: false;
  /** Starts with "no scale bar found: ". */
  reason: string;
  /**
   * A bar whose label could not be read, when one is convincing (bar score ≥ 0.5, ≥ 20 px, in the top or
   * bottom 20 % of the image, where figures put bars): still annotation, so callers exclude `exclude`
   * (bar, caps and the text lines beside it, padded), and `--scale-bar` can measure it. Absent otherwise.
   */
  bar?: BarCandidate;
  exclude?: Box;
  /**
   * Set when `bar` is under `minBarPx` and short_bar.ts cannot bound its length within 2 %: why (the
   * bar is still excluded, but no stated label may be measured over it). When it is bounded, `bar`'s
   * lengthPx is short_bar.ts's length.
   */
  lengthUnsure?: string;
}

/** Result of {@link findScaleBar}. */
export type ScaleBarResult = ScaleBarFound | ScaleBarNotFound;

/** Options for {@link findScaleBar}. Defaults in brackets. */
export interface FindScaleBarOptions extends FindBarOptions, LabelReaderOptions {
  /** A reader to reuse across images; when absent one is created and terminated per call. */
  reader?: LabelReader;
  /** How many bar candidates to OCR around, best first [3]. */
  maxOcrCandidates?: number;
  /** Refuse (found: false) below this overall confidence [0.3]. */
  minConfidence?: number;
  /** Ignore text lines shorter than this, source pixels [8]: smaller digits are misread with high confidence. */
  minTextPx?: number;
  /** Plausible nm/px, [min, max] [[0.001, 5000]]: outside it the reading is refused (e.g. "2 µm" read as "2 mm"). */
  nmPerPxRange?: [number, number];
  /** Refuse when the label line's OCR confidence (0…100) is below this [40]. */
  minOcrConfidence?: number;
  /**
   * How labels are looked for ["both"]: "lines" OCRs only the text lines found beside the bar (one PSM-7
   * line each, see text_lines.ts); "sparse" OCRs the whole neighbourhood (the older method); "both" tries
   * lines first and falls back to sparse.
   */
  method?: "lines" | "sparse" | "both";
  /**
   * Bars shorter than this, pixels [30], are read only when short_bar.ts bounds their length within 2 %
   * (see `minShortBarPx`): their ends' blur alone is ±2 % (measured on JPEG figures; on the 56 real bars
   * of the truth table a bar's usual length is within 0.26 px rms, mostly ≤ 0.5 px, of the eye's
   * half-level check, so a 26-px bar may be 2 % off: EMPS 406975041a measures 25.7 px that way, 26.07 by
   * short_bar.ts, 26.05 by a pixel check).
   */
  minBarPx?: number;
  /**
   * Bars from this length up to `minBarPx` are read when their length is bounded within 2 % (sub-pixel
   * ends at each end's own background, every row agreeing with the run, see short_bar.ts) [15].
   */
  minShortBarPx?: number;
  /** How many text lines beside one bar to read [4]. */
  maxLinesPerBar?: number;
  /**
   * Try the template reader (fast_label.ts) on the lines beside a bar before the OCR engine [true]; a
   * line it reads surely decides the label and the engine is not started.
   */
  fastReader?: boolean;
  /** The template reader's least glyph confidence (0…1) for a line to decide [0.3] (see fast_label.ts). */
  fastMinConfidence?: number;
}

function union(a: Box, b: Box): Box {
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot((a.x0 + a.x1 - b.x0 - b.x1) / 2, (a.y0 + a.y1 - b.y0 - b.y1) / 2);
}

/** Where a label may sit: above, below or beside the bar, up to ~0.6–0.75 bar lengths away. */
/**
 * Whether candidate `c` is the drop shadow of a label's glyphs rather than a bar: in the two rows just
 * above it, at least 40 % of its columns hold ink of the opposite shade, past half its contrast beyond
 * the surround (white text right on a dark "bar"). Rendered white labels with a dark drop shadow in serif
 * fonts (test/data.scalebar_outlined_text.spec.ts) leave such a run along their baseline, whose length
 * was read with the label (`1 um` for `10 µm`). A bar's own label sits at least a row away, and a bar
 * drawn on a panel has the panel's shade above it, never one beyond its surround.
 */
function isShadowOfInkAbove(img: GreyImage, c: BarCandidate): boolean {
  const sign = c.polarity === "bright" ? 1 : -1;
  const beyond = c.barLevel - sign * c.contrast - sign * 0.5 * c.contrast;
  let hits = 0;
  for (let x = c.box.x0; x < c.box.x1; x++) {
    for (let y = Math.max(0, c.box.y0 - 2); y < c.box.y0; y++) {
      if (sign * (beyond - img.data[y * img.width + x]) > 0) { hits++; break; }
    }
  }
  return hits >= 0.4 * (c.box.x1 - c.box.x0);
}

function labelRegion(c: BarCandidate, img: GreyImage): Box {
  const L = c.box.x1 - c.box.x0;
  const dx = 0.75 * L;
  const dy = 0.6 * L + 2 * c.thicknessPx;
  return {
    x0: Math.max(0, Math.floor(c.box.x0 - dx)),
    y0: Math.max(0, Math.floor(c.box.y0 - dy)),
    x1: Math.min(img.width, Math.ceil(c.box.x1 + dx)),
    y1: Math.min(img.height, Math.ceil(c.box.y1 + dy)),
  };
}

interface LabelHit {
  label: ParsedLabel;
  line: OcrLine;
  /** Lowest confidence of the words the label was read from (0…100). */
  confidence: number;
  /** Union of those words' boxes. */
  box: Box;
  /** The text mapping it was read with. */
  levels: TextLevels;
}

function hitFor(label: ParsedLabel, line: OcrLine, levels: TextLevels): LabelHit {
  const end = label.index + label.matched.length;
  const ws = line.words.filter((w) => w.start < end && w.start + w.text.length > label.index);
  if (ws.length === 0) return { label, line, confidence: line.confidence, box: line.box, levels };
  return { label, line, confidence: Math.min(...ws.map((w) => w.confidence)), box: ws.map((w) => w.box).reduce(union), levels };
}

/**
 * Read a hit's line again on its own (single-line mode, tight crop). Agreement on the length raises the
 * confidence to the better of the two readings; a different length lowers it to the worse, times 0.5;
 * no length at all lowers an unsure (< 70) reading by 0.7.
 */
async function confirm(reader: LabelReader, img: GreyImage, hit: LabelHit, blank: Box[]): Promise<LabelHit> {
  const b = hit.box;
  const mh = 0.35 * (b.y1 - b.y0);
  const mw = 0.5 * (b.y1 - b.y0);
  const region: Box = { x0: b.x0 - mw, y0: b.y0 - mh, x1: b.x1 + mw, y1: b.y1 + mh };
  const lines = await reader.read(img, region, hit.levels, blank, "line");
  const again = lines.flatMap((l) => parseLabels(l.text).map((p) => hitFor(p, l, hit.levels)));
  if (again.length === 0) {
    // No label on the closer look, but numbers, none of them the first reading's ("1 401i" where "30 nm"
    // was read, rendered outlined text over a lit particle): the two disagree.
    const numbers = lines.flatMap((l) => l.words.map((w) => wordNumber(w.text))).filter((n): n is number => n !== null);
    if (numbers.length && !numbers.some((n) => Math.abs(n - hit.label.value) <= 1e-9 * hit.label.value)) {
      return { ...hit, confidence: 0.5 * Math.min(hit.confidence, Math.min(...lines.map((l) => l.confidence))) };
    }
    // Nothing readable on the closer look: an unsure first reading stays unconfirmed and loses weight.
    return hit.confidence < 70 ? { ...hit, confidence: 0.7 * hit.confidence } : hit;
  }
  const same = again.find((h) => Math.abs(h.label.nm - hit.label.nm) <= 1e-9 * hit.label.nm);
  if (same) return { ...hit, confidence: Math.max(hit.confidence, same.confidence) };
  return { ...hit, confidence: 0.5 * Math.min(hit.confidence, again[0].confidence) };
}

/**
 * Text-level mappings to try, in order: text like the bar (levels from the bar's own grey and contrast),
 * then text of the other polarity at saturated levels (e.g. white label above a black bar on a panel).
 */
function textLevelsFor(c: BarCandidate): TextLevels[] {
  const sign = c.polarity === "bright" ? -1 : 1;
  // Strict first (drops texture), then wider (keeps thin anti-aliased strokes).
  const strict: TextLevels = { full: c.barLevel + sign * 0.12 * c.contrast, none: c.barLevel + sign * 0.4 * c.contrast };
  const wide: TextLevels = { full: c.barLevel + sign * 0.25 * c.contrast, none: c.barLevel + sign * 0.6 * c.contrast };
  const other: TextLevels = c.polarity === "bright" ? { full: 20, none: 70 } : { full: 235, none: 185 };
  return [strict, other, wide];
}

/** Text/background levels for one line: its ink is the bar's polarity ("bar") or the opposite ("other"). */
function lineLevels(c: BarCandidate, ink: TextLine["ink"]): TextLevels {
  const sign = c.polarity === "bright" ? 1 : -1;
  if (ink === "surround") return sign > 0 ? { full: 20, none: 70 } : { full: 235, none: 185 };
  const bg = c.barLevel - sign * c.contrast;
  // In units above the surround towards the bar: text full / none at these offsets.
  const [full, none] = ink === "bar" ? [0.8 * c.contrast, 0.3 * c.contrast] : [-Math.max(90, 0.7 * c.contrast), -Math.max(30, 0.2 * c.contrast)];
  return { full: bg + sign * full, none: bg + sign * none };
}

/**
 * A label INSIDE a bar ("|—— 200 nm ——|"): the candidate is the part on one side of the text. When a run
 * of bar-coloured pixels on the bar's rows continues on the far side of a left/right line (within 1.5
 * line heights of it), the bar spans both parts: return its length from the far run's outer end, else null.
 */
function lengthAcrossLabel(img: GreyImage, c: BarCandidate, line: TextLine): number | null {
  if (line.side !== "left" && line.side !== "right") return null;
  const sign = c.polarity === "bright" ? 1 : -1;
  const bg = c.barLevel - sign * c.contrast;
  const lh = line.box.y1 - line.box.y0;
  const isBar = (x: number, y: number): boolean => sign * (img.data[y * img.width + x] - bg) > 0.5 * c.contrast;
  const step = line.side === "left" ? -1 : 1;
  let best: number | null = null;
  for (let y = c.box.y0; y < c.box.y1; y++) {
    let x = line.side === "left" ? Math.floor(line.box.x0) - 1 : Math.ceil(line.box.x1);
    let skipped = 0;
    while (x >= 0 && x < img.width && !isBar(x, y) && skipped <= 1.5 * lh) { x += step; skipped++; }
    if (x < 0 || x >= img.width || !isBar(x, y)) continue;
    let run = 0;
    while (x >= 0 && x < img.width && isBar(x, y)) { x += step; run++; }
    if (run < Math.max(4, lh)) continue;
    const outer = line.side === "left" ? x + 1 : x;
    const len = line.side === "left" ? c.box.x0 - outer + c.lengthPx : outer - c.box.x1 + c.lengthPx;
    best = best === null ? len : Math.max(best, len);
  }
  return best;
}

interface LineReading {
  hit: LabelHit;
  line: TextLine;
  text: string;
}

/**
 * How each text line is read: (share of the bar's contrast at which ink is solid, crop height in px the
 * line is scaled to). Tesseract's reading of one small label changes with both (measured on EMPS crops:
 * "20 nm" at one setting, "208m" at another for a blurred "200 nm"), so a label is accepted only when
 * the variants agree.
 */
const LINE_VARIANTS: [number, number][] = [[0.8, 48], [0.6, 64], [0.8, 64], [0.6, 32]];

/** Leading number of a word ("208m" → 208, "x25,000" → 25.0), or null; the number's own digits only. */
function wordNumber(text: string): number | null {
  const m = /[0-9]+(?:[.,][0-9]+)?/.exec(text);
  return m ? Number(m[0].replace(",", ".")) : null;
}

/**
 * Read the text lines next to bar `c` (nearest first, at most `maxLines`), each as one OCR line in the
 * {@link LINE_VARIANTS}, and return the first line whose length label is agreed on: at least two variants
 * read the same length, one of them with confidence ≥ `minOcr`, and no variant reads another number in
 * a word over the bar's columns (a blurred "200" read as "20" in one variant and "208" in another is
 * refused, not voted on). For a line above/below the bar only words overlapping the bar's columns
 * (±30 % of its length) count (SEM data strips hold Mag, WD and HV fields beside the bar's own length).
 * Stops after two variants when both read the same label with confidence ≥ 80. `seen` collects the text.
 */
async function readBesideBar(reader: LabelReader, img: GreyImage, c: BarCandidate, bar: Box, minOcr: number, minText: number, seen: string[], lines: TextLine[]): Promise<LineReading | null> {
  const L = c.box.x1 - c.box.x0;
  const sign = c.polarity === "bright" ? 1 : -1;
  const bg = c.barLevel - sign * c.contrast;
  for (const line of lines) {
    const lh = line.box.y1 - line.box.y0;
    if (lh < minText) continue;
    const region = lineCrop(c, line);
    const inColumns = (b: Box): boolean => (line.side !== "above" && line.side !== "below") || (b.x1 >= c.box.x0 - 0.3 * L && b.x0 <= c.box.x1 + 0.3 * L);
    const best: LabelHit[] = [];
    const numbers: number[] = [];
    const texts: string[] = [];
    for (const [solid, height] of LINE_VARIANTS) {
      const levels: TextLevels = line.ink === "bar"
        ? { full: bg + sign * solid * c.contrast, none: bg + sign * 0.3 * c.contrast }
        : lineLevels(c, line.ink);
      const read = await reader.read(img, region, levels, [bar], "line", height);
      const hits: LabelHit[] = [];
      for (const l of read) {
        texts.push(l.text);
        for (const w of l.words) {
          const n = wordNumber(w.text);
          if (n !== null && inColumns(w.box)) numbers.push(n);
        }
        for (const p of parseLabels(l.text)) {
          const h = hitFor(p, l, levels);
          if (inColumns(h.box)) hits.push(h);
        }
      }
      hits.sort((a, b) => centreDistance(a.box, c.box) - centreDistance(b.box, c.box));
      if (hits.length) best.push(hits[0]);
      if (best.length === 2 && texts.length >= 2 && sameLength(best[0], best[1]) && Math.min(best[0].confidence, best[1].confidence) >= 80) break;
    }
    seen.push(texts.join(" / "));
    if (best.length === 0) continue;
    // The length most variants read (ties: the more confident), then the checks.
    const votes = (h: LabelHit): LabelHit[] => best.filter((b) => sameLength(b, h));
    const top = [...best].sort((a, b) => votes(b).length - votes(a).length || b.confidence - a.confidence)[0];
    const agree = votes(top);
    const conf = Math.max(...agree.map((h) => h.confidence));
    const others = numbers.filter((n) => Math.abs(n - top.label.value) > 1e-9 * top.label.value);
    if (agree.length < 2 || conf < minOcr || agree.length < best.length || others.length > 0) {
      seen.push(`[${agree.length} of ${LINE_VARIANTS.length} readings agree on '${top.label.matched}'${others.length ? `, others read ${[...new Set(others)].join(", ")}` : ""}: not confident]`);
      continue;
    }
    // "T" for a digit (a 1 or a 7) counts only when a variant read the same length with real digits.
    if (agree.every((h) => h.label.guessedDigit)) {
      seen.push(`['${top.label.matched}': the digit was read only as a letter]`);
      continue;
    }
    // An unusual length ("19 nm" for a blurred "10 nm") must be read plainly and surely to count.
    if (!isRoundLength(top.label.nm) && (conf < 85 || agree.every((h) => h.label.corrected))) {
      seen.push(`['${top.label.matched}' is not a usual bar length and was not read surely enough]`);
      continue;
    }
    const hit = agree.find((h) => h.confidence === conf) as LabelHit;
    // Corrected ("1pm" for 1 µm) only when no variant read it plainly; the digit is real (see above).
    return { hit: { ...hit, label: { ...hit.label, corrected: agree.every((h) => h.label.corrected), guessedDigit: false } }, line, text: texts.join(" / ") };
  }
  return null;
}

/**
 * A fast-path label as a line reading. Its confidence on the engine's 0…100 scale is 50 + 50 × the weakest
 * glyph's margin (a fast label has passed its own, stricter gate: see fast_label.ts).
 */
function fastReading(f: FastLabel, c: BarCandidate): LineReading {
  const confidence = 50 + 50 * f.confidence;
  const ocr: OcrLine = { text: f.text, confidence, box: f.box, words: [{ text: f.text, start: 0, confidence, box: f.box }] };
  return { hit: { label: f.label, line: ocr, confidence, box: f.box, levels: lineLevels(c, f.line.ink) }, line: f.line, text: f.text };
}

function sameLength(a: LabelHit, b: LabelHit): boolean {
  return Math.abs(a.label.nm - b.label.nm) <= 1e-9 * b.label.nm;
}

/**
 * Find and read the scale bar of a grey image. Candidates from {@link findBarCandidates} are tried best
 * first; around each, the label region is OCR'd with the bar painted out, and every line is parsed as a
 * length. Of the readings with OCR confidence ≥ `minOcrConfidence`, the one nearest the bar wins. When the
 * template passes and the engine's per-line reading all fail, light text outlined or shadowed in dark over
 * a lit particle is read in a top-hat view (outlined_text.ts) before that sparse search.
 *
 * Confidence = √(bar score) × (OCR confidence of the label's words / 100; the label is read again
 * alone as one line: agreement keeps the better confidence, a different length, or numbers none of
 * which is the label's, halves the worse, no reading lowers an unsure (< 70) one by 0.7),
 * times 0.8 when OCR confusions had to be corrected ("l00 nm"), 0.85 for a length that is not
 * 1/2/2.5/3/4/5/7/7.5 × 10^k (0.5 when the reading was also corrected), 0.8 for a bar under
 * 20 px (±1 px is ±5 %), 0.6 when labels with
 * different lengths were read near the same bar. Refused (found: false) when no bar has a parsed
 * label, when the label's OCR confidence < `minOcrConfidence` or the result < `minConfidence`, when a
 * sparse-search label's length is not a usual one and was read with OCR confidence < 85 or corrected
 * (as on the line path), or when
 * the label box is taller than the bar is long (text is not a label of that bar), when the label is in
 * millimetres (a misread µm is far likelier; the template reader never decides "mm" either), when the
 * OCR engine read a whole number where the template reader sees a decimal point between its digits, when the
 * bar runs into the image's left or right edge (it may be cut), when its ends are unclear, when it is
 * under `minBarPx` and short_bar.ts cannot bound its length within 2 %, or when nm/px falls outside
 * `nmPerPxRange`.
 * Throws only for an invalid image (see findBarCandidates) or when OCR cannot start (see read_label).
 */
export async function findScaleBar(img: GreyImage, opts: FindScaleBarOptions = {}): Promise<ScaleBarResult> {
  const maxCands = opts.maxOcrCandidates ?? 3;
  // Bars are looked for on every 4th row first (a quarter of the scan; bars ≥ 4 rows thick are found
  // whole), then, only when none of those gives a label, on every row: the candidates not tried yet.
  const quick = findBarCandidates(img, { ...opts, rowStep: 4 }).slice(0, maxCands);
  let full: BarCandidate[] | null = null;
  const allCands = (): BarCandidate[] => (full ??= findBarCandidates(img, opts).slice(0, maxCands));
  const sameBox = (a: BarCandidate, b: BarCandidate): boolean => a.polarity === b.polarity && a.box.x0 === b.box.x0 && a.box.x1 === b.box.x1 && a.box.y0 === b.box.y0 && a.box.y1 === b.box.y1;
  // Generator<T, void, undefined>, spelled out: tslab's TypeScript 5.0 rejects yield* into the default TNext.
  function* candidates(): Generator<BarCandidate, void, undefined> {
    for (const c of quick) yield c;
    for (const c of allCands()) if (!quick.some((q) => sameBox(q, c))) yield c;
  }
  if (quick.length === 0 && allCands().length === 0) return { found: false, reason: "no scale bar found: no solid horizontal bar with contrast on both sides" };
  const reader = opts.reader ?? (await createLabelReader(opts));
  const useFast = opts.fastReader ?? true;
  const minOcr = opts.minOcrConfidence ?? 40;
  const minConf = opts.minConfidence ?? 0.3;
  const minText = opts.minTextPx ?? 8;
  const range = opts.nmPerPxRange ?? [0.001, 5000];
  const useLines = opts.method !== "sparse";
  const useSparse = opts.method !== "lines";
  const maxLines = opts.maxLinesPerBar ?? 4;
  const minBarPx = opts.minBarPx ?? 30;
  const minShortBarPx = opts.minShortBarPx ?? 15;
  const refusals: string[] = [];
  try {
    for (const c of candidates()) {
      const where = `bar ${Math.round(c.lengthPx)} px at (${c.box.x0},${c.box.y0})`;
      const region = labelRegion(c, img);
      const bar: Box = { x0: c.box.x0 - 1, y0: c.box.y0 - 1, x1: c.box.x1 + 1, y1: c.box.y1 + 1 };
      const hits: LabelHit[] = [];
      const smallHits: LabelHit[] = [];
      const seen: string[] = [];
      let lengthPx = c.lengthPx;
      // First the tight text lines beside the bar: the template reader, then one OCR line each (the engine's best mode).
      // The template reader looks close to the bar first (a tenth of the cost), then at every line found.
      const fastOpts = { minConfidence: opts.fastMinConfidence };
      let fast = useLines && useFast ? readLabelFast(img, c, findTextLines(img, c, { near: true }).slice(0, maxLines), seen, fastOpts) : null;
      const lines = useLines && !fast ? findTextLines(img, c).slice(0, maxLines) : [];
      if (!fast && useFast) fast = readLabelFast(img, c, lines, seen, fastOpts);
      // Last, text on speckled texture: lines found and read in the blurred image.
      if (!fast && useLines && useFast) fast = readLabelFast(img, c, findTextLines(img, c, { smooth: true }).slice(0, maxLines), seen, fastOpts);
      let beside = fast ? fastReading(fast, c) : useLines ? await readBesideBar(reader, img, c, bar, minOcr, minText, seen, lines) : null;
      // When every usual reading failed: light text outlined in dark over an uneven background, read
      // in the top-hat image (outlined_text.ts).
      if (!beside && useLines && useFast) {
        fast = readOutlinedLabel(img, c, seen, { ...fastOpts, maxLines });
        if (fast) beside = fastReading(fast, c);
      }
      if (beside) {
        hits.push(beside.hit);
      } else if (useSparse) {
        // Fallback: sparse text search over the whole neighbourhood, then a single-line second look.
        for (const levels of textLevelsFor(c)) {
          const read = await reader.read(img, region, levels, [bar]);
          seen.push(...read.map((l) => l.text));
          for (const line of read) {
            for (const label of parseLabels(line.text)) {
              const h = hitFor(label, line, levels);
              // Text a few pixels tall is read unreliably ("100" → "190" at 5 px): never trust it.
              if (h.box.y1 - h.box.y0 >= minText) hits.push(h);
              else smallHits.push(h);
            }
          }
          // Stop at the first mapping that gives a confident label: each OCR pass costs ~0.3 s.
          if (hits.some((h) => h.confidence >= minOcr)) break;
        }
      }
      if (hits.length === 0) {
        const text = seen.join(" | ");
        refusals.push(`${where}: no length label beside it${text ? ` (OCR read '${text.slice(0, 200)}')` : ""}`);
        continue;
      }
      // Confident readings first, then the nearest to the bar; a sparse reading always gets a second look.
      hits.sort((a, b) => Number(b.confidence >= minOcr) - Number(a.confidence >= minOcr) || centreDistance(a.box, c.box) - centreDistance(b.box, c.box));
      if (!beside) hits[0] = await confirm(reader, img, hits[0], [bar]);
      const best = hits[0];
      // An unusual length ("160 nm" for an outlined "100 nm") must be read plainly and surely, as on the line path.
      if (!beside && !isRoundLength(best.label.nm) && (best.confidence < 85 || best.label.corrected)) {
        refusals.push(`${where}: label '${best.label.matched}' is not a usual bar length and was not read surely enough (OCR confidence ${best.confidence.toFixed(0)} < 85)`);
        continue;
      }
      // A label on the bar's own rows may sit inside a split bar: measure across it when the bar goes on.
      const bh = best.box.y1 - best.box.y0;
      let acrossSide: "left" | "right" | null = null;
      if (best.box.y0 < c.box.y1 + 0.5 * bh && best.box.y1 > c.box.y0 - 0.5 * bh) {
        acrossSide = best.box.x1 <= c.box.x0 + 1 ? "left" : best.box.x0 >= c.box.x1 - 1 ? "right" : null;
        const across = acrossSide ? lengthAcrossLabel(img, c, { box: best.box, ink: "bar", side: acrossSide, gap: 0, glyphs: 0 }) : null;
        if (across !== null) lengthPx = across;
        else acrossSide = null;
      }
      const warnings: string[] = [];
      const L = c.box.x1 - c.box.x0;
      if (best.box.y1 - best.box.y0 > L) {
        refusals.push(`${where}: text '${best.label.matched}' is taller than the bar is long`);
        continue;
      }
      if (best.label.guessedDigit) {
        refusals.push(`${where}: label '${best.label.matched}' has a letter for its digit (T: 1 or 7?)`);
        continue;
      }
      // Tesseract's model has no µ and returns "m" for an italic or serif one ("1µm" → "1mm", measured on
      // an SEM strip): a millimetre label would be 1000× off, so it is refused, never guessed either way.
      if (best.label.unit === "mm") {
        refusals.push(`${where}: label '${best.label.matched}' may be a misread 'µm' (the OCR engine has no µ); give --scale-bar if it is millimetres`);
        continue;
      }
      // The engine drops a thin font's decimal point ("20.0 nm" → "200 nm"): a whole number it read where
      // the template reader sees a point between digits is refused.
      if (!fast && !/[.,]/.test(best.label.matched) && pointBetweenDigits(img, c, lines.length ? lines : findTextLines(img, c).slice(0, maxLines), best.box)) {
        refusals.push(`${where}: label '${best.label.matched}' read without a decimal point, but a point is seen between its digits`);
        continue;
      }
      if (best.confidence < minOcr) {
        refusals.push(`${where}: label '${best.label.matched}' read with OCR confidence ${best.confidence.toFixed(0)} < ${minOcr}`);
        continue;
      }
      let nmPerPx = best.label.nm / lengthPx;
      if (nmPerPx < range[0] || nmPerPx > range[1]) {
        refusals.push(`${where}: label '${best.label.matched}' gives ${nmPerPx.toPrecision(3)} nm/px, outside the plausible ${range[0]}…${range[1]}`);
        continue;
      }
      let conf = Math.sqrt(c.score) * (best.confidence / 100);
      if (best.label.corrected) { conf *= 0.8; warnings.push(`OCR text '${best.label.matched}' needed corrections`); }
      if (!isRoundLength(best.label.nm)) {
        // A corrected reading that also gives an unusual length is the typical misread ("0.5 μm" → "15 pm").
        conf *= best.label.corrected ? 0.5 : 0.85;
        warnings.push(`${best.label.value} ${best.label.unit} is not a usual scale-bar length`);
      }
      // A bar running into the image's left or right edge was cut with the figure (measured on EMPS crops:
      // "0.5 µm" and "500nm" bars whose label is cut too): its length is unknown.
      if (c.box.x0 <= 0 || c.box.x1 >= img.width) {
        refusals.push(`${where}: label '${best.label.matched}' but the bar runs into the image edge and may be cut`);
        continue;
      }
      if (isShadowOfInkAbove(img, c)) {
        refusals.push(`${where}: label '${best.label.matched}' but the "bar" lies right under ink of the opposite shade along most of its length: a label's drop shadow, not a bar`);
        continue;
      }
      if (c.endsUnclear) {
        refusals.push(`${where}: label '${best.label.matched}' but the bar's ends are unclear (the inside of an outlined bar, its half-level crossings disagree with its ${c.lengthPx.toFixed(0)}-px run, or its length depends on the background level taken)`);
        continue;
      }
      if (lengthPx < minBarPx) {
        // A short bar counts when its length is bounded within 2 % (short_bar.ts); a label inside a split
        // bar (measured across it) or a bar under `minShortBarPx` never does.
        const s = acrossSide || lengthPx < minShortBarPx ? null : measureShortBar(img, c);
        const why = !s ? `±0.5 px of blur is more than 2 %${acrossSide ? "" : ` (under ${minShortBarPx} px)`}`
          : s.unsure ? `its length cannot be bounded: ${s.unsure}`
          : s.boundPx > 0.02 * s.lengthPx ? `its length ${s.lengthPx.toFixed(1)} px is known to ±${s.boundPx.toFixed(2)} px, ${(100 * s.boundPx / s.lengthPx).toFixed(1)} % > 2 %` : "";
        if (why) {
          refusals.push(`${where}: label '${best.label.matched}' but the bar is only ${lengthPx.toFixed(1)} px: ${why}`);
          continue;
        }
        lengthPx = (s as ShortBarLength).lengthPx;
        warnings.push(`short bar: ${lengthPx.toFixed(2)} ± ${(s as ShortBarLength).boundPx.toFixed(2)} px`);
        nmPerPx = best.label.nm / lengthPx;
      }
      if (lengthPx < 20) { conf *= 0.8; warnings.push(`bar only ${lengthPx.toFixed(1)} px long`); }
      const agreeing = hits.filter((h) => Math.abs(h.label.nm - best.label.nm) <= 1e-9 * best.label.nm);
      const disagreeing = hits.filter((h) => !agreeing.includes(h) && h.confidence >= minOcr);
      if (disagreeing.length) {
        conf *= 0.6;
        warnings.push(`other lengths read near the bar: ${disagreeing.map((h) => h.label.matched).join(", ")}`);
      }
      if (conf < minConf) {
        refusals.push(`${where}: label '${best.label.matched}' but confidence ${conf.toFixed(2)} < ${minConf}${warnings.length ? ` (${warnings.join("; ")})` : ""}`);
        continue;
      }
      const labelBox = agreeing.map((h) => h.box).reduce(union);
      // Caps and outlines stick out of the bar's rows by up to a few thicknesses.
      const capPad = Math.max(3, 2 * c.thicknessPx);
      const extra = lengthPx - c.lengthPx;
      const barBox: Box = {
        x0: c.box.x0 - 2 - (acrossSide === "left" ? extra : 0), y0: c.box.y0 - capPad,
        x1: c.box.x1 + 2 + (acrossSide === "right" ? extra : 0), y1: c.box.y1 + capPad,
      };
      // Small text is not trusted for the value but is still annotation to mask (e.g. a copy of the label).
      const e = [labelBox, ...smallHits.map((h) => h.box)].reduce((acc, b) => union(acc, { x0: b.x0 - 2, y0: b.y0 - 2, x1: b.x1 + 2, y1: b.y1 + 2 }), barBox);
      const exclude: Box = {
        x0: Math.max(0, Math.floor(e.x0)), y0: Math.max(0, Math.floor(e.y0)),
        x1: Math.min(img.width, Math.ceil(e.x1)), y1: Math.min(img.height, Math.ceil(e.y1)),
      };
      return {
        found: true, nmPerPx, lengthPx: lengthPx, label: best.label, labelText: best.label.matched,
        bar: c, labelBox, exclude, ocrConfidence: best.confidence, readBy: fast ? "templates" : "tesseract", confidence: Math.min(0.95, conf), warnings,
      };
    }
  } finally {
    if (!opts.reader) await reader.terminate();
  }
  const reason = `no scale bar found: ${refusals.join("; ")}`;
  const c = allCands()[0];
  const edge = Math.min(c.box.y0, img.height - c.box.y1) <= 0.2 * img.height;
  if (c.score < 0.5 || c.lengthPx < 20 || !edge) return { found: false, reason };
  const capPad = Math.max(3, 2 * c.thicknessPx);
  const e = findTextLines(img, c).filter((t) => t.gap <= 2 * (t.box.y1 - t.box.y0)).map((t) => t.box)
    .reduce((acc, b) => union(acc, { x0: b.x0 - 2, y0: b.y0 - 2, x1: b.x1 + 2, y1: b.y1 + 2 }), { x0: c.box.x0 - 2, y0: c.box.y0 - capPad, x1: c.box.x1 + 2, y1: c.box.y1 + capPad });
  const exclude: Box = { x0: Math.max(0, Math.floor(e.x0)), y0: Math.max(0, Math.floor(e.y0)), x1: Math.min(img.width, Math.ceil(e.x1)), y1: Math.min(img.height, Math.ceil(e.y1)) };
  // A short bar is measured (and may be used with a stated label, `--scale-bar`) as a read one would be.
  if (c.lengthPx < minBarPx && !c.endsUnclear) {
    const s = c.lengthPx >= minShortBarPx ? measureShortBar(img, c) : null;
    if (s && !s.unsure && s.boundPx <= 0.02 * s.lengthPx) return { found: false, reason, bar: { ...c, lengthPx: s.lengthPx }, exclude };
    const why = !s ? `the bar is only ${c.lengthPx.toFixed(1)} px (under ${minShortBarPx})`
      : s.unsure ? `the ${c.lengthPx.toFixed(1)}-px bar's length cannot be bounded: ${s.unsure}`
      : `the bar's length ${s.lengthPx.toFixed(1)} px is known to ±${s.boundPx.toFixed(2)} px, ${(100 * s.boundPx / s.lengthPx).toFixed(1)} % > 2 %`;
    return { found: false, reason, bar: c, exclude, lengthUnsure: why };
  }
  return { found: false, reason, bar: c, exclude };
}
