/**
 * A correct `ResizeBilinearGrad` for the wasm backend.
 *
 * tfjs 4.22.0's gradient kernels ignore `halfPixelCenters` (wasm: max error 2.3 against the adjoint
 * for 7×9 → 12×20 with half-pixel centres; right without), and the cpu backend's kernel returns its
 * result with height and width swapped for non-square inputs ("The gradient of input 'images' has
 * shape '2,10,8,3', which does not match … '2,8,10,3'"). This kernel is the exact adjoint of the
 * bilinear forward (tfjs's formula: source = ratio·r, or ratio·(r+½)−½ with half-pixel centres; floor
 * clamped to 0, ceil to size−1), accumulated in plain JS; test/backend.pool_resize_grads.spec.ts checks
 * ⟨resize(x), dy⟩ = ⟨x, grad(dy)⟩ against the wasm forward.
 */
import * as tf from "@tensorflow/tfjs";
import { toOutput } from "./kernel_tensors";

/** Attributes of the tfjs `ResizeBilinearGrad` kernel. */
export interface ResizeBilinearGradAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function axisWeights(inSize: number, outSize: number, a: ResizeBilinearGradAttrs): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const ratio = a.alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), frac = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = a.halfPixelCenters ? ratio * (o + 0.5) - 0.5 : ratio * o;
    lo[o] = Math.max(0, Math.floor(src));
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    frac[o] = src - lo[o];
  }
  return { lo, hi, frac };
}

/** dx [N,H,W,C] for images of shape `xShape` and dy [N,Ho,Wo,C] (flat NHWC float32). */
export function resizeBilinearGradValues(
  xShape: [number, number, number, number], dy: Float32Array, dyShape: [number, number, number, number], attrs: ResizeBilinearGradAttrs,
): Float32Array {
  const [n, h, w, c] = xShape;
  const [, ho, wo] = dyShape;
  const rows = axisWeights(h, ho, attrs), cols = axisWeights(w, wo, attrs);
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < ho; r++) {
      const t = (b * h + rows.lo[r]) * w, btm = (b * h + rows.hi[r]) * w, rf = rows.frac[r];
      for (let q = 0; q < wo; q++) {
        const l = cols.lo[q], rt = cols.hi[q], cf = cols.frac[q];
        const wtl = (1 - rf) * (1 - cf), wtr = (1 - rf) * cf, wbl = rf * (1 - cf), wbr = rf * cf;
        const src = ((b * ho + r) * wo + q) * c;
        for (let ch = 0; ch < c; ch++) {
          const g = dy[src + ch];
          dx[(t + l) * c + ch] += g * wtl;
          dx[(t + rt) * c + ch] += g * wtr;
          dx[(btm + l) * c + ch] += g * wbl;
          dx[(btm + rt) * c + ch] += g * wbr;
        }
      }
    }
  }
  return dx;
}

/** The kernel function (inputs images, dy). */
export const resizeBilinearGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const kb = backend as tf.KernelBackend;
  const images = inputs.images as tf.TensorInfo, dy = inputs.dy as tf.TensorInfo;
  const dx = resizeBilinearGradValues(images.shape as [number, number, number, number], kb.readSync(dy.dataId) as Float32Array,
    dy.shape as [number, number, number, number], attrs as unknown as ResizeBilinearGradAttrs);
  return toOutput(tf.tensor(dx, images.shape, "float32"), kb);
};
