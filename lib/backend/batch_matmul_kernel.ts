/**
 * A faster wasm path for a kernel whose stock wasm implementation hits a slow case in training
 * (measured on tfjs-backend-wasm 4.22.0, 2 threads, shapes of the bench CNN):
 *  - `BatchMatMul` with `transposeA`/`transposeB`: 26 ms / 42 ms for [2048,64]ᵀ·[2048,128] vs 2.8 ms
 *    for an explicit `Transpose` then a plain product → we transpose explicitly (weight gradients of
 *    dense layers and 1×1 convs use these flags).
 * Every other case calls the stock kernel unchanged. Results match the stock kernels to float32
 * rounding (test/backend.batch_matmul_kernel.spec.ts).
 * Tried and dropped (no gain inside a training step, CPU-time A/B): Sum/Mean over all-but-last axes as
 * a ones·x product; MaxPoolGrad recomputed from window-position masks (slower than stock).
 */
import * as tf from "@tensorflow/tfjs";
import { wrapInput } from "./kernel_tensors";

type Kernel = tf.KernelFunc;

/** BatchMatMul: explicit transposes, then the stock kernel without flags. */
export function batchMatMulKernel(stock: Kernel): Kernel {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stock(args);
    const kb = args.backend as tf.KernelBackend;
    const a = wrapInput(args.inputs.a as tf.TensorInfo, kb), b = wrapInput(args.inputs.b as tf.TensorInfo, kb);
    const swapLast = (t: tf.Tensor) => tf.transpose(t, [...t.shape.keys()].map((i) => (i === t.rank - 2 ? t.rank - 1 : i === t.rank - 1 ? t.rank - 2 : i)));
    const at = transposeA ? swapLast(a) : a, bt = transposeB ? swapLast(b) : b;
    try {
      return stock({ ...args, inputs: { a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    } finally {
      tf.dispose([a, b, at, bt]);
    }
  };
}
