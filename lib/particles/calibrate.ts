import { nmPerPxProblem, readCalibrationReport, userCalibration, type Calibration } from "../data/calibration";
import { readBurntIn } from "../data/scalebar/calibrate";
import { parseLabel } from "../data/scalebar/parse_label";
import type { ParsedLabel } from "../data/scalebar/parse_label";
import type { LabelReader } from "../data/scalebar/read_label";
import type { PixelBox } from "./extract";
import type { ScaleBarNotFound } from "../data/scalebar/find_scale_bar";

/** Options of {@link calibrationFor}. */
export interface CalibrationLookup {
  /** A pixel size the user gave (`--nm-per-px`), nm per pixel; wins over anything found in the file. */
  nmPerPx?: number;
  /** Look for a burnt-in scale bar (for its nm/px when nothing else calibrates, and to exclude it) and a data strip (to exclude it). Default true. */
  scaleBars?: boolean;
  /**
   * The bars' label as the user states it for a whole folder (`--scale-bar 100nm`): each image's bar is
   * found and measured, and this length is used whatever OCR reads (a disagreeing reading is warned
   * about). Below `nmPerPx` and file metadata; parse it with {@link parseScaleBarArg}.
   */
  scaleBarLabel?: ParsedLabel;
  /** One OCR worker shared across images (`createLabelReader()`; the caller terminates it). */
  reader?: LabelReader;
}

/** An image's calibration, the boxes (scale bar + label, data strip) that are not sample, and what to tell the user. */
export interface ImageCalibration {
  calibration: Calibration | null;
  exclude: PixelBox[];
  /** Why there is no calibration (null when there is one): "no file metadata; no scale bar found: …". */
  why: string | null;
  /** Things the user should hear on stderr (e.g. metadata and scale bar disagree by more than 2 %). */
  warnings: string[];
}

/** `--scale-bar` text ("100nm", "0.5 µm", "2um") as a label. Throws naming the option and an example. */
export function parseScaleBarArg(text: string): ParsedLabel {
  const p = parseLabel(text.trim());
  if (!p || p.matched.trim() !== text.trim()) throw new Error(`--scale-bar '${text}' is not a length such as 100nm, 0.5um or 2 µm`);
  return p;
}

/** Largest relative difference between a file's pixel size and a scale bar's before a warning. */
const DISAGREE = 0.02;

/**
 * The one place particle measurements get their pixel size, in this order: the user's `--nm-per-px`,
 * the file's metadata (microscope formats, TIFF tags), the user's `--scale-bar` label over the measured
 * bar, the burnt-in scale bar read from the pixels; null when none (measurements then stay in pixels,
 * and `why` says why). Every bar FOUND in the image, read or not, is returned in `exclude`, since its
 * pixels would otherwise be measured as a particle, and so is a data strip along the top or bottom edge
 * (findDataStrip), since a white strip under a dark field would otherwise take Otsu's cut. When metadata
 * and a read bar disagree by more than 2 %, the metadata is used and `warnings` says so. Throws naming
 * `--nm-per-px` for a non-positive value, or the file when it is unreadable.
 */
export async function calibrateImage(file: string, opts: CalibrationLookup = {}): Promise<ImageCalibration> {
  const warnings: string[] = [];
  const burnt = opts.scaleBars === false ? null : await readBurntIn(file, { reader: opts.reader });
  const bar = burnt?.bar ?? null;
  const exclude: PixelBox[] = bar ? (bar.found ? [bar.exclude] : bar.exclude ? [bar.exclude] : []) : [];
  if (burnt?.strip) exclude.push(burnt.strip.box);
  if (opts.nmPerPx !== undefined) return { calibration: userCalibration(opts.nmPerPx), exclude, why: null, warnings };
  const report = await readCalibrationReport(file);
  const meta = report.calibration;
  if (meta) {
    if (bar && bar.found) {
      const m = (meta.nmPerPxX + meta.nmPerPxY) / 2;
      const d = Math.abs(bar.nmPerPx - m) / m;
      if (d > DISAGREE) warnings.push(`${file}: file metadata says ${m.toPrecision(4)} nm/px but the scale bar '${bar.labelText}' over ${bar.lengthPx.toFixed(1)} px gives ${bar.nmPerPx.toPrecision(4)} nm/px (${(100 * d).toFixed(1)} % apart); using the metadata`);
    }
    return { calibration: meta, exclude, why: null, warnings };
  }
  if (opts.scaleBarLabel) {
    const L = opts.scaleBarLabel;
    const stated = `${L.value} ${L.unit}`;
    const lengthPx = bar ? (bar.found ? bar.lengthPx : bar.bar?.lengthPx) : undefined;
    if (lengthPx === undefined) {
      return { calibration: null, exclude, why: `${report.reason}; --scale-bar ${stated} given but ${bar && bar.found === false ? bar.reason : "scale bars are not read"}`, warnings };
    }
    // A bar whose ends are unclear (find_bar's endsUnclear) is not measured surely enough for any label.
    if (bar && !bar.found && bar.bar?.endsUnclear) {
      return { calibration: null, exclude, why: `${report.reason}; --scale-bar ${stated} given but the bar's ends are unclear (it runs into the image edge, is the inside of an outlined bar, or its ${lengthPx.toFixed(0)}-px run and its half-level crossings disagree)`, warnings };
    }
    // A short bar (< 30 px) whose length is not known to 2 % (short_bar.ts) is not measured either.
    const unsure = bar && bar.found === false ? bar.lengthUnsure : undefined;
    if (unsure) {
      return { calibration: null, exclude, why: `${report.reason}; --scale-bar ${stated} given but ${unsure}`, warnings };
    }
    const problem = nmPerPxProblem(L.nm / lengthPx);
    if (problem) return { calibration: null, exclude, why: `${report.reason}; --scale-bar ${stated} over the bar's ${lengthPx.toFixed(1)} px: ${problem}`, warnings };
    if (bar && bar.found && Math.abs(bar.label.nm - L.nm) > 1e-9 * L.nm) {
      warnings.push(`${file}: the scale bar reads '${bar.labelText}' but --scale-bar says ${stated}; using ${stated}`);
    }
    return {
      calibration: { nmPerPxX: L.nm / lengthPx, nmPerPxY: L.nm / lengthPx, source: "scalebar", detail: `--scale-bar ${stated} over the bar's ${lengthPx.toFixed(1)} px`, confidence: 0.9 },
      exclude, why: null, warnings,
    };
  }
  if (bar && bar.found && !nmPerPxProblem(bar.nmPerPx)) {
    return {
      calibration: {
        nmPerPxX: bar.nmPerPx, nmPerPxY: bar.nmPerPx, source: "scalebar",
        detail: `scale bar '${bar.labelText}' = ${bar.lengthPx.toFixed(1)} px, confidence ${bar.confidence.toFixed(2)}`, confidence: bar.confidence,
      },
      exclude, why: null, warnings,
    };
  }
  // A read bar outside the physical range is a misreading, not a pixel size (findScaleBar's own range is narrower).
  const why = `${report.reason}; ${bar ? (bar.found ? `scale bar '${bar.labelText}' gives ${bar.nmPerPx} nm/px: ${nmPerPxProblem(bar.nmPerPx)}` : (bar as ScaleBarNotFound).reason) : "scale bars not read"}`;
  return { calibration: null, exclude, why, warnings };
}

/** {@link calibrateImage}'s calibration alone. */
export async function calibrationFor(file: string, opts: CalibrationLookup = {}): Promise<Calibration | null> {
  return (await calibrateImage(file, opts)).calibration;
}
