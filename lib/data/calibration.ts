/**
 * Pixel calibration: how many nanometres one pixel spans, and where that number came from. Every
 * measurement in nm carries one of these so a reader can tell a file's metadata from a scale bar read
 * by OCR from a number the user typed.
 */

/** Where a calibration came from. */
export type CalibrationSource = "file" | "scalebar" | "user";

/** A pixel size in nanometres, x (columns) and y (rows) separately, with its provenance. */
export interface Calibration {
  /** Nanometres per pixel along x (image columns). Finite and > 0. */
  nmPerPxX: number;
  /** Nanometres per pixel along y (image rows). Finite and > 0. */
  nmPerPxY: number;
  /** Where it came from. */
  source: CalibrationSource;
  /** Human-readable detail: the format/tag it was read from, the scale-bar text, or "--nm-per-px". */
  detail: string;
  /** 0…1: 1 for file metadata and user values, lower for a scale bar read from pixels. */
  confidence: number;
}

/** Length units a calibration may be given in, with their size in nanometres. */
const NM_PER_UNIT: Record<string, number> = {
  m: 1e9, cm: 1e7, mm: 1e6, um: 1e3, "µm": 1e3, "μm": 1e3, micron: 1e3, microns: 1e3,
  nm: 1, a: 0.1, "å": 0.1, "Å": 0.1, angstrom: 0.1, pm: 1e-3,
};

/**
 * Size of one `unit` in nanometres, or `undefined` for a unit that is not a length (e.g. "eV", "1/nm",
 * "" or "pixel"). Accepts the spellings microscope files use: "nm", "µm"/"um"/"micron", "Å"/"A", "pm", "m".
 */
export function nmPerUnit(unit: string): number | undefined {
  const u = unit.trim();
  return NM_PER_UNIT[u] ?? NM_PER_UNIT[u.toLowerCase()];
}

/**
 * Convert `value` `unit` to nanometres. Throws naming the unit when it is not a length, so a spectrum's
 * "eV" axis or a reciprocal-space "1/nm" axis never becomes a pixel size.
 */
export function toNanometres(value: number, unit: string): number {
  const f = nmPerUnit(unit);
  if (f === undefined) throw new Error(`'${unit}' is not a length unit (use nm, µm, Å, pm, mm or m)`);
  return value * f;
}

/**
 * The calibration a user gave with `--nm-per-px X` (square pixels). Throws naming the option when `X`
 * is not a finite positive number.
 */
export function userCalibration(nmPerPx: number): Calibration {
  if (!Number.isFinite(nmPerPx) || nmPerPx <= 0) {
    throw new Error(`--nm-per-px must be a positive number of nanometres per pixel (got ${nmPerPx})`);
  }
  return { nmPerPxX: nmPerPx, nmPerPxY: nmPerPx, source: "user", detail: "--nm-per-px", confidence: 1 };
}

/** Geometric-mean pixel size (nm/px) for measurements that need one scalar (areas use x·y). */
export function meanNmPerPx(c: Calibration): number {
  return Math.sqrt(c.nmPerPxX * c.nmPerPxY);
}
