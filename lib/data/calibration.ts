import * as path from "path";
import { AxisScale, isMicroscopeFile, readMicroscopeImage } from "./formats/index";
import { readTiffScale } from "./formats/tiff_calibration";

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
  /** For file metadata: the pixel size of each axis as the file states it (value + unit), before conversion to nm. */
  original?: { x: AxisLength; y: AxisLength };
}

/** A length as a file states it. */
export interface AxisLength {
  value: number;
  unit: string;
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

/**
 * Calibration from a file's per-axis pixel sizes (`source` "file"), or null when either axis is
 * missing, not positive, or not in a length unit (a diffraction pattern's "1/nm", an uncalibrated
 * "" or "pixel" axis). `detail` names the format/tag.
 */
export function calibrationFromAxes(x: AxisScale | null, y: AxisScale | null, detail: string): Calibration | null {
  if (!x || !y) return null;
  const fx = nmPerUnit(x.unit), fy = nmPerUnit(y.unit);
  if (fx === undefined || fy === undefined) return null;
  const nmX = x.scale * fx, nmY = y.scale * fy;
  if (!(Number.isFinite(nmX) && nmX > 0 && Number.isFinite(nmY) && nmY > 0)) return null;
  return {
    nmPerPxX: nmX, nmPerPxY: nmY, source: "file", detail, confidence: 1,
    original: { x: { value: x.scale, unit: x.unit }, y: { value: y.scale, unit: y.unit } },
  };
}

/**
 * The pixel size stated in `file`'s own metadata: microscope formats (.dm3 .dm4 .ser/.emi .emd .mrc,
 * see lib/data/formats) and TIFF tags (FEI/Thermo, Zeiss, OME-XML, ImageJ). Null when the file states
 * none (JPEG/PNG, a TIFF without such tags, an uncalibrated or non-length axis). For a stack, the
 * calibration is that of its slices (the same for all), so no slice need be chosen.
 * Throws naming the file when it cannot be read.
 */
export async function readCalibration(file: string): Promise<Calibration | null> {
  if (isMicroscopeFile(file)) {
    // stackSlice 0 + headerOnly: the pixel size is the same for every slice, and no samples are read
    const m = await readMicroscopeImage(file, { stackSlice: 0, headerOnly: true });
    return calibrationFromAxes(m.x, m.y, m.detail);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".tif" || ext === ".tiff") {
    const t = await readTiffScale(file);
    return t ? calibrationFromAxes(t.x, t.y, t.detail) : null;
  }
  return null;
}

/** Options for {@link resolveCalibration}. */
export interface ResolveCalibrationOptions {
  /** The user's `--nm-per-px`: when set it wins over everything (square pixels). Default: unset. */
  nmPerPx?: number;
  /**
   * Called for a file whose metadata has no calibration (e.g. scale-bar OCR); its result is used as
   * is (null: none). Default: none.
   */
  fallback?: (file: string) => Promise<Calibration | null>;
}

/**
 * The calibration to measure `file` with: the user's `nmPerPx` if given, else the file's metadata
 * ({@link readCalibration}), else `fallback(file)`, else null (measure in pixels). Throws naming the
 * option for an invalid `nmPerPx`, and naming the file when it cannot be read.
 */
export async function resolveCalibration(file: string, opts: ResolveCalibrationOptions = {}): Promise<Calibration | null> {
  if (opts.nmPerPx !== undefined) return userCalibration(opts.nmPerPx);
  const c = await readCalibration(file);
  if (c) return c;
  return opts.fallback ? opts.fallback(file) : null;
}

/** One-line text of a calibration: "0.2 × 1 nm/px (file: dm3 …; y 2 A, x 1 nm)". */
export function formatCalibration(c: Calibration | null): string {
  if (!c) return "none";
  const n = (v: number): string => Number(v.toPrecision(6)).toString();
  const px = c.nmPerPxX === c.nmPerPxY ? `${n(c.nmPerPxX)} nm/px` : `x ${n(c.nmPerPxX)}, y ${n(c.nmPerPxY)} nm/px`;
  const orig = c.original ? `; file says x ${n(c.original.x.value)} ${c.original.x.unit}, y ${n(c.original.y.value)} ${c.original.y.unit}` : "";
  return `${px} (${c.source}: ${c.detail}${orig})`;
}
