/**
 * Bridging between kernel-level `TensorInfo`s and ordinary tensors, so a kernel can be written with
 * tfjs ops (composite kernel). Ops called inside a kernel do not record gradients (kernel depth > 0).
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Wrap a kernel input as a tensor that may be disposed freely. The backend ref count is raised first:
 * without it, disposing the wrapper would free the caller's data (later: "Cannot read properties of
 * undefined (reading 'backend')"; docs/toolchain.md §4a).
 */
export function wrapInput<T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo, backend: tf.KernelBackend): T {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as T;
}

/**
 * Hand a result tensor to the engine as a kernel output: keep its data alive (one backend ref for the
 * engine's new wrapper), dispose our tensor object, and return the bare `TensorInfo`.
 */
export function toOutput(t: tf.Tensor, backend: tf.KernelBackend): tf.TensorInfo {
  backend.incRef(t.dataId);
  const info: tf.TensorInfo = { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
  t.dispose();
  return info;
}

/**
 * Pad (positive amounts) or crop (negative amounts) the two spatial axes of an NHWC tensor.
 * @param amounts [top, bottom, left, right]
 * @returns `t` itself when all amounts are 0 (never disposes `t`)
 */
export function padOrCrop4d(t: tf.Tensor4D, amounts: [number, number, number, number]): tf.Tensor4D {
  const [top, bottom, left, right] = amounts;
  return tf.tidy(() => {
    let r = t;
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      r = tf.pad(r, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
    }
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = r.shape;
      const t0 = Math.max(-top, 0), l0 = Math.max(-left, 0);
      r = tf.slice(r, [0, t0, l0, 0], [n, h - t0 - Math.max(-bottom, 0), w - l0 - Math.max(-right, 0), c]);
    }
    return r;
  });
}
