/**
 * Pixel size from the metadata tags of a TIFF micrograph (tags read by ./tiff_ifd). Sources in the
 * order HyperSpy 1.7.3's TIFF reader tries them (the first one present decides; a source that is
 * present but unusable is reported as such, never skipped for a guess from another field):
 *  - FEI/Thermo SEM/FIB: tag 34682 (FEI_HELIOS) or 34680 (FEI_SFEG), INI text (./tiff_sem_text).
 *  - Zeiss SEM: tag 34118 (CZ_SEM) text, with HyperSpy's 1024/width rescaling (./tiff_sem_text).
 *  - JEOL SightX TEM TIFF: Make "JEOL Ltd." + XML description, resolution / magnification (./tiff_jeol_sightx).
 *  - DigitalMicrograph-saved TIFF: private tags 65003/65004 (x/y unit text), 65009/65010 (x/y scale,
 *    double), as HyperSpy maps them (its `_add_axes_digital_micrograph`; x = image columns).
 *  - OME-TIFF: ImageDescription XML, first `<Pixels PhysicalSizeX=… PhysicalSizeXUnit=…>` (unit
 *    default µm, the OME schema's). HyperSpy does not read OME sizes; tifffile's parse is the check.
 *  - ImageJ: ImageDescription `ImageJ=…` with `unit=` (and optional `yunit=`); pixel size =
 *    1 / XResolution (YResolution) in that unit. HyperSpy 1.7.3 names the unit only for "micron"
 *    (others stay `<undefined>` there); the unit ImageJ wrote is used here.
 * Plain TIFF XResolution with a cm/inch ResolutionUnit is not used: microscopes leave it at 72 dpi
 * (HyperSpy reads it only when forced).
 * A multi-page TIFF is read at page `stackSlice` (default the first page); a page without its own
 * calibration tags takes page 0's, as HyperSpy calibrates a whole series from its first page.
 */
import { openTiffTags, TiffDirectory } from "./tiff_ifd";
import { feiScale, zeissScale } from "./tiff_sem_text";
import { jeolSightXScale } from "./tiff_jeol_sightx";
import { FormatError, ScaleReading, pickSlice, unusableReading } from "./types";

export { parseIni, feiScale, zeissScale, parseZeissText } from "./tiff_sem_text";

/** A usable TIFF pixel size (kept for callers of the earlier API). */
export type TiffScale = Extract<ScaleReading, { ok: true }>;

/** TIFF tag numbers read here. */
export const TIFF_TAGS = {
  imageWidth: 256, imageDescription: 270, make: 271, xResolution: 282, yResolution: 283, resolutionUnit: 296,
  feiSfeg: 34680, feiHelios: 34682, czSem: 34118,
  dmXUnit: 65003, dmYUnit: 65004, dmXScale: 65009, dmYScale: 65010,
} as const;

/** OME-XML → pixel size of the first Pixels element, or null when it states none. */
export function omeScale(xml: string): ScaleReading | null {
  const m = /<(?:\w+:)?Pixels\b([^>]*)>/.exec(xml);
  if (!m) return null;
  const attr = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(m[1])?.[1];
  const sx = attr("PhysicalSizeX");
  if (sx === undefined) return null;
  const sy = attr("PhysicalSizeY") ?? sx;
  // the OME schema's default unit for PhysicalSize* is µm
  const ux = attr("PhysicalSizeXUnit") ?? "µm";
  const uy = attr("PhysicalSizeYUnit") ?? ux;
  return { ok: true, x: { scale: Number(sx), unit: ux, origin: 0 }, y: { scale: Number(sy), unit: uy, origin: 0 }, detail: "TIFF OME-XML Pixels PhysicalSizeX/Y" };
}

/** ImageJ's unit spellings: "micron", "\u00B5m" written as an escape, "um". */
function imagejUnit(u: string): string {
  const t = u.replace(/\\u00[bB]5/g, "µ").trim();
  return t === "micron" || t === "microns" ? "µm" : t;
}

/**
 * ImageJ description + resolutions (pixels per unit, as numbers) → pixel size, or null when the
 * description names no length unit ("pixel" or none).
 */
