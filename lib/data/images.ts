import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { decodeImage, ImageDecodeError, stackSliceFromEnv } from "./decode";
import { sha256File, writeFileAtomic } from "../util/fsx";
import { contentHash } from "../util/hash";
import { cacheDir } from "../util/paths";
import { Progress } from "../util/progress";

/**
 * Pixel preprocessing applied after scaling to [0,1]:
 * - `none`: keep [0,1] (the paper's choice: no ImageNet mean subtraction);
 * - `caffe`: Keras `preprocess_input` for ResNet50: RGB→BGR, ×255, minus the BGR means (103.939, 116.779, 123.68);
 * - `torch`: (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] per RGB channel;
 * - `tf`: x·2 − 1, into [−1, 1].
 */
export type Preprocess = "none" | "caffe" | "torch" | "tf";

/** What to do with a file that cannot be decoded. */
export type OnError = "fail" | "skip";

/** Options for {@link loadImages} and {@link loadImageSet}. */
export interface LoadImagesOptions {
  /** Pixel preprocessing (see {@link Preprocess}). Default "none": values in [0,1]. */
  preprocess?: Preprocess;
  /** "fail" (default): the first unreadable file throws, naming it. "skip": it is left out and reported. */
  onError?: OnError;
  /** Use the on-disk cache of decoded, resized pixels (keyed by file contents and size). Default true. */
  cache?: boolean;
  /** Show a progress bar (stderr) for more than this many files. Default 16. */
  progressAbove?: number;
  /**
   * "full-range" (default): samples divided by the format's full scale, as Keras does.
   * "per-image-minmax": each image stretched to [0,1] (for 12/14-bit data in 16-bit files).
   */
  intensity?: "full-range" | "per-image-minmax";
}

/** A problem found while loading: the file and why. */
export interface LoadProblem {
  file: string;
  error: string;
}

/** Result of {@link loadImageSet}. */
export interface ImageSet {
  /** [N,size,size,3] float32, N = kept.length. Caller disposes. */
  images: tf.Tensor4D;
  /** Indices into the input `files` of the rows of `images`. */
  kept: number[];
  /** Files left out (only with onError "skip"). */
  problems: LoadProblem[];
  /** True when the pixels came from the on-disk cache. */
  fromCache: boolean;
}

interface CacheHeader {
  version: 1;
  n: number;
  size: number;
  depth: 8 | 16;
  kept: number[];
  problems: LoadProblem[];
}

/**
 * The samples of `n` decoded, resized images, as stored on disk and in the cache: 8-bit when every
 * source was 8-bit, 16-bit when any source was deeper.
 */
interface RawSet {
  samples: Uint8Array | Uint16Array;
  depth: 8 | 16;
  kept: number[];
  problems: LoadProblem[];
}

const CACHE_VERSION = 1;

/** Files decoded at the same time by loadImages. */
const DECODE_CONCURRENCY = 4;

/** sha256 of files already hashed in this process, keyed by path and invalidated by size or mtime. */
const hashMemo = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** sha256 of a file's bytes, remembered per process while its size and mtime stay the same. */
async function fileHash(file: string): Promise<string> {
  const st = fs.statSync(file);
  const m = hashMemo.get(file);
  if (m && m.size === st.size && m.mtimeMs === st.mtimeMs) return m.sha256;
  const sha256 = await sha256File(file);
  hashMemo.set(file, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  return sha256;
}

/** Cache key for a list of files at a size: content hash of every file plus the size. */
async function cacheKey(files: string[], size: number, onError: OnError): Promise<string> {
  const hashes: string[] = [];
  for (const f of files) {
    try {
      hashes.push(await fileHash(f));
    } catch (e) {
      if (onError === "fail") throw new ImageDecodeError(f, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
      hashes.push(`unreadable:${f}`);
    }
  }
  // the stack slice of microscope stacks changes the pixels of the same bytes; left out when unset so
  // existing cache entries keep their keys
  const slice = stackSliceFromEnv();
  return contentHash({ v: CACHE_VERSION, what: "images", size, onError, hashes, ...(slice !== undefined ? { stackSlice: slice } : {}) });
}

function readCache(file: string, size: number): RawSet | null {
  if (!fs.existsSync(file)) return null;
  try {
    const buf = fs.readFileSync(file);
    const hlen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + hlen).toString("utf8")) as CacheHeader;
    if (header.version !== CACHE_VERSION || header.size !== size) return null;
    const body = buf.subarray(4 + hlen);
    const count = header.kept.length * size * size * 3;
    const bytes = header.depth === 16 ? count * 2 : count;
    if (body.length !== bytes) return null;
    const copy = new Uint8Array(body); // aligned copy
    const samples = header.depth === 16 ? new Uint16Array(copy.buffer, 0, count) : copy;
    return { samples, depth: header.depth, kept: header.kept, problems: header.problems };
  } catch {
    return null; // a damaged cache entry is rebuilt, never trusted
  }
}

