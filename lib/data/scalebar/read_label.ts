/**
 * Offline OCR of scale-bar labels with tesseract.js: one worker, reused for every crop, loaded from the
 * traineddata shipped in the `@tesseract.js-data/eng` package (never the CDN: a local `langPath` makes
 * tesseract.js read the file with fs instead of fetching it).
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { createWorker, OEM, PSM } from "tesseract.js";
import type { Worker } from "tesseract.js";
import { cacheDir } from "../../util/paths";
import type { Box, GreyImage } from "./find_bar";

/** One text line the OCR engine returned, with its box in the SOURCE image's pixels. */
export interface OcrLine {
  /** The line's words joined by single spaces. */
  text: string;
  /** Lowest word confidence of the line (tesseract's 0…100 scale): one unsure digit makes the line unsure. */
  confidence: number;
  box: Box;
  /** The words, with where each starts in `text`, their confidence (0…100) and box. */
  words: { text: string; start: number; confidence: number; box: Box }[];
}

/**
 * How to turn a crop into black-on-white text for the engine: grey levels at `full` and beyond (away from
 * `none`) become solid text, levels at `none` and before become background, a linear ramp between.
 * Bright text on a dark micrograph: full 230, none 170; dark text: full 25, none 85.
 */
export interface TextLevels {
  full: number;
  none: number;
}

/**
 * "sparse": find text anywhere in the crop (tesseract PSM 11), upscaled to ~`targetSidePx`;
 * "line": the crop is one text line (PSM 7), scaled so the crop is `lineHeightPx` tall [48] (text about 2/3 of it).
 */
export type ReadMode = "sparse" | "line";

/** A reusable OCR engine for label crops. Call `terminate()` when done (or the process will not exit). */
export interface LabelReader {
  /**
   * OCR the `region` of `img` (clipped to the image). Pixels are mapped to text/background by `levels`
   * and the `blank` boxes (the bar itself, so the engine does not see a long rule through the text line)
   * become background. Lines come back in source-image coordinates.
   */
  read(img: GreyImage, region: Box, levels: TextLevels, blank?: Box[], mode?: ReadMode, lineHeightPx?: number): Promise<OcrLine[]>;
  /** Stop the worker thread. Idempotent. */
  terminate(): Promise<void>;
}

/** Options for {@link createLabelReader}. Defaults in brackets. */
export interface LabelReaderOptions {
  /** Folder holding `eng.traineddata.gz` [the `4.0.0_best_int` folder of `@tesseract.js-data/eng`]. */
  langPath?: string;
  /** Where tesseract.js caches the unpacked traineddata [`cacheDir("tesseract")`]. */
  cachePath?: string;
  /** Target longest side of the upscaled crop, pixels [1000]; the upscale factor is clamped to 1…6. */
  targetSidePx?: number;
}

/** Settings the worker is created with: local data only (exposed so tests can check no URL is used). */
export interface OcrWorkerSettings {
  langPath: string;
  cachePath: string;
  gzip: true;
}

/**
 * The local traineddata folder and cache folder the reader uses. Throws naming the package and the fix
 * when `eng.traineddata.gz` is not in `langPath` (e.g. `@tesseract.js-data/eng` not installed).
 */
export function ocrWorkerSettings(opts: LabelReaderOptions = {}): OcrWorkerSettings {
  let langPath = opts.langPath;
  if (langPath === undefined) {
    let pkg: string;
    try {
      pkg = path.dirname(require.resolve("@tesseract.js-data/eng/package.json"));
    } catch {
      throw new Error("scale-bar OCR needs the npm package @tesseract.js-data/eng (run npm ci in the project root)");
    }
    // best_int: the LSTM-only model (3 MB), the one tesseract.js itself picks for OEM LSTM_ONLY.
    langPath = path.join(pkg, "4.0.0_best_int");
  }
  langPath = path.resolve(langPath);
  if (!fs.existsSync(path.join(langPath, "eng.traineddata.gz"))) {
    throw new Error(`scale-bar OCR: no eng.traineddata.gz in ${langPath} (reinstall @tesseract.js-data/eng or pass langPath)`);
  }
  const cachePath = path.resolve(opts.cachePath ?? cacheDir("tesseract"));
  fs.mkdirSync(cachePath, { recursive: true });
  return { langPath, cachePath, gzip: true };
}

