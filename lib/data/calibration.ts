import * as path from "path";
import { AxisScale, ScaleReading, isMicroscopeFile, readMicroscopeImage } from "./formats/index";
import { readTiffScale } from "./formats/tiff_calibration";
import { readSidecarScale, sidecarFile } from "./formats/sidecar";
import { imageInfo, stackSliceFromEnv } from "./decode";
import { NM_PER_PX_RANGE, nmPerPxProblem } from "./pixel_size";

/**
 * Pixel calibration: how many nanometres one pixel spans, and where that number came from. Every
 * measurement in nm carries one of these so a reader can tell a file's metadata from a scale bar read
 * by OCR from a number the user typed.
 */

/**
 * Where a calibration came from: the file's own metadata ("file"), a metadata text file beside the
 * image ("sidecar": JEOL/Hitachi `.txt`), a burnt-in scale bar read from the pixels ("scalebar"), or
 * the user's `--nm-per-px` ("user").
 */
export type CalibrationSource = "file" | "sidecar" | "scalebar" | "user";

/** A pixel size in nanometres, x (columns) and y (rows) separately, with its provenance. */
export interface Calibration {
  /** Nanometres per pixel along x (image columns). Finite and > 0. */
  nmPerPxX: number;
  /** Nanometres per pixel along y (image rows). Finite and > 0. */
  nmPerPxY: number;
  /** Where it came from. */
  source: CalibrationSource;
  /** Human-readable detail: the format/tag or sidecar it was read from, the scale-bar text, or "--nm-per-px". */
  detail: string;
  /** 0…1: 1 for file metadata and user values, lower for a scale bar read from pixels. */
  confidence: number;
  /** For file or sidecar metadata: the pixel size of each axis as stated (value + unit), before conversion to nm. */
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
  nm: 1, a: 0.1, "å": 0.1, "Å": 0.1, angstrom: 0.1, angstroms: 0.1, pm: 1e-3,
  // full names (DigitalMicrograph's tags 65012/65013, pint-style text), both spellings
  meter: 1e9, metre: 1e9, meters: 1e9, metres: 1e9, millimeter: 1e6, millimetre: 1e6,
  micrometer: 1e3, micrometre: 1e3, micrometers: 1e3, micrometres: 1e3,
  nanometer: 1, nanometre: 1, nanometers: 1, nanometres: 1, picometer: 1e-3, picometre: 1e-3,
};

export { NM_PER_PX_RANGE, nmPerPxProblem } from "./pixel_size";

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
 * is not a finite positive number inside {@link NM_PER_PX_RANGE}.
 */
export function userCalibration(nmPerPx: number): Calibration {
  const problem = nmPerPxProblem(nmPerPx);
  if (problem) throw new Error(`--nm-per-px must be a positive number of nanometres per pixel in ${NM_PER_PX_RANGE.text}: ${problem}`);
  return { nmPerPxX: nmPerPx, nmPerPxY: nmPerPx, source: "user", detail: "--nm-per-px", confidence: 1 };
}

/** Geometric-mean pixel size (nm/px) for measurements that need one scalar (areas use x·y). */
export function meanNmPerPx(c: Calibration): number {
  return Math.sqrt(c.nmPerPxX * c.nmPerPxY);
}

/** A calibration, or why there is none. */
export type CalibrationOrReason = { calibration: Calibration; reason?: undefined } | { calibration?: undefined; reason: string };

/**
 * Calibration from per-axis pixel sizes as a file states them (`source` "file" unless given), or the
 * reason they cannot be used: an axis missing, a unit that is not a length (a diffraction pattern's
 * "1/nm", an uncalibrated "" or "<undefined>" axis), a value that is not a positive number, or a
 * pixel size outside {@link NM_PER_PX_RANGE}. `detail` names the format/tag and starts the reason.
 */
