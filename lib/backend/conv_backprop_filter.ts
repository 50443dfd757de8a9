/**
 * `Conv2DBackpropFilter` (the filter gradient of conv2d) composed from fast forward ops, for backends
 * that lack it (wasm) or run it slowly (cpu: 42 s vs 1 s for 8²·128→128, docs/toolchain.md §4b).
 *
 * dW[a,b,ci,co] = Σ_{n,i,j} xpad[n, i·s+a, j·s+b, ci] · dy[n,i,j,co]
 * is a stride-1 "valid" conv of xpadᵀ = [Ci, Hp, Wp, N] with dyᵀ = [Ho, Wo, N, Co] as filter and
 * dilation s, sliced to [kh, kw] and transposed back. A 1×1 kernel is a single matMul.
 */
import * as tf from "@tensorflow/tfjs";
import { padOrCrop4d } from "./kernel_tensors";

/** Attributes of the tfjs `Conv2DBackpropFilter` kernel (NHWC only). */
export interface ConvFilterGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

/**
 * Filter gradient of `conv2d(x, W, strides, pad)` for NHWC `x` [N,H,W,Ci] and `dy` [N,Ho,Wo,Co];
 * returns [kh,kw,Ci,Co]. Never disposes its inputs.
 * @throws for NCHW data or a dy whose shape does not match the conv's output shape
 */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: ConvFilterGradAttrs): tf.Tensor4D {
  if (attrs.dataFormat !== "NHWC") {
    throw new Error(`lib/backend/conv_backprop_filter.ts: only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const fs = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, fs, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2] || fs[3] !== dy.shape[3]) {
    throw new Error(`lib/backend/conv_backprop_filter.ts: dy [${dy.shape}] does not match conv output ` +
      `[${x.shape[0]},${info.outHeight},${info.outWidth},${fs[3]}] of x [${x.shape}] and filter [${fs}]`);
  }
  const [kh, kw, ci, co] = fs;
  const { top, bottom, left, right } = info.padInfo;
  const sh = info.strideHeight, sw = info.strideWidth;
  return tf.tidy(() => {
    if (kh === 1 && kw === 1 && top === 0 && left === 0) {
      // 1×1: dW = xsᵀ·dy with xs the strided samples of x.
      const xs = sh === 1 && sw === 1 && x.shape[1] === dy.shape[1] && x.shape[2] === dy.shape[2]
        ? x
        : tf.stridedSlice(x, [0, 0, 0, 0], [x.shape[0], (dy.shape[1] - 1) * sh + 1, (dy.shape[2] - 1) * sw + 1, ci], [1, sh, sw, 1]) as tf.Tensor4D;
      const m = x.shape[0] * dy.shape[1] * dy.shape[2];
      return tf.reshape(tf.matMul(tf.reshape(xs, [m, ci]), tf.reshape(dy, [m, co]), true, false), fs);
    }
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;  // [Ho, Wo, N, Co]
    let g: tf.Tensor4D;
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
      // Transpose first and let the conv pad (one copy of x instead of two).
      const xT = tf.transpose(x, [3, 1, 2, 0]);                // [Ci, H, W, N]
      g = tf.conv2d(xT, dyT, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], "NHWC", [sh, sw]);
    } else {
      const xT = tf.transpose(padOrCrop4d(x, [top, bottom, left, right]), [3, 1, 2, 0]);
      g = tf.conv2d(xT, dyT, 1, "valid", "NHWC", [sh, sw]);   // [Ci, Hp-(Ho-1)s, Wp-(Wo-1)s, Co]
    }
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}
