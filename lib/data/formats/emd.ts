/**
 * Images from Thermo Fisher Velox .emd files (HDF5). Layout: `/Data/Image/<uuid>/Data` is
 * [rows, columns, frames] and `/Data/Image/<uuid>/Metadata` is [bytes, frames] uint8, each column a
 * NUL-padded JSON document whose `BinaryResult.PixelSize.{width,height}` (strings, in
 * `BinaryResult.PixelUnitX/Y`, normally "m") is the pixel size. Several `/Data/Image` groups (one per
 * detector) → the largest is read (the first on ties) and named in `detail`. Files with only spectra
 * (`/Data/SpectrumStream`, `/Data/Spectrum`) are rejected. The older Berkeley EMD layout (`/data/…`)
 * is not read.
 */
import * as fs from "fs";
import * as path from "path";
import type * as H5 from "h5wasm";
import { h5wasmModule } from "./h5";
import { AxisScale, FormatError, MicroscopeImage, pickSlice, ReadImageOptions, SampleArray, emptySamples } from "./types";

const H5_DTYPE: Record<string, string> = { "<b": "int8", "<B": "uint8", "<h": "int16", "<H": "uint16", "<i": "int32", "<I": "uint32", "<f": "float32", "<d": "float64", ">b": "int8", ">B": "uint8", ">h": "int16", ">H": "uint16", ">i": "int32", ">I": "uint32", ">f": "float32", ">d": "float64", "|b": "int8", "|B": "uint8" };

function metadataJson(md: H5.Dataset, frame: number): Record<string, unknown> | null {
  const shape = md.shape ?? [];
  if (shape.length !== 2) return null;
  const raw = md.slice([[0, shape[0]], [frame, frame + 1]]) as Uint8Array | null;
  if (!raw) return null;
  let end = raw.indexOf(0);
  if (end < 0) end = raw.length;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, end).toString("utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function axis(br: Record<string, unknown> | undefined, key: "width" | "height", unitKey: string): AxisScale | null {
  const ps = br?.PixelSize as Record<string, unknown> | undefined;
  const v = Number(ps?.[key]);
  if (!Number.isFinite(v) || v <= 0) return null;
  const off = br?.Offset as Record<string, unknown> | undefined;
  const o = Number(off?.[key === "width" ? "x" : "y"]);
  return { scale: v, unit: String(br?.[unitKey] ?? "m"), origin: Number.isFinite(o) ? o : 0 };
}

/**
 * Read one 2-D image of a Velox .emd file; several frames need `opts.stackSlice`. Throws
 * {@link FormatError} naming the file for: not HDF5 (or truncated), no image, a spectrum-only file,
 * an unsupported sample type, several frames without a slice.
 */
export async function readEmd(file: string, opts: ReadImageOptions = {}): Promise<MicroscopeImage> {
  const size = fs.statSync(file).size;
  const head = Buffer.alloc(64);
  const fd = fs.openSync(file, "r");
  try { fs.readSync(fd, head, 0, 64, 0); } finally { fs.closeSync(fd); }
  if (head.toString("latin1", 0, 8) !== "\x89HDF\r\n\x1a\n") throw new FormatError(file, "not an HDF5 file (a Velox .emd is HDF5)");
  // check the superblock's end-of-file address first: a cut-off file then fails with a clear message
  // instead of HDF5's diagnostics
  if (size < 48) throw new FormatError(file, `truncated: ${size} bytes is shorter than an HDF5 superblock`);
  const eof = hdf5EndOfFile(head);
  if (eof !== null && eof > size) throw new FormatError(file, `truncated: the HDF5 superblock says the file ends at byte ${eof} but it has ${size} bytes`);
  const h5 = await h5wasmModule();
  let f: H5.File;
  try {
    f = new h5.File(path.resolve(file), "r");
  } catch (e) {
    throw new FormatError(file, `cannot open as HDF5, truncated or corrupt (${size} bytes): ${(e as Error).message}`);
  }
  try {
    return readOpen(file, h5, f, opts);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(file, `cannot read as a Velox .emd (HDF5), truncated or corrupt: ${(e as Error).message}`);
  } finally {
    f.close();
  }
}

