/**
 * A 1×1 'valid' convolution, in the form that is fastest on the active backend. Same values as
 * `tf.conv2d(x, kernel, stride, "valid")` to float32 rounding (test/backend.pointwise_conv.spec.ts).
 *
 * Why two forms: on wasm the composed Conv2DBackpropInput/Filter kernels (and their filter reversal)
 * cost more than matrix products, and two thirds of ResNet50's convolutions are 1×1, so there the
 * convolution runs as a product ({@link pointwiseConvAsMatMul}). On native, oneDNN's 1×1 convolutions
 * (forward and both gradients) run on ATen's OpenMP threads without the strided-pool detour, as in
 * PyTorch, so there it stays a plain convolution.
 */
import * as tf from "@tensorflow/tfjs";

/** Backends whose own Conv2D (and its gradients) beat the matrix-product form for 1×1 filters. */
const CONV_NATIVE = new Set(["native"]);

/**
 * 1×1 convolution, stride `stride`, 'valid' padding.
 * @param x [N, H, W, Cin]; @param kernel [1, 1, Cin, Cout]
 * @returns [N, ceil(H/stride), ceil(W/stride), Cout]
 */
export function pointwiseConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (CONV_NATIVE.has(tf.getBackend())) return tf.conv2d(x, kernel, stride, "valid");
  return pointwiseConvAsMatMul(x, kernel, stride);
}

/**
 * The matrix-product form: [N·H·W, Cin] · [Cin, Cout], whose gradients are products too. Stride s > 1
 * first keeps every s-th pixel with a 1×1 average pool of stride s (exactly what a 1×1 'valid' strided
 * convolution reads; its gradient is AvgPoolGrad).
 * @param x [N, H, W, Cin]; @param kernel [1, 1, Cin, Cout]
 */
export function pointwiseConvAsMatMul(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const h: tf.Tensor4D = stride > 1 ? tf.avgPool(x, 1, stride, "valid") : x;
    const [n, oh, ow, cin] = h.shape;
    const cout = kernel.shape[3];
    const y = tf.matMul(tf.reshape(h, [n * oh * ow, cin]), tf.reshape(kernel, [cin, cout]));
    return tf.reshape(y, [n, oh, ow, cout]);
  });
}
