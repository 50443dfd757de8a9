import { userCalibration, type Calibration } from "../data/calibration";

/** Options of {@link calibrationFor}. */
export interface CalibrationLookup {
  /** A pixel size the user gave (`--nm-per-px`), nm per pixel; wins over anything found in the file. */
  nmPerPx?: number;
}

/**
 * The one place particle measurements get their pixel size: the user's `--nm-per-px` when given,
 * else null (measurements then stay in pixels and say so). File metadata and scale-bar readings
 * (`resolveCalibration` in lib/data, other branches) are to be wired in here, behind the user value.
 * `file` is the micrograph the calibration is for. Throws naming `--nm-per-px` for a non-positive value.
 */
export async function calibrationFor(file: string, opts: CalibrationLookup = {}): Promise<Calibration | null> {
  void file; // used once file metadata / scale bars are read here
  if (opts.nmPerPx !== undefined) return userCalibration(opts.nmPerPx);
  return null;
}
