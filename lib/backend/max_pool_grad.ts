/**
 * A correct `MaxPoolGrad` for the wasm backend.
 *
 * tfjs-backend-wasm 4.22.0's own MaxPoolGrad returns wrong gradients (e.g. max |error| 0.93 against a
 * direct loop and against the cpu backend for a 1×8×8×1 input, 2×2 pool, stride 2; right for 1×4×4×1;
 * test/backend.max_pool_grad.spec.ts), which silently corrupts CNN training on wasm. This kernel
 * scatters each dy to the first maximum of its window (strict `>` in row-major window order, padding
 * skipped: the cpu backend's rule), in plain JS over the backend's data (a few ms for 2M elements).
 */
import * as tf from "@tensorflow/tfjs";
import { toOutput } from "./kernel_tensors";

/** Attributes of the tfjs `MaxPoolGrad` kernel. */
export interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * dx [N,H,W,C] of `maxPool(x)` given x, dy [N,Ho,Wo,C] as flat float32 arrays (NHWC).
 * @throws when dy's length does not match the pooling output shape
 */
export function maxPoolGradValues(
  x: Float32Array, xShape: [number, number, number, number], dy: Float32Array, attrs: MaxPoolGradAttrs,
): Float32Array {
  const info = tf.backend_util.computePool2DInfo(xShape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [n, h, w, c] = xShape;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  if (dy.length !== n * ho * wo * c) {
    throw new Error(`lib/backend/max_pool_grad.ts: dy has ${dy.length} values, pooling output [${n},${ho},${wo},${c}] needs ${n * ho * wo * c}`);
  }
  const dx = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const r0 = i * sh - top;
      for (let j = 0; j < wo; j++) {
        const c0 = j * sw - left;
        const dyBase = ((b * ho + i) * wo + j) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity, at = -1;
          for (let a = 0; a < fh; a++) {
            const r = r0 + a;
            if (r < 0 || r >= h) continue;
            for (let k = 0; k < fw; k++) {
              const cc = c0 + k;
              if (cc < 0 || cc >= w) continue;
              const idx = ((b * h + r) * w + cc) * c + ch;
              if (x[idx] > best) { best = x[idx]; at = idx; }
            }
          }
          if (at >= 0) dx[at] += dy[dyBase + ch];
        }
      }
    }
  }
  return dx;
}

/**
 * dx for the common non-overlapping case (window = stride, no padding, windows tile the input
 * exactly: ResNet's 2×2/2 pools): each input belongs to one window, so dx is written once per element.
 * Same rule and result as {@link maxPoolGradValues}, several times faster (no per-element bounds
 * checks or scattered accumulation). `dx` must be zero-filled, length of x.
 */
function maxPoolGradTiled(x: Float32Array, xShape: [number, number, number, number], dy: Float32Array, f: number, dx: Float32Array): void {
  const [n, h, w, c] = xShape;
  const ho = h / f, wo = w / f;
  const rowStride = w * c;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const base = ((b * h + i * f) * w + j * f) * c;
        const dyBase = ((b * ho + i) * wo + j) * c;
        for (let ch = 0; ch < c; ch++) {
          let at = base + ch, best = x[at];
          for (let a = 0; a < f; a++) {
            let idx = base + a * rowStride + ch;
            for (let k = 0; k < f; k++, idx += c) {
              if (x[idx] > best) { best = x[idx]; at = idx; }
            }
          }
          dx[at] = dy[dyBase + ch];
        }
      }
    }
  }
}

/** The window size when `attrs` pool non-overlapping windows that tile `xShape` exactly, else 0. */
function tiledWindow(xShape: number[], attrs: MaxPoolGradAttrs): number {
  const fs = typeof attrs.filterSize === "number" ? [attrs.filterSize, attrs.filterSize] : attrs.filterSize;
  const st = typeof attrs.strides === "number" ? [attrs.strides, attrs.strides] : attrs.strides;
  const f = fs[0];
  const fits = fs[1] === f && st[0] === f && st[1] === f && xShape[1] % f === 0 && xShape[2] % f === 0;
  const noPad = attrs.pad === "valid" || attrs.pad === 0 || attrs.pad === "same";
  return fits && noPad ? f : 0;
}

/** What the wasm backend offers beyond `KernelBackend` (heap views without a copy). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function hasHeap(b: tf.KernelBackend): b is tf.KernelBackend & HeapBackend {
  const h = b as unknown as Partial<HeapBackend>;
  return typeof h.makeOutput === "function" && typeof h.typedArrayFromHeap === "function";
}

/** The kernel function (inputs dy, input, output; float32 NHWC). */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const kb = backend as tf.KernelBackend;
  const x = inputs.input as tf.TensorInfo, dy = inputs.dy as tf.TensorInfo;
  const a = attrs as unknown as MaxPoolGradAttrs;
  const shape = x.shape as [number, number, number, number];
  const f = tiledWindow(shape, a);
  if (f > 0 && hasHeap(kb)) {
    // Read and write the wasm heap in place ('same' padding is zero here since windows tile the input).
    const out = kb.makeOutput(x.shape, "float32");
    const dx = kb.typedArrayFromHeap(out);
    dx.fill(0);
    maxPoolGradTiled(kb.typedArrayFromHeap(x), shape, kb.typedArrayFromHeap(dy), f, dx);
    return out;
  }
  const xv = kb.readSync(x.dataId) as Float32Array, dyv = kb.readSync(dy.dataId) as Float32Array;
  const dx = maxPoolGradValues(xv, shape, dyv, a);
  return toOutput(tf.tensor(dx, x.shape, "float32"), kb);
};
