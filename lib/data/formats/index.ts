/**
 * Microscope file formats: one reader per format, chosen by the file's magic bytes and then its
 * extension. `readMicroscopeImage` returns the native samples and the per-axis pixel size; decoding to
 * 8/16-bit for the loaders is lib/data/decode.ts's job, nm conversion lib/data/calibration.ts's.
 */
import * as fs from "fs";
import * as path from "path";
import { readDm } from "./dm";
import { readEmd } from "./emd";
import { readMrc } from "./mrc";
import { readSer } from "./tia";
import { FormatError, MicroscopeImage, ReadImageOptions } from "./types";

export * from "./types";
export { readSidecarScale, sidecarFile } from "./sidecar";
export { readDm, readDmTags } from "./dm";
export { readSer, serFileFor } from "./tia";
export { readEmd } from "./emd";
export { readMrc } from "./mrc";
export { readTiffScale } from "./tiff_calibration";
export type { TiffScale, TiffScaleResult } from "./tiff_calibration";

/** Extensions of the microscope formats read here (lower-case, with the dot). `.emi` reads its `_1.ser`. */
export const MICROSCOPE_EXTENSIONS: readonly string[] = [".dm3", ".dm4", ".ser", ".emi", ".emd", ".mrc"];

/** A microscope format this module reads. */
export type MicroscopeFormat = "dm" | "ser" | "emd" | "mrc";

const BY_EXT: Record<string, MicroscopeFormat> = { ".dm3": "dm", ".dm4": "dm", ".ser": "ser", ".emi": "ser", ".emd": "emd", ".mrc": "mrc" };

/**
 * The microscope format of `file`: by magic bytes when they are unambiguous (DM version 3/4 header,
 * SER 0x4949/0x0197, HDF5 signature), else by extension; null for anything else (JPEG, PNG, TIFF...).
 * Never throws for a missing file (returns the extension's format, so the reader reports it).
 */
export function detectMicroscopeFormat(file: string): MicroscopeFormat | null {
  const ext = path.extname(file).toLowerCase();
  const byExt = BY_EXT[ext] ?? null;
  if (ext === ".emi") return "ser"; // the .emi itself is an OLE container; the pixels are in its .ser
  let head: Buffer;
  try {
    const fd = fs.openSync(file, "r");
    head = Buffer.alloc(16);
    try { fs.readSync(fd, head, 0, 16, 0); } finally { fs.closeSync(fd); }
  } catch {
    return byExt;
  }
  if (head.readUInt16LE(0) === 0x4949 && head.readUInt16LE(2) === 0x0197) return "ser";
  if (head.toString("latin1", 0, 8) === "\x89HDF\r\n\x1a\n") return byExt === "emd" ? "emd" : byExt;
  const v = head.readUInt32BE(0);
  if ((v === 3 || v === 4) && byExt !== "mrc") return "dm";
  return byExt;
}

/** True when `file` has one of {@link MICROSCOPE_EXTENSIONS} (case-insensitive). */
export function isMicroscopeFile(file: string): boolean {
  return MICROSCOPE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/**
 * Read one 2-D image of a microscope file (.dm3 .dm4 .ser .emi .emd .mrc) with its per-axis pixel
 * size. A stack needs `opts.stackSlice`. Throws {@link FormatError} naming the file and what it holds
 * (a spectrum, a 4-D dataset, a stack, truncated data) when it is not one readable 2-D image.
 */
export async function readMicroscopeImage(file: string, opts: ReadImageOptions = {}): Promise<MicroscopeImage> {
  if (!fs.existsSync(file)) throw new FormatError(file, "no such file");
  const f = detectMicroscopeFormat(file);
  switch (f) {
    case "dm": return readDm(file, opts);
    case "ser": return readSer(file, opts);
    case "emd": return readEmd(file, opts);
    case "mrc": return readMrc(file, opts);
    default: throw new FormatError(file, `not a microscope file this reader knows (${MICROSCOPE_EXTENSIONS.join(" ")})`);
  }
}