export function imagejScale(desc: string, xres: number | undefined, yres: number | undefined): ScaleReading | null {
  const kv = new Map(desc.split(/\r?\n/).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]).filter(([k]) => k));
  const unit = kv.get("unit");
  if (!unit || unit === "pixel" || unit === "pixels") return null;
  const rx = xres ?? NaN, ry = yres ?? rx;
  return { ok: true, x: { scale: 1 / rx, unit: imagejUnit(unit), origin: 0 }, y: { scale: 1 / ry, unit: imagejUnit(kv.get("yunit") ?? unit), origin: 0 }, detail: "TIFF ImageJ unit + 1/XResolution, 1/YResolution" };
}

/** DigitalMicrograph's private tags → pixel size, or null when the page has none of them. */
export function dmTagScale(d: TiffDirectory): ScaleReading | null {
  const t = TIFF_TAGS;
  const ux = d.text(t.dmXUnit), uy = d.text(t.dmYUnit), sx = d.number(t.dmXScale), sy = d.number(t.dmYScale);
  if (ux === undefined && uy === undefined && sx === undefined && sy === undefined) return null;
  const detail = "TIFF DigitalMicrograph tags 65009/65010 (scale), 65003/65004 (unit)";
  if (sx === undefined || sy === undefined) return unusableReading(detail, `the DigitalMicrograph tags state no ${sx === undefined ? "x (65009)" : "y (65010)"} scale`);
  return { ok: true, x: { scale: sx, unit: ux ?? "", origin: 0 }, y: { scale: sy, unit: uy ?? "", origin: 0 }, detail };
}

/** The pixel size stated by one page's tags, or null when it states none. */
export function scaleFromDirectory(d: TiffDirectory, width: number): ScaleReading | null {
  const t = TIFF_TAGS;
  for (const [id, name] of [[t.feiHelios, "FEI_HELIOS tag 34682"], [t.feiSfeg, "FEI_SFEG tag 34680"]] as const) {
    const s = d.text(id);
    if (s !== undefined && s.trim()) return feiScale(s, name);
  }
  const cz = d.text(t.czSem);
  const z = cz ? zeissScale(cz, width) : null;
  if (z) return z;
  const desc = d.text(t.imageDescription);
  const sightx = jeolSightXScale(d.text(t.make), desc, d.number(t.xResolution), d.number(t.yResolution), d.number(t.resolutionUnit));
  if (sightx) return sightx;
  const dm = dmTagScale(d);
  if (dm) return dm;
  if (desc && /<(\w+:)?OME\b/.test(desc)) return omeScale(desc);
  if (desc && desc.startsWith("ImageJ=")) return imagejScale(desc, d.number(t.xResolution), d.number(t.yResolution));
  return null;
}

/** Options of {@link readTiffScale}. */
export interface TiffScaleOptions {
  /** Page of a multi-page TIFF (0-based). Default: the first page. Ignored for a single-page TIFF. */
  stackSlice?: number;
}

/** What {@link readTiffScale} found: the reading (null: none stated) and the file's page facts. */
export interface TiffScaleResult {
  reading: ScaleReading | null;
  /** Pages in the file. */
  pages: number;
  /** The page whose tags were read. */
  page: number;
  /** Width in pixels of the page read. */
  width: number;
}

/**
 * Pixel size stated in a TIFF file's tags (see the module comment for the order and the page rule).
 * Throws {@link FormatError} naming the file when it is not a readable TIFF, and naming
 * `--stack-slice` for a page out of range.
 */
export async function readTiffScale(file: string, opts: TiffScaleOptions = {}): Promise<TiffScaleResult> {
  const tags = openTiffTags(file);
  try {
    const page = opts.stackSlice === undefined ? 0 : pickSlice(file, tags.pages, "TIFF pages", opts);
    const d = tags.directory(page);
    const width = d.number(TIFF_TAGS.imageWidth);
    if (!(width && width > 0)) throw new FormatError(file, `cannot read TIFF tags: page ${page} has no ImageWidth`);
    let reading = scaleFromDirectory(d, width);
    if (!reading && page !== 0) {
      const d0 = tags.directory(0);
      reading = scaleFromDirectory(d0, d0.number(TIFF_TAGS.imageWidth) ?? width);
      if (reading) reading = { ...reading, detail: `${reading.detail} (page 0's tags)` };
    }
    if (reading && tags.pages > 1) reading = { ...reading, detail: `${reading.detail}, page ${page} of ${tags.pages}` };
    return { reading, pages: tags.pages, page, width };
  } finally {
    tags.close();
  }
}
