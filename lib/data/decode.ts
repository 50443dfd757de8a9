import * as fs from "fs";
import sharp from "sharp";
import { FormatError, isMicroscopeFile, readMicroscopeImage, DTYPE_BYTES } from "./formats/index";
import { microscopeToGrey } from "./formats/to_grey";

/** A decoded image at its native size: interleaved samples, `channels` per pixel. */
export interface DecodedImage {
  /** Row-major interleaved samples: 8-bit values for depth 8, 16-bit values for depth 16. */
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: number;
  /** Bits per sample of `data` (8 or 16). */
  depth: 8 | 16;
  /** The container format sharp reported (jpeg, png, tiff, ...). */
  format: string;
  /**
   * Pixels whose stored value is NaN or ±Inf (float data only; row-major, width·height, 1 = missing);
   * absent when there are none. Their `data` value is 0: callers must treat them as missing (never
   * foreground), not as black.
   */
  missing?: Uint8Array;
  /** Number of missing pixels (0 or absent when none). */
  missingCount?: number;
}

/** `missing`/`missingCount` for a decoded image from per-sample finiteness (`c` samples per pixel). */
export function missingPixels(samples: ArrayLike<number>, n: number, c: number): Pick<DecodedImage, "missing" | "missingCount"> {
  let count = 0;
  let missing: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      if (!Number.isFinite(samples[i * c + k])) {
        if (!missing) missing = new Uint8Array(n);
        if (!missing[i]) { missing[i] = 1; count++; }
      }
    }
  }
  return missing ? { missing, missingCount: count } : {};
}

/** Basic facts about an image file, from its header (no full decode). */
export interface ImageInfo {
  format: string;
  width: number;
  height: number;
  channels: number;
  /** Bits per sample as the file stores it (8, 16, 32 for float TIFF, ...). */
  bits: number;
  /** Colour space sharp reported (b-w, grey16, srgb, rgb16, ...). */
  space: string;
}

const BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** Error for a file that cannot be read or decoded; `file` is the path, `reason` what is wrong with it. */
export class ImageDecodeError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`cannot decode image ${file}: ${reason}`);
  }
}

/**
 * The stack slice to read when none is passed in the options: `NANOMORPH_STACK_SLICE` (set by the
 * CLI's global `--stack-slice N`), or undefined. Throws naming the variable when it is not an integer ≥ 0.
 */
export function stackSliceFromEnv(): number | undefined {
  const v = process.env.NANOMORPH_STACK_SLICE;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`NANOMORPH_STACK_SLICE (--stack-slice) must be an integer ≥ 0, got '${v}'`);
  return n;
}

/**
 * Read the header of an image file. Microscope files (.dm3 .dm4 .ser .emi .emd .mrc) report their
 * format name, 1 channel and the stored bits (32 for float32); a stack needs `opts.stackSlice` (or
 * NANOMORPH_STACK_SLICE) as in {@link decodeImage}. Throws {@link ImageDecodeError} naming the file.
 */
export async function imageInfo(file: string, opts: { stackSlice?: number } = {}): Promise<ImageInfo> {
  if (isMicroscopeFile(file)) {
    try {
      const m = await readMicroscopeImage(file, { stackSlice: opts.stackSlice ?? stackSliceFromEnv(), headerOnly: true });
      const bits = 8 * (DTYPE_BYTES[m.dtype] ?? 1);
      return { format: m.format, width: m.width, height: m.height, channels: 1, bits, space: bits === 8 ? "b-w" : "grey16" };
    } catch (e) {
      throw new ImageDecodeError(file, e instanceof FormatError && e.file === file ? e.reason : (e as Error).message);
    }
  }
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height || !m.format) throw new Error("no size or format in header");
    return { format: m.format, width: m.width, height: m.height, channels: m.channels ?? 0, bits: BITS[m.depth ?? "uchar"] ?? 8, space: m.space ?? "?" };
  } catch (e) {
    throw new ImageDecodeError(file, (e as Error).message);
  }
}

