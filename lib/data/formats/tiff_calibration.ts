/**
 * Pixel size from the metadata tags of a TIFF micrograph, read with the `geotiff` package's tag
 * parser (first image directory). Sources, most specific first:
 *  - FEI/Thermo SEM/FIB: tag 34682 (FEI_HELIOS) or 34680 (FEI_SFEG), INI text; `[Scan]` (or `[EScan]`)
 *    `PixelWidth`/`PixelHeight` in metres.
 *  - Zeiss SEM: tag 34118 (CZ_SEM), CR/LF-separated text with a line `Image Pixel Size = 3.5 nm`
 *    (square pixels).
 *  - OME-TIFF: ImageDescription XML, first `<Pixels PhysicalSizeX=… PhysicalSizeXUnit=…>` (unit default µm).
 *  - ImageJ: ImageDescription `ImageJ=…` with `unit=` (and optional `yunit=`); pixel size =
 *    1 / XResolution (YResolution) in that unit.
 * Plain TIFF XResolution with a cm/inch ResolutionUnit is not used: microscopes leave it at 72 dpi.
 */
import { fromFile } from "geotiff";
import { AxisScale, FormatError } from "./types";

/** Pixel size found in a TIFF's tags. */
export interface TiffScale {
  x: AxisScale;
  y: AxisScale;
  /** Which tag it came from, e.g. "TIFF FEI_HELIOS tag 34682 [Scan] PixelWidth/PixelHeight (m)". */
  detail: string;
}

/** TIFF tag numbers read here. */
export const TIFF_TAGS = { imageDescription: 270, xResolution: 282, yResolution: 283, feiSfeg: 34680, feiHelios: 34682, czSem: 34118 } as const;

type Dir = Awaited<ReturnType<Awaited<ReturnType<Awaited<ReturnType<typeof fromFile>>["getImage"]>>["getFileDirectory"]>>;

async function tag(d: Dir, id: number): Promise<unknown> {
  if (d.actualizedFields.has(id)) return d.actualizedFields.get(id);
  if (d.deferredFields.has(id) || d.deferredArrays.has(id)) return d.loadValue(id);
  return undefined;
}

/** geotiff decodes ASCII tags byte by byte; undo that for UTF-8 text ("Âµm" → "µm"). */
function utf8(s: string): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/\u0000+$/, "");
  return /[\u00c2-\u00f4][\u0080-\u00bf]/.test(t) ? Buffer.from(t, "latin1").toString("utf8") : t;
}

function text(v: unknown): string | null {
  if (typeof v === "string") return utf8(v);
  if (Array.isArray(v) && v.every((c) => typeof c === "string")) return utf8(v.join(""));
  return null;
}

function axis(scale: number, unit: string): AxisScale {
  return { scale, unit, origin: 0 };
}

/** `[section] key=value` pairs of INI text, keys as `section/key`. */
export function parseIni(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  for (const raw of s.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^\[(.+)\]$/.exec(line);
    if (m) { section = m[1].trim(); continue; }
    const eq = line.indexOf("=");
    if (eq > 0) out.set(`${section}/${line.slice(0, eq).trim()}`, line.slice(eq + 1).trim());
  }
  return out;
}

/** FEI/Thermo INI metadata → pixel size, or null when it has none. */
export function feiScale(ini: string, tagName: string): TiffScale | null {
  const kv = parseIni(ini);
  for (const sec of ["Scan", "EScan"]) {
    const w = Number(kv.get(`${sec}/PixelWidth`));
    const h = Number(kv.get(`${sec}/PixelHeight`) ?? kv.get(`${sec}/PixelWidth`));
    if (w > 0 && h > 0) return { x: axis(w, "m"), y: axis(h, "m"), detail: `TIFF ${tagName} [${sec}] PixelWidth/PixelHeight (m)` };
  }
  return null;
}