function writeCache(file: string, size: number, raw: RawSet): void {
  const header: CacheHeader = { version: 1, n: raw.kept.length, size, depth: raw.depth, kept: raw.kept, problems: raw.problems };
  const h = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length, 0);
  const body = Buffer.from(raw.samples.buffer, raw.samples.byteOffset, raw.samples.byteLength);
  writeFileAtomic(file, Buffer.concat([len, h, body]));
}

async function decodeAll(files: string[], size: number, onError: OnError, progressAbove: number): Promise<RawSet> {
  const per = size * size * 3;
  const decoded: (Uint8Array | Uint16Array)[] = [];
  const kept: number[] = [];
  const problems: LoadProblem[] = [];
  let depth: 8 | 16 = 8;
  const bar = files.length > progressAbove ? new Progress({ label: "decode images", total: files.length, unit: "img" }) : null;
  // decode a few files at a time (sharp works off the main thread), keeping the input order
  const results: ({ data: Uint8Array | Uint16Array; depth: 8 | 16 } | { error: unknown })[] = new Array(files.length);
  let next = 0;
  let failed: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < files.length && failed === null) {
      const i = next++;
      try {
        const img = await decodeImage(files[i], { size, channels: 3 });
        if (img.data.length !== per) throw new ImageDecodeError(files[i], `decoded to ${img.width}x${img.height}x${img.channels}, expected ${size}x${size}x3`);
        results[i] = { data: img.data, depth: img.depth };
      } catch (e) {
        results[i] = { error: e };
        if (onError === "fail") failed = e;
      }
      bar?.tick(1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, files.length) }, worker));
  bar?.finish();
  for (let i = 0; i < files.length; i++) {
    const r = results[i];
    if (r === undefined) continue; // not reached after a failure
    if ("error" in r) {
      const msg = (r.error as Error).message;
      if (onError === "fail") throw r.error instanceof ImageDecodeError ? r.error : new ImageDecodeError(files[i], msg);
      problems.push({ file: files[i], error: msg });
      process.stderr.write(`loadImages: skipping ${files[i]}: ${msg}\n`);
      continue;
    }
    decoded.push(r.data);
    kept.push(i);
    if (r.depth === 16) depth = 16;
  }
  const samples = depth === 16 ? new Uint16Array(kept.length * per) : new Uint8Array(kept.length * per);
  decoded.forEach((d, j) => {
    if (depth === 16 && d instanceof Uint8Array) {
      // promote 8-bit to the 16-bit scale exactly: v * 257 maps 255 to 65535
      for (let k = 0; k < per; k++) samples[j * per + k] = d[k] * 257;
    } else samples.set(d, j * per);
  });
  return { samples, depth, kept, problems };
}

/** Apply a preprocessing mode in place to interleaved RGB floats in [0,1] (see {@link Preprocess}). */
export function applyPreprocess(out: Float32Array, preprocess: Preprocess = "none"): Float32Array {
  if (preprocess === "none") return out;
  if (preprocess === "tf") {
    for (let i = 0; i < out.length; i++) out[i] = out[i] * 2 - 1;
  } else if (preprocess === "torch") {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    for (let i = 0; i < out.length; i++) out[i] = (out[i] - mean[i % 3]) / std[i % 3];
  } else if (preprocess === "caffe") {
    const meanBgr = [103.939, 116.779, 123.68];
    for (let i = 0; i < out.length; i += 3) {
      const r = out[i] * 255;
      const g = out[i + 1] * 255;
      const b = out[i + 2] * 255;
      out[i] = b - meanBgr[0];
      out[i + 1] = g - meanBgr[1];
      out[i + 2] = r - meanBgr[2];
    }
  } else throw new Error(`applyPreprocess: unknown preprocess mode '${String(preprocess)}' (none, caffe, torch, tf)`);
  return out;
}