/** Options for {@link decodeImage}. */
export interface DecodeOptions {
  /** Resize to `size`×`size` (aspect not kept, as Keras `load_img` does) with sharp's default (lanczos3) kernel. Default: native size. */
  size?: number;
  /** Output channels: 3 (RGB, grey replicated) or "native" (1 for grey, 3 for colour; alpha dropped). Default 3. */
  channels?: 3 | "native";
  /**
   * For a stack in a microscope file (DM/MRC volume, TIA series, Velox frames): the 0-based slice to
   * read. Default: `NANOMORPH_STACK_SLICE` (the CLI's `--stack-slice N`), else none and a stack is an
   * error naming this option. For a multi-page TIFF: the page (default the first). Ignored for single images.
   */
  stackSlice?: number;
}

async function decodeMicroscope(file: string, opts: DecodeOptions): Promise<DecodedImage> {
  let m;
  try {
    m = await readMicroscopeImage(file, { stackSlice: opts.stackSlice ?? stackSliceFromEnv() });
  } catch (e) {
    throw new ImageDecodeError(file, e instanceof FormatError && e.file === file ? e.reason : (e as Error).message);
  }
  const g = microscopeToGrey(m);
  let data = g.data, width = m.width, height = m.height;
  if (opts.size !== undefined) {
    if (!(Number.isInteger(opts.size) && opts.size > 0)) throw new ImageDecodeError(file, `size must be a positive integer, got ${opts.size}`);
    // same kernel as for every other format: sharp's default lanczos3, aspect not kept
    const p = sharp(g.data, { raw: { width, height, channels: 1 } }).resize(opts.size, opts.size, { fit: "fill" });
    const r = g.depth === 16
      ? await p.toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true })
      : await p.toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    data = g.depth === 16 ? new Uint16Array(r.data.buffer, r.data.byteOffset, r.data.length / 2).slice() : new Uint8Array(r.data);
    width = r.info.width;
    height = r.info.height;
  }
  // Non-finite samples (float data) are missing, at native size (a resized copy has no pixel grid to mark).
  const miss = opts.size === undefined && !(m.data instanceof Uint8Array || m.data instanceof Uint16Array) ? missingPixels(m.data, m.width * m.height, 1) : {};
  if (opts.channels === "native") return { data, width, height, channels: 1, depth: g.depth, format: m.format, ...miss };
  const rgb = g.depth === 16 ? new Uint16Array(data.length * 3) : new Uint8Array(data.length * 3);
  for (let i = 0; i < data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i];
  return { data: rgb, width, height, channels: 3, depth: g.depth, format: m.format, ...miss };
}

/**
 * The page of a multi-page file (TIFF) to decode: `stackSlice` when the file has several pages (an
 * error naming --stack-slice when out of range), else 0 — a multi-page TIFF is read at its first page
 * by default, as its calibration is (lib/data/calibration).
 */
const notedFirstPage = new Set<string>();

/** Say once per file (stderr) that a multi-page TIFF is read at its first page. */
function noteFirstPage(file: string, pages: number): void {
  if (notedFirstPage.has(file) || process.env.NANOMORPH_QUIET === "1") return;
  notedFirstPage.add(file);
  process.stderr.write(`nanomorph: ${file} holds ${pages} pages (a stack); reading page 0 (--stack-slice N picks another, 0..${pages - 1})\n`);
}

function pageOf(file: string, pages: number | undefined, stackSlice: number | undefined): number {
  if (stackSlice === undefined || !pages || pages <= 1) return 0;
  if (!Number.isInteger(stackSlice) || stackSlice < 0 || stackSlice >= pages) {
    throw new Error(`--stack-slice ${stackSlice} is out of range: ${file} has ${pages} pages (0…${pages - 1})`);
  }
  return stackSlice;
}

/**
 * Decode an image file with sharp: JPEG, PNG (8/16-bit, palette), TIFF (8/16-bit, grey or RGB; also
 * 32-bit float/int as some microscopes export, stretched min→0, max→65535 per image since such data has
 * no fixed full scale), BMP/GIF/WebP. A multi-page TIFF decodes its first page, or page `opts.stackSlice`. 16-bit files stay 16-bit (`depth` 16), 8-bit files 8-bit. Alpha is dropped.
 * The whole file is read first, so a truncated file fails here rather than decoding to a partial image.
 * Microscope files (.dm3 .dm4 .ser, .emi via its _1.ser, .emd, .mrc; lib/data/formats) decode to one
 * grey channel: uint8 stays 8-bit, uint16 16-bit, any other type (int16, float32, ...) is stretched
 * min→0, max→65535 per image like float TIFFs; `format` is dm3/dm4/ser/emd/mrc. A stack needs
 * `opts.stackSlice`; a spectrum or 4-D dataset is an error saying what the file holds.
 * Throws {@link ImageDecodeError} naming the file for an unreadable, empty, truncated or unknown file.
 */