/** Zeiss CZ_SEM text → pixel size, or null when it has no "Image Pixel Size" line. */
export function zeissScale(s: string): TiffScale | null {
  const m = /Image Pixel Size\s*=\s*([-+0-9.eE]+)\s*([^\s\r\n]+)/.exec(s);
  if (!m) return null;
  const v = Number(m[1]);
  if (!(v > 0)) return null;
  return { x: axis(v, m[2]), y: axis(v, m[2]), detail: "TIFF Zeiss CZ_SEM tag 34118 'Image Pixel Size'" };
}

/** OME-XML → pixel size of the first Pixels element, or null when it states none. */
export function omeScale(xml: string): TiffScale | null {
  const m = /<(?:\w+:)?Pixels\b([^>]*)>/.exec(xml);
  if (!m) return null;
  const attr = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(m[1])?.[1];
  const x = Number(attr("PhysicalSizeX"));
  const y = Number(attr("PhysicalSizeY") ?? attr("PhysicalSizeX"));
  if (!(x > 0 && y > 0)) return null;
  // the OME schema's default unit for PhysicalSize* is µm
  const ux = attr("PhysicalSizeXUnit") ?? "µm";
  const uy = attr("PhysicalSizeYUnit") ?? ux;
  return { x: axis(x, ux), y: axis(y, uy), detail: "TIFF OME-XML Pixels PhysicalSizeX/Y" };
}

function rational(v: unknown): number {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && "0" in (v as Record<string, number>)) {
    const r = v as Record<string, number>;
    return r[1] ? r[0] / r[1] : NaN;
  }
  return NaN;
}

/** ImageJ's unit spellings: "micron", "\u00B5m" written as an escape, "um". */
function imagejUnit(u: string): string {
  const t = u.replace(/\\u00[bB]5/g, "µ").trim();
  return t === "micron" || t === "microns" ? "µm" : t;
}

/** ImageJ description + resolution rationals (pixels per unit) → pixel size, or null. */
export function imagejScale(desc: string, xres: unknown, yres: unknown): TiffScale | null {
  const kv = new Map(desc.split(/\r?\n/).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as [string, string]).filter(([k]) => k));
  const unit = kv.get("unit");
  if (!unit || unit === "pixel" || unit === "pixels") return null;
  const rx = rational(xres), ry = rational(yres ?? xres);
  if (!(rx > 0 && ry > 0)) return null;
  return { x: axis(1 / rx, imagejUnit(unit)), y: axis(1 / ry, imagejUnit(kv.get("yunit") ?? unit)), detail: "TIFF ImageJ unit + 1/XResolution, 1/YResolution" };
}

/**
 * Pixel size stated in a TIFF file's tags (see the module comment for the order), or null when the
 * file states none. Throws {@link FormatError} naming the file when it is not a readable TIFF.
 */
export async function readTiffScale(file: string): Promise<TiffScale | null> {
  let t: Awaited<ReturnType<typeof fromFile>>;
  try {
    t = await fromFile(file);
  } catch (e) {
    throw new FormatError(file, `cannot read TIFF tags: ${(e as Error).message}`);
  }
  try {
    return await scaleFromDirectory(await t.getImage(0).then((im) => im.getFileDirectory()));
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(file, `cannot read TIFF tags: ${(e as Error).message}`);
  } finally {
    await t.close();
  }
}

async function scaleFromDirectory(d: Dir): Promise<TiffScale | null> {
  for (const [id, name] of [[TIFF_TAGS.feiHelios, "FEI_HELIOS tag 34682"], [TIFF_TAGS.feiSfeg, "FEI_SFEG tag 34680"]] as const) {
    const s = text(await tag(d, id));
    const r = s ? feiScale(s, name) : null;
    if (r) return r;
  }
  const cz = text(await tag(d, TIFF_TAGS.czSem));
  const z = cz ? zeissScale(cz) : null;
  if (z) return z;
  const desc = text(await tag(d, TIFF_TAGS.imageDescription));
  if (desc && /<(\w+:)?OME\b/.test(desc)) return omeScale(desc);
  if (desc && desc.startsWith("ImageJ=")) return imagejScale(desc, await tag(d, TIFF_TAGS.xResolution), await tag(d, TIFF_TAGS.yResolution));
  return null;
}
