/**
 * Per-channel reductions and affine maps over the last axis, written for the wasm backend's fast paths
 * (the composed batch-norm kernels of batch_norm_train.ts use them where a backend has no fused one).
 *
 * On tfjs-backend-wasm 4.22 a reduction over all-but-the-last axis transposes the activation first, and
 * a per-channel broadcast multiply runs ~2× slower than a plain one; XNNPACK's pooling and GEMM kernels
 * are the fast ones. Measured on fresh [32,64,64,16] tensors (2 threads, quiet machine, result read
 * back): channel sum 10.5 ms as `tf.sum`, 1.1 ms as a global average pool (a `ones·X` product is no
 * faster: 11 ms, XNNPACK packs X as weights on every call); `x·s + t` 8.0 ms as broadcast mul + add,
 * 5.7 ms as `X·diag(s) + t` (one fused GEMM). The diagonal product costs C multiply-adds per element, so it pays
 * only for narrow layers (C ≤ {@link DIAG_MAX_CHANNELS}); pooling pays only for large maps. Other
 * backends get the plain ops. Results equal the plain ops to float32 rounding (test/nn.channel_ops.spec.ts).
 */
import * as tf from "@tensorflow/tfjs";

/** Widest layer for which the affine map runs as a GEMM with a diagonal matrix on wasm. */
export const DIAG_MAX_CHANNELS = 32;

/** Whether the wasm fast paths apply (the active backend is wasm, or `force` says so for tests). */
function wasmPaths(force?: boolean): boolean {
  return force ?? tf.getBackend() === "wasm";
}

/** `x` [..., C] viewed as [M, C]. */
function rows(x: tf.Tensor): tf.Tensor2D {
  const c = x.shape[x.rank - 1];
  return tf.reshape(x, [x.size / c, c]);
}

/** Smallest H·W for which a channel sum of NHWC runs as a global average pool on wasm. */
export const POOL_MIN_PIXELS = 256;

/**
 * Sum over every axis but the last: [..., C] → [C].
 * @param fast use the pooling path for NHWC maps of at least {@link POOL_MIN_PIXELS} pixels (default: when the backend is wasm)
 */
export function channelSum(x: tf.Tensor, fast?: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    if (x.rank === 1) return tf.clone(x) as tf.Tensor1D;
    const [, h, w, c] = x.shape as [number, number, number, number];
    if (wasmPaths(fast) && x.rank === 4 && h * w >= POOL_MIN_PIXELS) {
      const perImage = tf.avgPool(x as tf.Tensor4D, [h, w], [h, w], "valid"); // [N,1,1,C]
      return tf.reshape(tf.mul(tf.sum(perImage, [0, 1, 2]), h * w), [c]);
    }
    return tf.sum(x, Array.from({ length: x.rank - 1 }, (_, i) => i)) as tf.Tensor1D;
  });
}

/** Mean over every axis but the last: [..., C] → [C]. */
export function channelMean(x: tf.Tensor, fast?: boolean): tf.Tensor1D {
  return tf.tidy(() => tf.div(channelSum(x, fast), x.size / x.shape[x.rank - 1]));
}

/**
 * `x · scale + shift` per channel: [..., C] with [C] scale and shift (null: 1 and 0). Same shape as
 * `x`. Never disposes its inputs.
 * @param fast use the diagonal-GEMM path for narrow layers (default: when the backend is wasm)
 */
export function channelAffine<T extends tf.Tensor>(x: T, scale: tf.Tensor1D | null, shift: tf.Tensor1D | null, fast?: boolean): T {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    if (wasmPaths(fast) && c <= DIAG_MAX_CHANNELS && x.rank > 1) {
      // eye·scale rather than tf.diag: Diag has no gradient in tfjs-core, a broadcast multiply does.
      const d = (scale ? tf.mul(tf.eye(c), scale) : tf.eye(c)) as tf.Tensor2D;
      const y = tf.fused.matMul({ a: rows(x), b: d, bias: shift ?? undefined });
      return tf.reshape(y, x.shape) as T;
    }
    let y: tf.Tensor = scale ? tf.mul(x, scale) : x;
    if (shift) y = tf.add(y, shift);
    return (y === x ? tf.clone(x) : y) as T;
  });
}
