/**
 * Pixel size from the text metadata SEM/FIB vendors put in private TIFF tags. Values are returned as
 * the text states them (no range or sign checks: lib/data/calibration.ts judges them and says why a
 * value is unusable).
 *  - FEI/Thermo (tag 34682 FEI_HELIOS, 34680 FEI_SFEG): INI text. `[Scan] PixelWidth/PixelHeight` in
 *    metres, as HyperSpy 1.7.3 reads it; then `[EScan]` (the electron-beam scan section the same
 *    software writes beside `[Scan]` with the same values; HyperSpy does not read it); then HyperSpy's
 *    fallback for navigation-camera images, `[IRBeam] HFW / [Image] ResolutionX` (VFW / ResolutionY).
 *  - Zeiss SmartSEM (tag 34118 CZ_SEM): CR/LF lines, parameter codes in capitals (`AP_PIXEL_SIZE`)
 *    each followed by a `Label = value unit` line, after an unnamed block of numbers.
 *    `Image Pixel Size` is the saved image's own pixel size and is used as is. Without it, the pixel
 *    size refers to a 1024-pixel-wide scan, so it is rescaled by 1024 / image width exactly as
 *    HyperSpy 1.7.3 does (its `_axes_zeiss`): from `Pixel Size`, else from the 4th unnamed number
 *    (metres), which is the one HyperSpy reads. E.g. a 512-px image with `Pixel Size = 5.825 nm` has
 *    11.65 nm pixels (its `Width = 5.965 µm` field of view / 512 px agrees).
 */
import { ScaleReading, squareReading, unusableReading } from "./types";

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

/** A number as FEI/Zeiss text writes it ("1.2e-009", "5.000000e+004"); NaN for anything else (empty, "n/a"). */
function num(s: string | undefined): number {
  return s === undefined || s.trim() === "" ? NaN : Number(s.trim());
}

/**
 * FEI/Thermo INI metadata → pixel size (see the module comment for the order), or an unusable reading
 * naming what is missing when the INI states no pixel size. `tagName` names the tag in `detail`.
 */
export function feiScale(ini: string, tagName: string): ScaleReading {
  const kv = parseIni(ini);
  for (const sec of ["Scan", "EScan"]) {
    const w = kv.get(`${sec}/PixelWidth`);
    if (w === undefined) continue;
    const h = kv.get(`${sec}/PixelHeight`) ?? w;
    return { ok: true, x: { scale: num(w), unit: "m", origin: 0 }, y: { scale: num(h), unit: "m", origin: 0 }, detail: `TIFF ${tagName} [${sec}] PixelWidth/PixelHeight (m)` };
  }
  const hfw = kv.get("IRBeam/HFW"), rx = kv.get("Image/ResolutionX");
  if (hfw !== undefined && rx !== undefined) {
    const vfw = kv.get("IRBeam/VFW"), ry = kv.get("Image/ResolutionY");
    const x = num(hfw) / num(rx);
    const y = vfw !== undefined && ry !== undefined ? num(vfw) / num(ry) : x;
    return { ok: true, x: { scale: x, unit: "m", origin: 0 }, y: { scale: y, unit: "m", origin: 0 }, detail: `TIFF ${tagName} [IRBeam] HFW/[Image] ResolutionX (m)` };
  }
  return unusableReading(`TIFF ${tagName}`, "FEI metadata states no pixel size ([Scan]/[EScan] PixelWidth and [IRBeam] HFW absent)");
}

/** Zeiss CZ_SEM text split the way the format is laid out: the unnamed numbers, and `Label` → [value, unit]. */
export function parseZeissText(s: string): { unnamed: string[]; fields: Map<string, [string, string]> } {
  const unnamed: string[] = [];
  const fields = new Map<string, [string, string]>();
  let code: string | null = null;
  for (const line of s.split(/\r\n|\r|\n/)) {
    // a parameter code line (AP_PIXEL_SIZE, DP_IMAGE_STORE): letters all capitals, as tifffile's reader decides
    if (/[A-Z]/.test(line) && !/[a-z\u00b5]/.test(line)) { code = line.trim(); continue; }
    if (code) {
      const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
      if (m) {
        const v = m[2].trim();
        const vu = /^([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*(\S*)$/.exec(v);
        if (!fields.has(m[1].trim())) fields.set(m[1].trim(), vu ? [vu[1], vu[2]] : [v, ""]);
      }
      code = null;
    } else {
      unnamed.push(line.trim());
    }
  }
  return { unnamed, fields };
}

/**
 * Zeiss CZ_SEM text → pixel size of an image `width` pixels wide (see the module comment), or null
 * when the text holds none of the fields used.
 */
export function zeissScale(s: string, width: number): ScaleReading | null {
  const { unnamed, fields } = parseZeissText(s);
  const tag = "TIFF Zeiss CZ_SEM tag 34118";
  const image = fields.get("Image Pixel Size");
  if (image) return squareReading(num(image[0]), image[1], `${tag} 'Image Pixel Size'`);
  const rescale = 1024 / width;
  const px = fields.get("Pixel Size");
  if (px) return squareReading(num(px[0]) * rescale, px[1], `${tag} 'Pixel Size' × 1024/${width} px (HyperSpy's rescaling)`);
  if (unnamed.length > 3) return squareReading(num(unnamed[3]) * rescale, "m", `${tag} unnamed value 4 (m) × 1024/${width} px (HyperSpy's rescaling)`);
  return null;
}
