/**
 * Read the scale bars of several files with one OCR worker, and format the outcome for people
 * (`nanomorph data scalebar`).
 */
import { decodeImage } from "../decode";
import { toGrey8 } from "./calibrate";
import { findScaleBar } from "./find_scale_bar";
import type { FindScaleBarOptions, ScaleBarResult } from "./find_scale_bar";
import { createLabelReader } from "./read_label";
import type { LabelReader } from "./read_label";

/** One file's outcome: a result, or the error that stopped it (e.g. an undecodable file). */
export interface ScaleBarFileReport {
  file: string;
  result: ScaleBarResult | null;
  /** The error message when the file could not be read; null otherwise. */
  error: string | null;
}

/**
 * {@link readScaleBar} for every file, sharing one OCR worker (terminated at the end). A file that cannot
 * be decoded gets `error` (naming the file) instead of stopping the others. Throws only when OCR
 * cannot start (see createLabelReader); the worker starts at the first decodable file.
 */
export async function readScaleBars(files: string[], opts: FindScaleBarOptions = {}): Promise<ScaleBarFileReport[]> {
  // The worker starts at the first decodable file, so a run over unreadable files costs no OCR start-up.
  let reader: LabelReader | null = opts.reader ?? null;
  const out: ScaleBarFileReport[] = [];
  try {
    for (const file of files) {
      let img;
      try {
        img = toGrey8(await decodeImage(file, { channels: "native" }));
      } catch (e) {
        out.push({ file, result: null, error: (e as Error).message });
        continue;
      }
      reader = reader ?? (await createLabelReader(opts));
      out.push({ file, result: await findScaleBar(img, { ...opts, reader }), error: null });
    }
  } finally {
    if (!opts.reader && reader) await reader.terminate();
  }
  return out;
}

/** One line per file: nm/px, label (and which reader read it), bar length, confidence and exclusion box — or the reason/error. */
export function formatScaleBarReport(rows: ScaleBarFileReport[]): string {
  return rows.map((r) => {
    if (r.error !== null || r.result === null) return `${r.file}: error: ${r.error}`;
    const s = r.result;
    if (s.found === false) return `${r.file}: ${s.reason}`;
    const e = s.exclude;
    const warn = s.warnings.length ? ` (${s.warnings.join("; ")})` : "";
    return `${r.file}: ${s.nmPerPx.toPrecision(4)} nm/px from '${s.labelText}' (read by ${s.readBy}) over ${s.lengthPx.toFixed(1)} px, confidence ${s.confidence.toFixed(2)}; exclude x ${e.x0}…${e.x1}, y ${e.y0}…${e.y1}${warn}`;
  }).join("\n");
}
