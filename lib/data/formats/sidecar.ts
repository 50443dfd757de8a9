/**
 * Pixel size from the text file JEOL and Hitachi SEMs save beside each image (same name, `.txt`):
 * the image itself (TIFF, JPEG, BMP) carries no calibration. HyperSpy 1.7.3 reads neither, so the
 * rules follow the layouts documented by other readers:
 *  - JEOL (PC-SEM): `$KEY value` lines (`$` or `$$` prefix). `$$SM_MICRON_BAR` is the length of
 *    the instrument's scale bar in pixels and `$$SM_MICRON_MARKER` its label (e.g. `5um`, `500nm`),
 *    so pixel size = marker / bar. The bar is counted in pixels of the scan raster `$CM_FULL_SIZE
 *    W H`; an image saved at another width (PC-SEM exports below 1024 px) is rescaled by
 *    W / image width. Source: the EM-tool ImageJ macros (Monash Centre for Electron Microscopy,
 *    SEM_JEOL_Scale.ijm) for the two fields, and the JSM_ScaleBar ImageJ plugin (J. Korhonen, 2014)
 *    for the rescaling. A marker in degrees (`…deg.`, an electron channelling pattern) is no length.
 *  - Hitachi: INI text with a `[SemImageFile]` (or `[TemImageFile]`) section whose `PixelSize=` is
 *    the pixel size in nm (Bio-Formats' HitachiReader, FAIRmat pynxtools-em's Hitachi parser, the
 *    EM-tool SEM_Hitachi_Scale.ijm macro). `DataSize=W×H` names the image the pixel size belongs
 *    to; no source documents a rescaling, so an image of another width gets no calibration (with
 *    that reason) rather than a guess.
 * Values are returned as written; lib/data/calibration.ts judges them (positive, length unit, range).
 */
import * as fs from "fs";
import * as path from "path";
import { bytesToText } from "./tiff_ifd";
import { ScaleReading, squareReading, unusableReading } from "./types";

/** Sidecars larger than this are not metadata files (the instruments write a few kilobytes). */
const MAX_SIDECAR_BYTES = 1 << 20;

/** The `.txt` (or `.TXT`) file beside `imageFile` with the same stem, or null when there is none. */
export function sidecarFile(imageFile: string): string | null {
  const stem = path.join(path.dirname(imageFile), path.basename(imageFile, path.extname(imageFile)));
  if (path.extname(imageFile).toLowerCase() === ".txt") return null;
  for (const ext of [".txt", ".TXT", ".Txt"]) {
    const f = stem + ext;
    try {
      if (fs.statSync(f).isFile()) return f;
    } catch {
      // absent: try the next spelling
    }
  }
  return null;
}

/** Text of a sidecar's bytes: UTF-16 with a byte-order mark, else UTF-8 when valid, else Latin-1. */
export function sidecarText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return Buffer.from(buf.subarray(2)).swap16().toString("utf16le");
  return bytesToText(buf);
}

/** JEOL `$KEY value` / `$$KEY value` lines → KEY (without the `$`s) → value. */
export function parseJeolText(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of s.split(/\r\n|\r|\n/)) {
    const m = /^\s*\$+([A-Za-z0-9_]+)\s*(.*?)\s*$/.exec(line);
    if (m && !out.has(m[1])) out.set(m[1], m[2]);
  }
  return out;
}

/** JEOL sidecar text → pixel size of an image `width` px wide, or null when it has no micron bar. */
export function jeolScale(s: string, width: number, name: string): ScaleReading | null {
  const kv = parseJeolText(s);
  const bar = kv.get("SM_MICRON_BAR"), marker = kv.get("SM_MICRON_MARKER");
  if (bar === undefined && marker === undefined) return null;
  const detail = `JEOL sidecar ${name} $$SM_MICRON_MARKER / $$SM_MICRON_BAR`;
  if (bar === undefined || marker === undefined) return unusableReading(detail, `the sidecar has ${bar === undefined ? "no $$SM_MICRON_BAR" : "no $$SM_MICRON_MARKER"}`);
  if (/deg/i.test(marker)) return unusableReading(detail, `$$SM_MICRON_MARKER '${marker}' is an angle (channelling pattern), not a length`);
  const m = /^([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(\S*)$/.exec(marker.trim());
  if (!m) return unusableReading(detail, `$$SM_MICRON_MARKER '${marker}' is not a number with a unit`);
  const full = /^(\d+)\s+(\d+)/.exec(kv.get("CM_FULL_SIZE") ?? "");
  const fullWidth = full ? Number(full[1]) : width;
  const px = Number(m[1]) / Number(bar);
  if (fullWidth === width) return squareReading(px, m[2], `${detail} (${m[1]} ${m[2]} = ${bar} px)`);
  return squareReading(px * (fullWidth / width), m[2], `${detail} (${m[1]} ${m[2]} = ${bar} px of a ${fullWidth}-px scan, × ${fullWidth}/${width} px)`);
}

/** Hitachi sidecar text → pixel size of an image `width` px wide, or null when it is not Hitachi's layout or has no PixelSize. */
export function hitachiScale(s: string, width: number, name: string): ScaleReading | null {
  const lines = s.split(/\r\n|\r|\n/).map((l) => l.trim());
  const start = lines.findIndex((l) => l === "[SemImageFile]" || l === "[TemImageFile]");
  if (start < 0) return null;
  const kv = new Map<string, string>();
  for (const l of lines.slice(start + 1)) {
    if (/^\[.*\]$/.test(l)) break;
    const eq = l.indexOf("=");
    if (eq > 0 && !kv.has(l.slice(0, eq).trim())) kv.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
  }
  const v = kv.get("PixelSize");
  if (v === undefined) return null;
  const detail = `Hitachi sidecar ${name} [${lines[start].slice(1, -1)}] PixelSize`;
  const m = /^([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(\S*)$/.exec(v);
  if (!m) return unusableReading(detail, `PixelSize '${v}' is not a number`);
  const size = /^(\d+)\s*[xX*×]\s*(\d+)/.exec(kv.get("DataSize") ?? "");
  if (size && Number(size[1]) !== width) {
    return unusableReading(detail, `PixelSize belongs to a ${size[1]}-px-wide image (DataSize=${kv.get("DataSize")}) but this image is ${width} px wide (resized or cropped; no rule says how)`);
  }
  return squareReading(Number(m[1]), m[2] || "nm", `${detail} (${m[2] ? m[2] : "nm"})`);
}

/**
 * Pixel size from the sidecar of `imageFile` (an image `width` px wide): JEOL, then Hitachi layout.
 * Null when there is no sidecar or it states no pixel size. Throws naming the sidecar when it cannot
 * be read.
 */
export function readSidecarScale(imageFile: string, width: number): ScaleReading | null {
  const f = sidecarFile(imageFile);
  if (!f) return null;
  let buf: Buffer;
  try {
    const st = fs.statSync(f);
    if (st.size > MAX_SIDECAR_BYTES) return null;
    buf = fs.readFileSync(f);
  } catch (e) {
    throw new Error(`${f}: cannot read the image's metadata sidecar: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = sidecarText(buf);
  const name = path.basename(f);
  return jeolScale(text, width, name) ?? hitachiScale(text, width, name);
}