export function axesCalibration(x: AxisScale | null, y: AxisScale | null, detail: string, source: CalibrationSource = "file"): CalibrationOrReason {
  if (!x || !y) return { reason: `${detail}: no ${!x ? "x" : "y"} axis calibration` };
  const nm: number[] = [];
  for (const [name, a] of [["x", x], ["y", y]] as const) {
    const u = a.unit.trim();
    const f = nmPerUnit(u);
    if (f === undefined) return { reason: `${detail}: ${name} unit ${u === "" || u === "<undefined>" ? "is undefined (uncalibrated axis)" : `'${u}' is not a length unit`}` };
    if (!(Number.isFinite(a.scale) && a.scale > 0)) return { reason: `${detail}: ${name} pixel size ${a.scale} ${u} is not a positive number` };
    const problem = nmPerPxProblem(a.scale * f);
    if (problem) return { reason: `${detail}: ${name} pixel size ${a.scale} ${u} = ${problem}` };
    nm.push(a.scale * f);
  }
  return {
    calibration: {
      nmPerPxX: nm[0], nmPerPxY: nm[1], source, detail, confidence: 1,
      original: { x: { value: x.scale, unit: x.unit }, y: { value: y.scale, unit: y.unit } },
    },
  };
}

/**
 * Calibration from a file's per-axis pixel sizes (`source` "file"), or null when they cannot be used
 * (see {@link axesCalibration} for the reasons). `detail` names the format/tag.
 */
export function calibrationFromAxes(x: AxisScale | null, y: AxisScale | null, detail: string): Calibration | null {
  return axesCalibration(x, y, detail).calibration ?? null;
}

/** A metadata reading (TIFF tag, sidecar) → calibration or reason. */
function fromReading(r: ScaleReading, source: CalibrationSource): CalibrationOrReason {
  // The cast: tslab's TypeScript (not strict) does not narrow a boolean discriminant.
  return r.ok ? axesCalibration(r.x, r.y, r.detail, source) : { reason: `${r.detail}: ${(r as Extract<ScaleReading, { ok: false }>).reason}` };
}

/** Options of {@link readCalibrationReport} / {@link readCalibration}. */
export interface ReadCalibrationOptions {
  /** Page of a multi-page TIFF. Default: `NANOMORPH_STACK_SLICE` (`--stack-slice`), else the first page. */
  stackSlice?: number;
}

/** What a file's metadata says about its pixel size: a calibration, or null and why. */
export interface CalibrationReport {
  calibration: Calibration | null;
  /**
   * When `calibration` is null: why. "no calibration metadata …" when the file states none, else
   * which field is unusable and how (zero, NaN, negative, undefined unit, out of range).
   */
  reason: string | null;
}

const RASTER_SIDECAR_EXT = [".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp"];

/**
 * The pixel size stated in `file`'s own metadata, or null with the reason. Sources: microscope
 * formats (.dm3 .dm4 .ser/.emi .emd .mrc, see lib/data/formats), TIFF tags (FEI/Thermo, Zeiss,
 * DigitalMicrograph, OME-XML, ImageJ; lib/data/formats/tiff_calibration), then a JEOL/Hitachi `.txt`
 * sidecar beside a TIFF/JPEG/PNG/BMP (lib/data/formats/sidecar, `source` "sidecar"). The first source
 * that states a pixel size decides; an unusable value gives no calibration (never a guess from
 * another field). For a stack, the calibration is that of its slices (the same for all); a
 * multi-page TIFF is read at `opts.stackSlice`. Throws naming the file when it cannot be read.
 */
