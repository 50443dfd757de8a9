/**
 * `Conv2DBackpropInput` (the input gradient of conv2d, also the forward pass of conv2dTranspose)
 * as a stride-1 conv2d of (zero-dilated) dy with the flipped, transposed filter.
 *
 * dx[n,h,w,ci] = Σ dyd[n, h+top-a, w+left-b, co] · W[a,b,ci,co] where dyd is dy with s-1 zeros
 * inserted between samples; that is conv2d(pad(dyd), flip(W)ᵀ, 1) with top pad kh-1-top.
 * For stride 1 wasm's stock kernel runs at ~2 GFLOP/s vs ~20 for conv2d (docs/toolchain.md §4b).
 */
import * as tf from "@tensorflow/tfjs";
import { padOrCrop4d } from "./kernel_tensors";

/** Attributes of the tfjs `Conv2DBackpropInput` kernel (NHWC only). */
export interface ConvInputGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  inputShape: [number, number, number, number];
}

/**
 * `transpose(reverse(W, [0, 1]), [0, 1, 3, 2])` for a filter [kh,kw,Ci,Co], computed in JS: filters
 * are small, and wasm's Reverse kernel takes ~1 ms even for a 3×3×16×16 one.
 */
export function flippedTransposedFilter(w: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const src = w.dataSync();
  const out = new Float32Array(src.length);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co, to = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[to + o * ci + i] = src[from + i * co + o];
    }
  }
  return tf.tensor4d(out, [kh, kw, co, ci]);
}

/**
 * Input gradient of `conv2d(x, W, strides, pad)` for `dy` [N,Ho,Wo,Co] and `W` [kh,kw,Ci,Co];
 * returns [N,H,W,Ci] = `attrs.inputShape`. Never disposes its inputs.
 * @throws for NCHW data or a dy whose shape does not match the conv's output shape
 */
export function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: ConvInputGradAttrs): tf.Tensor4D {
  if (attrs.dataFormat !== "NHWC") {
    throw new Error(`lib/backend/conv_backprop_input.ts: only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const inShape = attrs.inputShape;
  const info = tf.backend_util.computeConv2DInfo(inShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2] || filter.shape[3] !== dy.shape[3]) {
    throw new Error(`lib/backend/conv_backprop_input.ts: dy [${dy.shape}] does not match conv output ` +
      `[${inShape[0]},${info.outHeight},${info.outWidth},${filter.shape[3]}] of input [${inShape}] and filter [${filter.shape}]`);
  }
  const [kh, kw] = filter.shape;
  const [n, ho, wo, co] = dy.shape;
  const sh = info.strideHeight, sw = info.strideWidth;
  const { top, left } = info.padInfo;
  return tf.tidy(() => {
    let d: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      // Insert s-1 zeros after every sample: [N,Ho,1,Wo,1,C] → pad → [N,Ho·sh,Wo·sw,C].
      const d6 = tf.pad(tf.reshape(dy, [n, ho, 1, wo, 1, co]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      d = tf.reshape(d6, [n, ho * sh, wo * sw, co]);
    }
    const pt = kh - 1 - top, pl = kw - 1 - left;
    const pb = inShape[1] - d.shape[1] - pt + kh - 1, pr = inShape[2] - d.shape[2] - pl + kw - 1;
    const wf = flippedTransposedFilter(filter); // [kh,kw,Co,Ci]
    if (pt >= 0 && pb >= 0 && pl >= 0 && pr >= 0) {
      // Let the conv pad (no padded copy of dy).
      return tf.conv2d(d, wf, 1, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
    }
    return tf.conv2d(padOrCrop4d(d, [pt, pb, pl, pr]), wf, 1, "valid");
  });
}