/** Scale raw samples to float32 in [0,1] (8-bit /255, 16-bit /65535) and apply a preprocessing mode. */
export function toFloatPixels(samples: Uint8Array | Uint16Array, depth: 8 | 16, preprocess: Preprocess = "none"): Float32Array {
  const scale = depth === 16 ? 1 / 65535 : 1 / 255;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * scale;
  return applyPreprocess(out, preprocess);
}

/**
 * Stretch each of `n` equally sized images in place so its darkest sample becomes 0 and its brightest
 * 1 (a flat image becomes all 0). For 12- or 14-bit camera data stored in 16-bit files, which would
 * otherwise load nearly black.
 */
export function stretchPerImage(pixels: Float32Array, n: number): Float32Array {
  if (n <= 0) return pixels;
  const per = pixels.length / n;
  if (!Number.isInteger(per)) throw new Error(`stretchPerImage: ${pixels.length} values do not split into ${n} images`);
  for (let k = 0; k < n; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = k * per; i < (k + 1) * per; i++) { if (pixels[i] < lo) lo = pixels[i]; if (pixels[i] > hi) hi = pixels[i]; }
    const span = hi - lo;
    for (let i = k * per; i < (k + 1) * per; i++) pixels[i] = span > 0 ? (pixels[i] - lo) / span : 0;
  }
  return pixels;
}

/**
 * Load images as one tensor, reporting what was kept and skipped. Each file is decoded with sharp,
 * converted to RGB (grey replicated), resized to `size`×`size` (aspect not kept, lanczos3), scaled to
 * [0,1] (8-bit /255, 16-bit /65535) and preprocessed. Decoded pixels are cached under
 * `cacheDir("images")`, keyed by the sha256 of every file's bytes, the size and the error mode, so a
 * second call on the same files is a file read. Throws for an unreadable file with onError "fail", and
 * when nothing could be loaded.
 */
export async function loadImageSet(files: string[], size: number, opts: LoadImagesOptions = {}): Promise<ImageSet> {
  if (!(Number.isInteger(size) && size > 0)) throw new Error(`loadImages: size must be a positive integer, got ${size}`);
  if (files.length === 0) throw new Error("loadImages: no files given");
  const onError = opts.onError ?? "fail";
  const useCache = opts.cache ?? true;
  let raw: RawSet | null = null;
  let cacheFile = "";
  if (useCache) {
    cacheFile = cacheDir("images", `${await cacheKey(files, size, onError)}.bin`);
    raw = readCache(cacheFile, size);
  }
  const fromCache = raw !== null;
  if (!raw) {
    raw = await decodeAll(files, size, onError, opts.progressAbove ?? 16);
    if (useCache) writeCache(cacheFile, size, raw);
  } else {
    for (const p of raw.problems) process.stderr.write(`loadImages: skipping ${p.file}: ${p.error}\n`);
  }
  if (raw.kept.length === 0) throw new Error(`loadImages: none of the ${files.length} files could be decoded (first: ${raw.problems[0]?.file}: ${raw.problems[0]?.error})`);
  const pixels = toFloatPixels(raw.samples, raw.depth, "none");
  if ((opts.intensity ?? "full-range") === "per-image-minmax") stretchPerImage(pixels, raw.kept.length);
  applyPreprocess(pixels, opts.preprocess ?? "none");
  const images = tf.tensor4d(pixels, [raw.kept.length, size, size, 3], "float32");
  return { images, kept: raw.kept, problems: raw.problems, fromCache };
}

/**
 * Load images into a [N,size,size,3] float32 tensor in [0,1] (or preprocessed, see `opts.preprocess`);
 * the caller disposes it. With onError "skip", unreadable files are left out (N < files.length) and
 * reported on stderr by path; use {@link loadImageSet} to learn which rows were kept.
 */
export async function loadImages(files: string[], size: number, opts: LoadImagesOptions = {}): Promise<tf.Tensor4D> {
  return (await loadImageSet(files, size, opts)).images;
}

/** Remove every cached decoded image set (returns the number of files removed). */
export function clearImageCache(): number {
  const dir = cacheDir("images");
  if (!fs.existsSync(dir)) return 0;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".bin"));
  for (const f of files) fs.rmSync(path.join(dir, f), { force: true });
  return files.length;
}