export async function readCalibrationReport(file: string, opts: ReadCalibrationOptions = {}): Promise<CalibrationReport> {
  const done = (c: CalibrationOrReason): CalibrationReport => ({ calibration: c.calibration ?? null, reason: c.reason ?? null });
  if (isMicroscopeFile(file)) {
    // stackSlice 0 + headerOnly: the pixel size is the same for every slice, and no samples are read
    const m = await readMicroscopeImage(file, { stackSlice: 0, headerOnly: true });
    return done(axesCalibration(m.x, m.y, m.detail));
  }
  const ext = path.extname(file).toLowerCase();
  let width: number | undefined;
  if (ext === ".tif" || ext === ".tiff") {
    const t = await readTiffScale(file, { stackSlice: opts.stackSlice ?? stackSliceFromEnv() });
    if (t.reading) return done(fromReading(t.reading, "file"));
    width = t.width;
  }
  if (RASTER_SIDECAR_EXT.includes(ext) && sidecarFile(file)) {
    const w = width ?? (await imageInfo(file)).width;
    const s = readSidecarScale(file, w);
    if (s) return done(fromReading(s, "sidecar"));
  }
  return { calibration: null, reason: `no calibration metadata in ${path.basename(file)}${ext === ".tif" || ext === ".tiff" ? " (no FEI, Zeiss, JEOL SightX, DigitalMicrograph, OME or ImageJ pixel size)" : ""} and no JEOL/Hitachi .txt sidecar` };
}

/**
 * The pixel size stated in `file`'s own metadata ({@link readCalibrationReport}), or null when it
 * states none or an unusable one. Throws naming the file when it cannot be read.
 */
export async function readCalibration(file: string, opts: ReadCalibrationOptions = {}): Promise<Calibration | null> {
  return (await readCalibrationReport(file, opts)).calibration;
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
  const f = opts.fallback ? await opts.fallback(file) : null;
  // a fallback (scale-bar OCR) outside the physical range is a misreading, not a pixel size
  return f && !nmPerPxProblem(f.nmPerPxX) && !nmPerPxProblem(f.nmPerPxY) ? f : null;
}

/** One-line text of a calibration: "0.2 × 1 nm/px (file: dm3 …; y 2 A, x 1 nm)". */
export function formatCalibration(c: Calibration | null): string {
  if (!c) return "none";
  const n = (v: number): string => Number(v.toPrecision(6)).toString();
  const px = c.nmPerPxX === c.nmPerPxY ? `${n(c.nmPerPxX)} nm/px` : `x ${n(c.nmPerPxX)}, y ${n(c.nmPerPxY)} nm/px`;
  const orig = c.original ? `; file says x ${n(c.original.x.value)} ${c.original.x.unit}, y ${n(c.original.y.value)} ${c.original.y.unit}` : "";
  return `${px} (${c.source}: ${c.detail}${orig})`;
}

/**
 * Where a calibration came from, in one short phrase for tables and logs: "file: <tag>",
 * "sidecar: <file and fields>", "scalebar: <label> (confidence 0.93)", "user: --nm-per-px", or "none"
 * (with `reason` when given).
 */
export function calibrationProvenance(c: Calibration | null, reason?: string | null): string {
  if (!c) return reason ? `none: ${reason}` : "none";
  const conf = c.source === "scalebar" ? ` (confidence ${Number(c.confidence.toFixed(2))})` : "";
  return `${c.source}: ${c.detail}${conf}`;
}

/** Columns naming a row's calibration (for CSV rows of particles, quantify): nm/px ("" when none), source and provenance. */
export interface CalibrationColumns {
  /** Mean nm per pixel (√(x·y)), "" when uncalibrated. */
  nmPerPx: number | "";
  /** file | sidecar | scalebar | user | none. */
  calibrationSource: CalibrationSource | "none";
  /** {@link calibrationProvenance}. */
  calibrationFrom: string;
}

/** {@link CalibrationColumns} of a calibration (null: uncalibrated, with `reason` when known). */
export function calibrationColumns(c: Calibration | null, reason?: string | null): CalibrationColumns {
  return { nmPerPx: c ? meanNmPerPx(c) : "", calibrationSource: c ? c.source : "none", calibrationFrom: calibrationProvenance(c, reason) };
}
