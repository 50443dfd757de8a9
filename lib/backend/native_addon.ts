/**
 * Loading the optional libtorch addon (native/torch_backend, built by its build.js at `npm ci` when
 * libtorch is found). Never throws: a missing or broken build gives a reason string the picker logs
 * and `nanomorph doctor` prints with the fix.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../util/paths";

/** tfjs dtype -> the addon's dtype code (float32 0, int32 1, bool 2). */
export const DTYPE_CODE: Record<string, number> = { float32: 0, int32: 1, bool: 2 };

/** What `init` returns: the libtorch build and the device in use. */
export interface NativeInfo {
  /** libtorch version the addon was compiled against, e.g. "1.13.1". */
  torch: string;
  /** ATen device string, e.g. "cpu", "cuda:0". */
  device: string;
  /** ATen intra-op threads. */
  threads: number;
  cuda: boolean;
  cudaDevices: number;
  mps: boolean;
  mkldnn: boolean;
  /** What the addon did about the BLAS's own threads (a pthreads OpenBLAS is pinned to 1: src/blas.cc says why). */
  blas: string;
  /** Op names the addon implements. */
  ops: string[];
}

/**
 * The addon's functions (native/torch_backend/src/addon.cc). Handles are positive integers. Errors are
 * `Error`s whose message names the entry point: `native op BatchMatMul(a float32[2,3], b float32[4,5]):
 * mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)` for an op, `native fromTyped: …` otherwise.
 */
export interface NativeAddon {
  /** Select the device ("cpu" | "cuda" | "mps") and, once per process, the thread count. @throws when the device is absent */
  init(opts: { device: string; threads?: number }): NativeInfo;
  /** Copy a typed array of `shape` into a new ATen tensor. @throws on a byte-count mismatch */
  fromTyped(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: number): number;
  /** Copy a tensor out in row-major order (bool as Uint8Array). */
  toTyped(handle: number): Float32Array | Int32Array | Uint8Array;
  /** Drop a handle (frees the ATen storage when no view shares it). */
  free(handle: number): void;
  /** Run op `name`: returns [n, id1, rank1, ...dims1, id2, ...]. `out` casts every output (-1: keep). @throws naming the op, its inputs' dtypes and shapes, and the cause (unknown op, too few inputs, missing attribute, ATen's message) */
  op(name: string, inputs: number[], attrs: object, out?: number): number[];
  /** Live handles and bytes of their distinct storages. */
  stats(): { tensors: number; bytes: number };
  /** Wait for queued device work (no-op on CPU). */
  sync(): void;
}

/** Folder of the addon sources and build output. */
// From the project root, not __dirname: the same path from lib/ (ts-node) and dist/lib/ (compiled CLI).
export const NATIVE_DIR = path.join(projectRoot(), "native", "torch_backend");
/** Path of the compiled addon. */
export const NATIVE_ADDON_PATH = path.join(NATIVE_DIR, "build", "nanomorph_torch.node");

/** What the build script recorded (build/status.json), or null when it never ran. */
export function nativeBuildStatus(): { built: boolean; reason?: string; torch?: string; source?: string } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(NATIVE_DIR, "build", "status.json"), "utf8"));
  } catch {
    return null;
  }
}

let cached: NativeAddon | string | undefined;

/** The loaded addon, or why it cannot be loaded (with the fix). Loads once per process. */
export function loadNativeAddon(): NativeAddon | string {
  if (cached !== undefined) return cached;
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    const st = nativeBuildStatus();
    const why = st && !st.built ? st.reason : "never built";
    cached = `native addon not built (${why}); fix: apt-get install libtorch-dev (or LIBTORCH=/path), then node native/torch_backend/build.js`;
    return cached;
  }
  try {
    cached = require(NATIVE_ADDON_PATH) as NativeAddon;
  } catch (e) {
    cached = `native addon failed to load: ${String((e as Error).message).split("\n")[0]}; fix: rebuild with node native/torch_backend/build.js`;
  }
  return cached;
}