/**
 * Paint out (255) the dark components of a black-on-white crop that cannot be glyphs: solid horizontal
 * bands (a panel under the label, a second bar), blobs whose box covers ≥ 15 % of the crop, and specks of
 * ≤ 4 px. Glyphs and words (thin strokes, fill < 0.75 or not ≥ 2.5× wider than tall) stay. `tight`: the
 * crop is one text line, where one glyph's box alone can cover 15 % (an "m" touching a particle, measured
 * on EMPS), so blobs go only when their INK covers ≥ 25 % of the crop.
 */
function dropSolidBlocks(crop: Uint8Array, w: number, h: number, tight = false): void {
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (seen[i] || crop[i] >= 128) continue;
    const pix: number[] = [];
    let bx0 = w, by0 = h, bx1 = 0, by1 = 0;
    stack.push(i);
    seen[i] = 1;
    while (stack.length) {
      const j = stack.pop() as number;
      pix.push(j);
      const x = j % w;
      const y = (j - x) / w;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]]) {
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (!seen[q] && crop[q] < 128) { seen[q] = 1; stack.push(q); }
      }
    }
    const bw = bx1 - bx0 + 1;
    const bh = by1 - by0 + 1;
    const fill = pix.length / (bw * bh);
    const band = fill >= 0.75 && bw >= 2.5 * bh && bw >= 6;
    const big = tight ? pix.length >= 0.25 * w * h : bw * bh >= 0.15 * w * h;
    if (band || big || pix.length <= 4) for (const j of pix) crop[j] = 255;
  }
}

// Characters labels are made of, plus the letters the engine reads µ as (A, p, y, j); the whitelist stops
// it turning texture into words.
const WHITELIST = "0123456789.,nmuµμÅApyj ";

/**
 * An OCR reader for label crops. The worker (about a second to start) is created on the first `read`, so a
 * run whose labels the fast reader (read_line_fast.ts) decides never starts it. Throws at once as
 * {@link ocrWorkerSettings} does; `read` throws with tesseract.js's message naming the traineddata path
 * when the worker cannot load it.
 */
