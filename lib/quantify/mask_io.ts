import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import type { Mask } from "../image/mask";
import { readMask as readBinaryMask, type MaskRule } from "../data/masks";
import { isImageFile } from "../data/folders";

/**
 * Reading and writing masks for quantification, at native resolution. Decoding and the foreground rule
 * are lib/data's (`readMask`, `MaskRule`): `auto` = the paper's colour rule (G ≠ B) when the file has
 * colour, else nonzero (binary PNGs, 8/16-bit label maps); `half` for JPEG-compressed binary masks.
 */
export type { MaskRule } from "../data/masks";

/** Decode a mask file at its native size with a foreground rule (default "auto"). Throws naming the file. */
export async function readMaskFile(file: string, rule: MaskRule = "auto"): Promise<Mask> {
  return readBinaryMask(file, undefined, rule);
}

/** Encode a mask as an 8-bit gray PNG (255 = foreground). */
export async function encodeMaskPng(m: Mask): Promise<Buffer> {
  const buf = Buffer.alloc(m.width * m.height);
  for (let i = 0; i < buf.length; i++) buf[i] = m.data[i] ? 255 : 0;
  return sharp(buf, { raw: { width: m.width, height: m.height, channels: 1 } }).toColourspace("b-w").png().toBuffer();
}

/** Mask files in a folder (image extensions only, natural sort by name). Throws when the folder is missing or empty. */
export function listMaskFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`listMaskFiles: ${dir} is not a folder`);
  const files = fs.readdirSync(dir)
    .filter((f) => isImageFile(f))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((f) => path.join(dir, f));
  if (!files.length) throw new Error(`listMaskFiles: no image files in ${dir}`);
  return files;
}
