import * as fs from "fs";
import * as path from "path";
import { detectMicroscopeFormat } from "./formats/index";

/** First bytes of the image formats the loaders read, for naming what a file really holds. */
const MAGIC: Array<{ name: string; bytes: number[] }> = [
  { name: "PNG", bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: "JPEG", bytes: [0xff, 0xd8, 0xff] },
  { name: "TIFF", bytes: [0x49, 0x49, 0x2a, 0x00] },
  { name: "TIFF", bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { name: "GIF", bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: "BMP", bytes: [0x42, 0x4d] },
  { name: "WebP", bytes: [0x52, 0x49, 0x46, 0x46] },
];

/**
 * Why an image file could not be read, in words a user can act on: empty, contents of another format
 * than its extension says (renamed), a known format that fails to decode (truncated or corrupt), or
 * not an image at all. `decoderMessage` is the decoder's own error, kept at the end for detail.
 */
export function unreadableReason(file: string, decoderMessage: string): string {
  let head: Buffer;
  try {
    const st = fs.statSync(file);
    if (st.size === 0) return "empty file (0 bytes)";
    head = Buffer.alloc(Math.min(16, st.size));
    const fd = fs.openSync(file, "r");
    try { fs.readSync(fd, head, 0, head.length, 0); } finally { fs.closeSync(fd); }
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  // Microscope formats have readers that already say what the file holds (a spectrum, a stack, a cut file).
  if (detectMicroscopeFormat(file)) return decoderMessage;
  const ext = path.extname(file).slice(1).toUpperCase().replace(/^JPG$/, "JPEG").replace(/^TIF$/, "TIFF");
  const found = MAGIC.find((m) => m.bytes.every((b, i) => head[i] === b))?.name;
  if (!found) return `not an image file: its contents match no image format (a .${ext.toLowerCase()} name on another kind of file?) [${decoderMessage}]`;
  if (ext && found !== ext) return `holds ${found} data under a .${ext.toLowerCase()} name (renamed?) and could not be decoded [${decoderMessage}]`;
  return `${found} data that cannot be decoded (truncated or corrupt; copy or export it again) [${decoderMessage}]`;
}