export async function createLabelReader(opts: LabelReaderOptions = {}): Promise<LabelReader> {
  const s = ocrWorkerSettings(opts);
  const target = opts.targetSidePx ?? 1000;
  let worker: Worker | null = null;
  let starting: Promise<Worker> | null = null;
  let terminated = false;
  let currentPsm: PSM = PSM.SPARSE_TEXT;
  const start = async (): Promise<Worker> => {
    const w = await createWorker("eng", OEM.LSTM_ONLY, { langPath: s.langPath, cachePath: s.cachePath, gzip: s.gzip });
    await w.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT, tessedit_char_whitelist: WHITELIST, preserve_interword_spaces: "1", user_defined_dpi: "300",
      // Tesseract's own diagnostics ("Detected 36 diacritics") go to its debug file, not the user's terminal.
      debug_file: "/dev/null" } as Record<string, string>);
    return w;
  };
  return {
    async read(img: GreyImage, region: Box, levels: TextLevels, blank: Box[] = [], mode: ReadMode = "sparse", lineHeightPx = 48): Promise<OcrLine[]> {
      if (terminated) throw new Error("LabelReader.read: the reader was terminated");
      if (levels.full === levels.none) throw new Error(`LabelReader.read: levels.full and levels.none must differ (both ${levels.full})`);
      const x0 = Math.max(0, Math.floor(region.x0));
      const y0 = Math.max(0, Math.floor(region.y0));
      const x1 = Math.min(img.width, Math.ceil(region.x1));
      const y1 = Math.min(img.height, Math.ceil(region.y1));
      const w = x1 - x0;
      const h = y1 - y0;
      if (w < 4 || h < 4) return [];
      const wk = worker ?? (worker = await (starting ??= start()));
      // Text → 0 (black), background → 255, ramp between: the engine reads dark text on white best and
      // the micrograph's mid-grey texture drops out instead of becoming letters.
      const crop = new Uint8Array(w * h);
      const span = levels.full - levels.none;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const t = Math.min(1, Math.max(0, (img.data[(y0 + y) * img.width + x0 + x] - levels.none) / span));
          crop[y * w + x] = Math.round(255 * (1 - t));
        }
      }
      for (const b of blank) {
        for (let y = Math.max(b.y0, y0); y < Math.min(b.y1, y1); y++) {
          for (let x = Math.max(b.x0, x0); x < Math.min(b.x1, x1); x++) crop[(y - y0) * w + (x - x0)] = 255;
        }
      }
      dropSolidBlocks(crop, w, h, mode === "line");
      const k = mode === "line" ? Math.max(0.25, Math.min(8, lineHeightPx / h)) : Math.max(1, Math.min(6, target / Math.max(w, h)));
      const psm = mode === "line" ? PSM.SINGLE_LINE : PSM.SPARSE_TEXT;
      if (psm !== currentPsm) {
        // Line mode reads without the whitelist: with one, tesseract's LSTM reports confidence 0 for
        // correct words ("1um" on a serif label, measured), so the confidence gate would refuse them;
        // the label grammar (parse_label) maps the usual confusions (l→1, O→0) instead.
        await wk.setParameters({ tessedit_pageseg_mode: psm, tessedit_char_whitelist: psm === PSM.SINGLE_LINE ? "" : WHITELIST });
        currentPsm = psm;
      }
      const W = Math.round(w * k);
      const H = Math.round(h * k);
      // A white margin: tesseract finds text touching the crop edge badly.
      const pad = 16;
      const png = await sharp(Buffer.from(crop), { raw: { width: w, height: h, channels: 1 } })
        .resize(W, H, { kernel: "cubic" })
        .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 255, g: 255, b: 255 } })
        // Uncompressed PNG: encoding here and decoding in the worker are each a few ms cheaper per crop.
        .png({ compressionLevel: 0 })
        .toBuffer();
      // Only the block tree is used; the plain-text output would be one more pass over the result.
      const res = await wk.recognize(png, {}, { blocks: true, text: false });
      const lines: OcrLine[] = [];
      const toSrc = (bx: { x0: number; y0: number; x1: number; y1: number }): Box => ({
        x0: x0 + Math.max(0, (bx.x0 - pad) / k),
        y0: y0 + Math.max(0, (bx.y0 - pad) / k),
        x1: x0 + Math.min(w, (bx.x1 - pad) / k),
        y1: y0 + Math.min(h, (bx.y1 - pad) / k),
      });
      for (const b of res.data.blocks ?? []) {
        for (const p of b.paragraphs) {
          for (const l of p.lines) {
            const ws = l.words.filter((wd) => wd.text.trim() !== "");
            if (ws.length === 0) continue;
            const words: OcrLine["words"] = [];
            let start = 0;
            for (const wd of ws) {
              words.push({ text: wd.text.trim(), start, confidence: wd.confidence, box: toSrc(wd.bbox) });
              start += wd.text.trim().length + 1;
            }
            lines.push({ text: words.map((wd) => wd.text).join(" "), confidence: Math.min(...ws.map((wd) => wd.confidence)), box: toSrc(l.bbox), words });
          }
        }
      }
      return lines;
    },
    async terminate(): Promise<void> {
      terminated = true;
      const w = worker ?? (starting ? await starting : null);
      worker = null;
      starting = null;
      if (w) await w.terminate();
    },
  };
}