export async function decodeImage(file: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  if (isMicroscopeFile(file)) return decodeMicroscope(file, opts);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new ImageDecodeError(file, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  if (buf.length === 0) throw new ImageDecodeError(file, "empty file");
  try {
    // failOn "truncated": a cut-off JPEG/PNG is an error, never a half-grey image.
    let meta = await sharp(buf, { failOn: "truncated" }).metadata();
    // A multi-page file is a stack. A TIFF is read at its first page unless --stack-slice picks
    // another, as its calibration is (issue 22), and says so once; an animated GIF's frames are a time
    // series, so one is read only when --stack-slice picks it (the first frame alone measures one of many).
    const pages = meta.pages ?? 1;
    let page: number | undefined;
    if (pages > 1) {
      const slice = opts.stackSlice ?? stackSliceFromEnv();
      if (meta.format === "gif" && slice === undefined) throw new Error(`holds ${pages} frames (an animated GIF); nanomorph reads one 2-D image: pick one with --stack-slice N (0..${pages - 1}; NANOMORPH_STACK_SLICE)`);
      if (slice !== undefined && slice >= pages) throw new Error(`holds ${pages} ${meta.format === "gif" ? "frames" : "pages"}; --stack-slice ${slice} is out of range, past the last (${pages - 1})`);
      page = pageOf(file, pages, slice);
      if (slice === undefined) noteFirstPage(file, pages);
      meta = await sharp(buf, { failOn: "truncated", page }).metadata();
    }
    const bits = BITS[meta.depth ?? "uchar"] ?? 8;
    const grey = (meta.channels ?? 3) <= 2 || meta.space === "b-w" || meta.space === "grey16";
    const wantGrey = opts.channels === "native" && grey;
    const deep = bits > 8;
    let p = sharp(buf, { failOn: "truncated", ...(page !== undefined ? { page } : {}) });
    if (opts.size !== undefined) {
      if (!(Number.isInteger(opts.size) && opts.size > 0)) throw new Error(`size must be a positive integer, got ${opts.size}`);
      p = p.resize(opts.size, opts.size, { fit: "fill" });
    }
    p = p.removeAlpha();
    const depthName = meta.depth ?? "uchar";
    if (depthName !== "uchar" && depthName !== "ushort") {
      // 32-bit float/int (and signed) data has no fixed full scale: stretch min..max to 0..65535
      const { data, info } = await p.raw({ depth: "float" }).toBuffer({ resolveWithObject: true });
      const f = new Float32Array(data.buffer, data.byteOffset, data.length / 4);
      const c = info.channels;
      const outC = wantGrey ? 1 : c;
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < f.length; i++) {
        if (!Number.isFinite(f[i])) continue;
        if (f[i] < lo) lo = f[i];
        if (f[i] > hi) hi = f[i];
      }
      const span = hi > lo ? hi - lo : 1;
      const n = info.width * info.height;
      const out = new Uint16Array(n * outC);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < outC; k++) {
          const v = f[i * c + k];
          out[i * outC + k] = Number.isFinite(v) ? Math.round(((v - lo) / span) * 65535) : 0;
        }
      }
      return { data: out, width: info.width, height: info.height, channels: outC, depth: 16, format: meta.format ?? "?", ...missingPixels(f, n, c) };
    }
    if (deep) p = p.toColourspace(wantGrey ? "grey16" : "rgb16").raw({ depth: "ushort" });
    else p = p.toColourspace(wantGrey ? "b-w" : "srgb").raw();
    const { data, info } = await p.toBuffer({ resolveWithObject: true });
    const samples = deep ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2).slice() : new Uint8Array(data);
    return { data: samples, width: info.width, height: info.height, channels: info.channels, depth: deep ? 16 : 8, format: meta.format ?? "?" };
  } catch (e) {
    throw new ImageDecodeError(file, (e as Error).message);
  }
}
