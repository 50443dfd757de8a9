/**
 * Images from MRC / CCP4 files (.mrc, MRC2014 and the older layout without the "MAP " id), written
 * from the published header layout: 1024-byte header of 4-byte words, `nx ny nz mode` at words 0–3,
 * `mx my mz` (sampling) at 7–9, `cella` (cell size in Å, float) at 10–12, `nsymbt` (extended header
 * bytes) at word 23, machine stamp at byte 212 (0x44 little-endian, 0x11 big-endian). Voxel size =
 * cella/m in Å (as mrcfile reports it). Samples follow the extended header, x fastest, then y, then z;
 * row 0 is y = 0, as mrcfile/numpy index the array (no flip).
 * Porting note: hyperspy 1.7.3 reports cella/m × 10 "nm" (200 nm for a 2 Å voxel); we follow the
 * format (Å) and mrcfile, so that file's pixel is 0.2 nm here.
 */
import * as fs from "fs";
import { emptySamples, FormatError, MicroscopeImage, pickSlice, ReadImageOptions, readSamples } from "./types";

/** MRC modes → numpy dtype names (0 is signed int8 in MRC2014, as mrcfile reads it). */
const MRC_DTYPE: Record<number, string> = { 0: "int8", 1: "int16", 2: "float32", 6: "uint16" };

/**
 * Read one 2-D image of an MRC file; a stack/volume (nz > 1) needs `opts.stackSlice`. Throws
 * {@link FormatError} naming the file for: not MRC, truncated, complex/float16/packed modes, a stack
 * without a slice.
 */
export function readMrc(file: string, opts: ReadImageOptions = {}): MicroscopeImage {
  const buf = fs.readFileSync(file);
  if (buf.length < 1024) throw new FormatError(file, `truncated: an MRC header is 1024 bytes but the file has ${buf.length}`);
  const stamp = buf[212];
  // the stamp is missing in some old files: then take the byte order in which nx/ny/nz/mode are sane
  const sane = (le: boolean): boolean => {
    const r = (o: number): number => (le ? buf.readInt32LE(o) : buf.readInt32BE(o));
    return r(0) > 0 && r(4) > 0 && r(8) > 0 && r(0) < 1 << 20 && r(4) < 1 << 20 && r(12) >= 0 && r(12) <= 16;
  };
  const le = stamp === 0x44 ? true : stamp === 0x11 ? false : sane(true) || !sane(false);
  const i32 = (o: number): number => (le ? buf.readInt32LE(o) : buf.readInt32BE(o));
  const f32 = (o: number): number => (le ? buf.readFloatLE(o) : buf.readFloatBE(o));
  const nx = i32(0), ny = i32(4), nz = i32(8), mode = i32(12);
  if (!sane(le)) throw new FormatError(file, `not an MRC file (header nx ${nx}, ny ${ny}, nz ${nz}, mode ${mode})`);
  const dtype = MRC_DTYPE[mode];
  if (dtype === undefined) throw new FormatError(file, `MRC mode ${mode} (${mode === 3 || mode === 4 ? "complex" : mode === 12 ? "float16" : "packed/unknown"}) is not supported (modes 0, 1, 2, 6)`);
  const mx = i32(28) || nx, my = i32(32) || ny;
  const ax = f32(40), ay = f32(44);
  const nsymbt = Math.max(0, i32(92));
  const slice = pickSlice(file, nz, `MRC ${nx}×${ny}×${nz}`, opts);
  const bytes = { int8: 1, int16: 2, float32: 4, uint16: 2 }[dtype] as number;
  const start = 1024 + nsymbt;
  const end = start + nx * ny * nz * bytes;
  if (end > buf.length) throw new FormatError(file, `truncated: ${nx}×${ny}×${nz} ${dtype} samples need ${end} bytes but the file has ${buf.length}`);
  const data = opts.headerOnly ? emptySamples(dtype) : readSamples(file, buf, start + slice * nx * ny * bytes, nx * ny, dtype, le);
  const cal = ax > 0 && ay > 0 && Number.isFinite(ax) && Number.isFinite(ay);
  return {
    width: nx, height: ny, data, dtype, format: "mrc",
    x: cal ? { scale: ax / mx, unit: "Å", origin: 0 } : null,
    y: cal ? { scale: ay / my, unit: "Å", origin: 0 } : null,
    detail: "MRC header cella/mx (Å)",
    slices: nz,
  };
}
