/**
 * Parse a scale-bar label ("100 nm", "0.5 µm", "200nm", "1 μm", "50 Å") into a length in nanometres,
 * tolerating the usual OCR confusions of digits and the micro sign.
 */
import { nmPerUnit } from "../calibration";

/** A label read as a length. */
export interface ParsedLabel {
  /** The number as written (e.g. 0.5). */
  value: number;
  /** The canonical unit: "nm", "µm", "Å", "mm". */
  unit: string;
  /** `value` in nanometres. */
  nm: number;
  /** The substring of the input the match came from (before any correction). */
  matched: string;
  /** Where `matched` starts in the input. */
  index: number;
  /** True when OCR confusions had to be corrected to get a number and a unit (lowers confidence). */
  corrected: boolean;
  /**
   * True when the number is a lone "T": tesseract reads a sans-serif "1" as T (measured: "1µm" → "Tum"
   * on JEOL and Zeiss SEM strips) but also a "7", so it is parsed as 1 and must never count on its own:
   * callers accept it only when another reading gives the same length with real digits.
   */
  guessedDigit: boolean;
}

// Letters OCR engines commonly return for digits inside a number.
const DIGIT_FIX: Record<string, string> = { O: "0", o: "0", D: "0", Q: "0", l: "1", I: "1", i: "1", "|": "1", "!": "1", S: "5", s: "5", Z: "2", z: "2", B: "8", G: "6", b: "6", g: "9", q: "9" };

// Unit spellings as OCR returns them → canonical unit. "u", "µ" (U+00B5), "μ" (U+03BC) and the look-alikes
// "A", "p", "j", "y" before "m" are micrometres: tesseract's eng model has no µ and reads it as one of
// those (measured: DejaVu Serif "2 µm" → "2 Am"). So "pm" is read as a misread µm, flagged corrected;
// picometre bars are rare enough on TEM images that the opposite choice would be wrong far more often.
const UNIT_FIX: [RegExp, string, boolean][] = [
  [/^nm$/, "nm", false],
  [/^(µm|μm|um)$/, "µm", false],
  [/^(Å|Å|A|angstrom)$/, "Å", false],
  // mm is flagged: on microscope bars it is almost always a misread µm.
  [/^mm$/, "mm", true],
  [/^(rn|nn|run|mn|nrn|hm|om|am|nM|NM|Nm)$/, "nm", true],
  [/^(Am|pm|jm|ym|pum|uum|yum|Hm|HM|hum|urn|µrn|μrn|wm|Um)$/, "µm", true],
];

const NUMBER = "[0-9OoDQlIi|!SsZzBGbgq]+(?:[.,][0-9OoDQlIi|SsZzBGbgq]+)?";
const UNIT = "(?:µm|μm|um|nm|nM|NM|Nm|Å|Å|Am|A\\b|pm|mm|rn|nn|run|mn|nrn|hm|om|am|jm|ym|pum|uum|yum|Hm|HM|hum|urn|µrn|μrn|wm|Um|angstrom)";
const LABEL_RE = new RegExp(`(?<![0-9A-Za-z.])(T|${NUMBER})\\s{0,3}(${UNIT})(?![A-Za-z])`, "g");

function fixNumber(s: string): { text: string; corrected: boolean } {
  let out = "";
  let corrected = false;
  for (const ch of s) {
    if (/[0-9.]/.test(ch)) out += ch;
    else if (ch === ",") { out += "."; corrected = true; }
    else if (DIGIT_FIX[ch] !== undefined) { out += DIGIT_FIX[ch]; corrected = true; }
    else return { text: "", corrected: true };
  }
  return { text: out, corrected };
}

function fixUnit(s: string): { unit: string; corrected: boolean } | null {
  for (const [re, unit, corrected] of UNIT_FIX) if (re.test(s)) return { unit, corrected };
  return null;
}

/**
 * All length labels found in `text`, in order of appearance. A match needs a number with at least one
 * real digit (so "nm" alone or "Oo nm" is not a label) followed by a length unit; spaces between them are
 * optional ("200nm"). Values ≤ 0, with more than 5 significant digits or a leading zero without a decimal
 * point ("050") are dropped as misreads.
 */
export function parseLabels(text: string): ParsedLabel[] {
  const out: ParsedLabel[] = [];
  // Quotes and apostrophes OCR puts between number and unit ("100'nm") or before a word ("‘nm") are noise.
  const norm = text.normalize("NFC").replace(/['"‘’“”`´]/g, " ");
  for (const m of norm.matchAll(LABEL_RE)) {
    const [matched, rawNum, rawUnit] = m;
    // A number needs a real digit, except one lone look-alike: l/I/| for a serif "1" ("lum" for "1um"),
    // S for "5" ("Sum" for "5um"); always flagged as corrected.
    if (!/[0-9]/.test(rawNum) && !/^[lI|ST]$/.test(rawNum)) continue;
    const guessedDigit = rawNum === "T";
    const num = guessedDigit ? { text: "1", corrected: true } : fixNumber(rawNum);
    const unit = fixUnit(rawUnit);
    if (!num.text || !unit) continue;
    // "050 nm": a leading zero without a decimal point is a misread digit, not a label.
    if (/^0[0-9]/.test(num.text)) continue;
    const value = Number(num.text);
    if (!Number.isFinite(value) || value <= 0 || num.text.replace(/[.0]/g, "").length > 5) continue;
    const f = nmPerUnit(unit.unit);
    if (f === undefined) continue;
    out.push({ value, unit: unit.unit, nm: value * f, matched, index: m.index ?? 0, corrected: num.corrected || unit.corrected || rawUnit === "A", guessedDigit });
  }
  return out;
}

/** The first length label in `text`, or null when there is none. See {@link parseLabels}. */
export function parseLabel(text: string): ParsedLabel | null {
  return parseLabels(text)[0] ?? null;
}

/**
 * Whether `nm` is a length people put on scale bars: 1, 2, 2.5, 3, 5 or 7 × 10^k (any unit). Used only to
 * lower confidence, never to reject, because instruments also print 70 nm or 250 nm bars. `mantissas`: the
 * allowed values of nm / 10^k (default the usual ones above; fast_label.ts's isOneTwoFive passes 1, 2, 5).
 */
export function isRoundLength(nm: number, mantissas: readonly number[] = [1, 2, 2.5, 3, 4, 5, 7.5, 7, 10]): boolean {
  if (!(nm > 0)) return false;
  const e = Math.floor(Math.log10(nm) + 1e-9);
  const mant = nm / Math.pow(10, e);
  return mantissas.some((v) => Math.abs(mant - v) < 1e-6 * v);
}
