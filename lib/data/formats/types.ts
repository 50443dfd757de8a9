/**
 * What every microscope-format reader returns: one 2-D image as the file stores it (native sample
 * type, row-major, no scaling) with the pixel size of each axis as the file states it (value + unit,
 * not yet converted to nm), so a caller can show the file's own words and convert once.
 */

/** Sample arrays a reader may return (the file's own type; complex data is rejected). */
export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Pixel size of one image axis as the file states it. */
export interface AxisScale {
  /** Size of one pixel in `unit` (finite, may be 1 with unit "" when the file has no calibration). */
  scale: number;
  /** Unit string as written in the file ("nm", "µm", "Å", "m", "1/nm", "" ...). */
  unit: string;
  /** Coordinate of the first pixel in `unit` (0 when the file has none). */
  origin: number;
}

/** One 2-D image read from a microscope file. */
export interface MicroscopeImage {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** `width*height` samples, row-major (row 0 first, as numpy/hyperspy index the array). */
  data: SampleArray;
  /** numpy-style name of the stored type: uint8, int16, float32, ... */
  dtype: string;
  /** Short format name: dm3, dm4, ser, emd, mrc. */
  format: string;
  /** x (columns) pixel size, or null when the file has none. */
  x: AxisScale | null;
  /** y (rows) pixel size, or null when the file has none. */
  y: AxisScale | null;
  /** Where in the file the pixel size was read (e.g. "ImageData/Calibrations/Dimension"). */
  detail: string;
  /** Number of 2-D slices the file holds (1 for a plain image; >1 when a slice of a stack was picked). */
  slices: number;
}

/** Options for the readers. */
export interface ReadImageOptions {
  /**
   * For a 3-D stack (a DM/MRC volume, a TIA series, a Velox multi-frame image): the 0-based slice to
   * read. Default: none, and a stack is rejected with an error naming this option, because silently
   * picking one frame of a tilt series or time series would hide data. Ignored for a single 2-D image.
   */
  stackSlice?: number;
  /** Read only the header facts (size, type, calibration); `data` is then empty. Default false. */
  headerOnly?: boolean;
}

/** Error for a microscope file that cannot be read as one 2-D image; the message names the file. */
export class FormatError extends Error {
  /** `reason` alone (without the file), for callers that name the file themselves. */
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

/**
 * Pick the 2-D slice of a stack of `n` slices per `opts.stackSlice`. Returns 0 for n = 1 (whatever the option). Throws
 * {@link FormatError} naming the option (and the CLI flag) for a stack without a slice, or a slice out of range.
 */
export function pickSlice(file: string, n: number, what: string, opts: ReadImageOptions): number {
  const s = opts.stackSlice;
  // ignored for a single image, so one setting serves a folder that mixes stacks and plain images
  if (n <= 1) return 0;
  if (s === undefined) {
    throw new FormatError(file, `holds a stack of ${n} 2-D images (${what}), not one image; pick one with --stack-slice N (0…${n - 1}), NANOMORPH_STACK_SLICE=N or DecodeOptions.stackSlice`);
  }
  if (!Number.isInteger(s) || s < 0 || s >= n) throw new FormatError(file, `stackSlice ${s} is out of range: the stack has ${n} slices (0…${n - 1})`);
  return s;
}

/** Bytes per sample of each dtype name. */
export const DTYPE_BYTES: Record<string, number> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/**
 * Copy `count` samples of `dtype` starting at byte `offset` of `buf` into a new typed array, in the
 * given byte order. Throws {@link FormatError} ("truncated") when the buffer is too short.
 */
export function readSamples(file: string, buf: Buffer, offset: number, count: number, dtype: string, littleEndian: boolean): SampleArray {
  const bytes = DTYPE_BYTES[dtype];
  if (bytes === undefined) throw new FormatError(file, `unsupported sample type ${dtype}`);
  const end = offset + count * bytes;
  if (end > buf.length) throw new FormatError(file, `truncated: the image data needs bytes ${offset}…${end} but the file has ${buf.length} bytes`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const le = littleEndian;
  switch (dtype) {
    case "uint8": return Uint8Array.from(buf.subarray(offset, end));
    case "int8": return Int8Array.from(buf.subarray(offset, end), (v) => (v << 24) >> 24);
    case "uint16": { const a = new Uint16Array(count); for (let i = 0; i < count; i++) a[i] = dv.getUint16(offset + 2 * i, le); return a; }
    case "int16": { const a = new Int16Array(count); for (let i = 0; i < count; i++) a[i] = dv.getInt16(offset + 2 * i, le); return a; }
    case "uint32": { const a = new Uint32Array(count); for (let i = 0; i < count; i++) a[i] = dv.getUint32(offset + 4 * i, le); return a; }
    case "int32": { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = dv.getInt32(offset + 4 * i, le); return a; }
    case "float32": { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = dv.getFloat32(offset + 4 * i, le); return a; }
    default: { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = dv.getFloat64(offset + 8 * i, le); return a; }
  }
}

/** An empty array of `dtype` (for header-only reads). */
export function emptySamples(dtype: string): SampleArray {
  return dtype.startsWith("float") ? new Float32Array(0) : new Uint8Array(0);
}

/**
 * What one metadata source (a TIFF tag, a sidecar file) says about the pixel size: a usable value per
 * axis (`ok: true`), or a field that is present but unusable (`ok: false`: zero, negative, NaN, an
 * empty or `<undefined>` unit) with the reason, so the caller reports "no calibration: <reason>"
 * instead of guessing. A source that is simply absent is `null` where this type is returned.
 */
export type ScaleReading =
  | { ok: true; x: AxisScale; y: AxisScale; /** Where it was read, e.g. "TIFF Zeiss CZ_SEM tag 34118 'Image Pixel Size'". */ detail: string }
  | { ok: false; /** Where the unusable field is. */ detail: string; /** Why it cannot be used. */ reason: string };

/** A usable reading of `value` `unit` on both axes (square pixels). */
export function squareReading(value: number, unit: string, detail: string): ScaleReading {
  return { ok: true, x: { scale: value, unit, origin: 0 }, y: { scale: value, unit, origin: 0 }, detail };
}

/** An unusable reading (see {@link ScaleReading}). */
export function unusableReading(detail: string, reason: string): ScaleReading {
  return { ok: false, detail, reason };
}
