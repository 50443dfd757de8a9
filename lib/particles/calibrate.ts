import { resolveCalibration, type Calibration } from "../data/calibration";
import { readScaleBar } from "../data/scalebar/calibrate";
import type { LabelReader } from "../data/scalebar/read_label";
import type { PixelBox } from "./extract";

/** Options of {@link calibrationFor}. */
export interface CalibrationLookup {
  /** A pixel size the user gave (`--nm-per-px`), nm per pixel; wins over anything found in the file. */
  nmPerPx?: number;
  /** Look for a burnt-in scale bar (for its nm/px when nothing else calibrates, and to exclude it). Default true. */
  scaleBars?: boolean;
  /** One OCR worker shared across images (`createLabelReader()`; the caller terminates it). */
  reader?: LabelReader;
}

/** An image's calibration and the boxes (scale bar + label) that are not sample. */
export interface ImageCalibration {
  calibration: Calibration | null;
  exclude: PixelBox[];
}

/**
 * The one place particle measurements get their pixel size, in this order: the user's `--nm-per-px`,
 * the file's metadata (microscope formats, TIFF tags), the burnt-in scale bar read from the pixels;
 * null when none (measurements then stay in pixels and say so). A scale bar found in the image is
 * returned in `exclude` whatever calibrated it, since its pixels would otherwise be measured as a
 * particle. Throws naming `--nm-per-px` for a non-positive value, or the file when it is unreadable.
 */
export async function calibrateImage(file: string, opts: CalibrationLookup = {}): Promise<ImageCalibration> {
  const bar = opts.scaleBars === false ? null : await readScaleBar(file, { reader: opts.reader });
  const found = bar && bar.found !== false ? bar : null;
  const calibration = await resolveCalibration(file, {
    nmPerPx: opts.nmPerPx,
    fallback: async () => found && {
      nmPerPxX: found.nmPerPx, nmPerPxY: found.nmPerPx, source: "scalebar",
      detail: `scale bar '${found.labelText}' = ${found.lengthPx.toFixed(1)} px`, confidence: found.confidence,
    },
  });
  return { calibration, exclude: found ? [found.exclude] : [] };
}

/** {@link calibrateImage}'s calibration alone. */
export async function calibrationFor(file: string, opts: CalibrationLookup = {}): Promise<Calibration | null> {
  return (await calibrateImage(file, opts)).calibration;
}
