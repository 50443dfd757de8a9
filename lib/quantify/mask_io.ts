import * as fs from "fs";
import * as path from "path";
import sharp, { type Metadata } from "sharp";
import type { Mask } from "./mask";

/**
 * Reading masks from image files at their native resolution.
 *
 * Formats (`MaskFormat`):
 * - `binary`: gray or RGB, foreground where the (first-channel) value is > 127 (8-bit) or nonzero (16-bit);
 * - `colour`: the paper's colour annotation, foreground where G ≠ B (authors' rule);
 * - `label`: instance/label map (8- or 16-bit), foreground where nonzero;
 * - `auto` (default): 16-bit → label; an image whose channels differ anywhere → colour; else binary.
 */
export type MaskFormat = "auto" | "binary" | "colour" | "label";

/** Image extensions treated as masks when listing a folder. */
export const MASK_EXTENSIONS = [".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg", ".gif", ".webp"];

/** Decode a mask file. Throws naming the file when it cannot be read or the format is unknown. */
export async function readMask(file: string, format: MaskFormat = "auto"): Promise<Mask> {
  if (!["auto", "binary", "colour", "label"].includes(format)) throw new Error(`readMask: unknown format '${format}' for ${file}`);
  let meta: Metadata;
  try {
    meta = await sharp(file).metadata();
  } catch (e) {
    throw new Error(`readMask: cannot decode ${file}: ${(e as Error).message}`);
  }
  const wide = meta.depth === "ushort";
  // Keep the stored colour space: without toColourspace sharp hands back sRGB (16-bit gray would become
  // 3 channels and 8-bit values).
  const colour = (meta.channels ?? 1) >= 3;
  const space = wide ? (colour ? "rgb16" : "grey16") : colour ? "srgb" : "b-w";
  const { data, info } = await sharp(file).toColourspace(space).raw({ depth: wide ? "ushort" : "uchar" })
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels, w = info.width, h = info.height;
  const px: ArrayLike<number> = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
  let fmt: MaskFormat = format;
  if (fmt === "auto") {
    if (wide) fmt = "label";
    else if (ch >= 3 && hasColour(px, ch, w * h)) fmt = "colour";
    else fmt = "binary";
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const v = px[i * ch];
    if (fmt === "colour") {
      if (ch < 3) throw new Error(`readMask: ${file} has ${ch} channel(s); the colour format needs RGB`);
      out[i] = px[i * ch + 1] !== px[i * ch + 2] ? 1 : 0;
    } else if (fmt === "label") out[i] = v !== 0 ? 1 : 0;
    else out[i] = wide ? (v !== 0 ? 1 : 0) : v > 127 ? 1 : 0;
  }
  return { width: w, height: h, data: out };
}

function hasColour(px: ArrayLike<number>, ch: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const r = px[i * ch], g = px[i * ch + 1], b = px[i * ch + 2];
    if (r !== g || g !== b) return true;
  }
  return false;
}

/** Write a mask as an 8-bit gray PNG (255 = foreground). Returns the encoded bytes. */
export async function encodeMaskPng(m: Mask): Promise<Buffer> {
  const buf = Buffer.alloc(m.width * m.height);
  for (let i = 0; i < buf.length; i++) buf[i] = m.data[i] ? 255 : 0;
  return sharp(buf, { raw: { width: m.width, height: m.height, channels: 1 } }).toColourspace("b-w").png().toBuffer();
}

/** Mask files in a folder (sorted by name, image extensions only). Throws when the folder is missing or empty. */
export function listMaskFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`listMaskFiles: ${dir} is not a folder`);
  const files = fs.readdirSync(dir)
    .filter((f) => MASK_EXTENSIONS.includes(path.extname(f).toLowerCase()))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((f) => path.join(dir, f));
  if (!files.length) throw new Error(`listMaskFiles: no image files in ${dir}`);
  return files;
}