/**
 * End-of-file address from an HDF5 superblock at the start of `head` (versions 0–3, 8-byte offsets),
 * or null when the layout is one this check does not know.
 */
export function hdf5EndOfFile(head: Buffer): number | null {
  const v = head[8];
  if (v === 0 || v === 1) {
    if (head[13] !== 8) return null;
    return Number(head.readBigUInt64LE(v === 0 ? 40 : 44));
  }
  if (v === 2 || v === 3) {
    if (head[9] !== 8) return null;
    return Number(head.readBigUInt64LE(28));
  }
  return null;
}

function readOpen(file: string, h5: typeof import("h5wasm"), f: H5.File, opts: ReadImageOptions): MicroscopeImage {
  {
    // look paths up through keys() first: h5wasm's get() of a missing path prints HDF5 diagnostics
    const at = (p: string): ReturnType<H5.File["get"]> | null => {
      let g: H5.Group = f;
      const parts = p.split("/");
      for (let i = 0; i < parts.length; i++) {
        if (!g.keys().includes(parts[i])) return null;
        const c = g.get(parts[i]);
        if (i === parts.length - 1) return c;
        if (!(c instanceof h5.Group)) return null;
        g = c;
      }
      return null;
    };
    const images = at("Data/Image");
    if (!(images instanceof h5.Group)) {
      const data = at("Data");
      const kinds = data instanceof h5.Group ? data.keys() : [];
      if (kinds.some((k) => k.startsWith("Spectrum"))) throw new FormatError(file, `holds spectra (${kinds.join(", ")}), not an image`);
      throw new FormatError(file, at("data") ? "is a Berkeley EMD file (/data/…), not Velox; only Velox .emd is read" : "has no /Data/Image group (not a Velox image)");
    }
    let best: { key: string; ds: H5.Dataset; n: number } | null = null;
    for (const k of images.keys()) {
      const ds = at(`Data/Image/${k}/Data`);
      if (!(ds instanceof h5.Dataset)) continue;
      const sh = ds.shape ?? [];
      const n = sh.reduce((a, b) => a * b, 1);
      if (!best || n > best.n) best = { key: k, ds, n };
    }
    if (!best) throw new FormatError(file, "/Data/Image holds no Data dataset");
    const shape = best.ds.shape ?? [];
    if (shape.length !== 3 && shape.length !== 2) throw new FormatError(file, `Velox image of shape ${shape.join("×")} is not [rows, columns, frames]`);
    const [height, width] = shape;
    const frames = shape.length === 3 ? shape[2] : 1;
    const slice = pickSlice(file, frames, `Velox ${width}×${height} image with ${frames} frames`, opts);
    const dtype = H5_DTYPE[String(best.ds.dtype)];
    if (dtype === undefined) throw new FormatError(file, `Velox sample type ${String(best.ds.dtype)} is not supported`);
    let data: SampleArray = emptySamples(dtype);
    if (!opts.headerOnly) {
      let raw: unknown;
      try {
        raw = shape.length === 3 ? best.ds.slice([[0, height], [0, width], [slice, slice + 1]]) : best.ds.value;
      } catch (e) {
        throw new FormatError(file, `cannot read the image data, truncated or corrupt: ${(e as Error).message}`);
      }
      if (!ArrayBuffer.isView(raw) || (raw as SampleArray).length !== width * height) throw new FormatError(file, `image data did not read as ${width}×${height} samples (truncated?)`);
      data = raw as SampleArray;
    }
    const md = at(`Data/Image/${best.key}/Metadata`);
    const meta = md instanceof h5.Dataset ? metadataJson(md, slice) : null;
    const br = meta?.BinaryResult as Record<string, unknown> | undefined;
    const det = br?.Detector ? ` (${String(br.Detector)})` : "";
    return {
      width, height, data, dtype, format: "emd",
      x: axis(br, "width", "PixelUnitX"),
      y: axis(br, "height", "PixelUnitY"),
      detail: `Velox /Data/Image/${best.key}${det} Metadata BinaryResult.PixelSize`,
      slices: frames,
    };
  }
}
