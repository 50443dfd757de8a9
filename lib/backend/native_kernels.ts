/**
 * The tfjs kernels the `native` backend runs in ATen (native/torch_backend/src/ops_*.cc). Each turns
 * tfjs attributes into the addon's (window sizes and explicit pads from tfjs's own conv/pool info,
 * so SAME/VALID/explicit padding and rounding match tfjs), names the output dtype by tfjs's rules,
 * and returns null for a case it does not cover (NCHW, batchDims, …), which then runs through the cpu
 * fallback (native_fallback.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { DTYPE_CODE } from "./native_addon";
import { Info, NativeBackend } from "./native_backend";
import { BN_TRAIN_GRAD_KERNEL, BN_TRAIN_KERNEL } from "./batch_norm_train";

/** A native kernel: outputs, or null to use the cpu fallback for this call. */
export type NativeKernel = (b: NativeBackend, inputs: tf.NamedTensorInfoMap | Info[], attrs: Record<string, unknown>) => Info | Info[] | null;

/** Run addon op `op` on `inputs`; every output cast to `out`. */
export function runOp(b: NativeBackend, op: string, inputs: Info[], attrs: object, out: tf.DataType): Info[] {
  const r = b.addon.op(op, inputs.map((t) => b.handle(t)), attrs, DTYPE_CODE[out]);
  const res: Info[] = [];
  let k = 1;
  for (let i = 0; i < r[0]; i++) {
    const id = r[k++], rank = r[k++];
    res.push(b.adopt(id, r.slice(k, k + rank), out));
    k += rank;
  }
  return res;
}

const one = (b: NativeBackend, op: string, inputs: Info[], attrs: object, out: tf.DataType): Info => runOp(b, op, inputs, attrs, out)[0];
const floatOnly = (d: tf.DataType): boolean => d === "string" || d === "complex64";
const named = (m: tf.NamedTensorInfoMap | Info[], k: string): Info => (m as tf.NamedTensorInfoMap)[k] as Info;
const list = (m: tf.NamedTensorInfoMap | Info[]): Info[] => (Array.isArray(m) ? m : Object.values(m) as Info[]);
const axes = (a: unknown, shape: number[]): number[] => tf.util.parseAxisParam(a as number | number[], shape);

// ---------------------------------------------------------------- elementwise
const ARITH = ["Add", "Sub", "Multiply", "FloorDiv", "Mod", "Maximum", "Minimum", "Pow", "SquaredDifference", "Prelu"];
const COMPARE = ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr"];
const FLOAT_BINARY = ["RealDiv", "Atan2"];
const SAME_UNARY = ["Neg", "Abs", "Square", "Sign", "Relu", "Relu6", "Floor", "Ceil", "Round", "ZerosLike", "OnesLike"];
const FLOAT_UNARY = ["Exp", "Expm1", "Log", "Log1p", "Sqrt", "Rsqrt", "Reciprocal", "Sigmoid", "Tanh", "Softplus", "Elu", "Selu", "Erf", "Sin", "Cos"];
const BOOL_UNARY = ["IsNan", "LogicalNot"];

function binary(op: string, out: (a: Info, b: Info) => tf.DataType): NativeKernel {
  return (b, inp) => {
    const x = named(inp, op === "Prelu" ? "x" : "a"), y = named(inp, op === "Prelu" ? "alpha" : "b");
    if (floatOnly(x.dtype) || floatOnly(y.dtype)) return null;
    return one(b, op, [x, y], {}, out(x, y));
  };
}

function unary(op: string, out: (x: Info) => tf.DataType, attrs: (a: Record<string, unknown>) => object = () => ({})): NativeKernel {
  return (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    return one(b, op, [x], attrs(a), out(x));
  };
}

// ---------------------------------------------------------------- reductions
function reduce(op: string, axisKey: string, out: (x: Info) => tf.DataType): NativeKernel {
  return (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    return one(b, op, [x], { axes: axes(a[axisKey], x.shape), keepDims: Boolean(a.keepDims) }, out(x));
  };
}

// ---------------------------------------------------------------- conv and pool
interface WindowAttrs { kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pb: number; pl: number; pr: number }

function windowOf(c: tf.backend_util.Conv2DInfo): WindowAttrs {
  return {
    kh: c.filterHeight, kw: c.filterWidth, sh: c.strideHeight, sw: c.strideWidth, dh: c.dilationHeight, dw: c.dilationWidth,
    pt: c.padInfo.top, pb: c.padInfo.bottom, pl: c.padInfo.left, pr: c.padInfo.right,
  };
}

/** Whether ATen's floor-rounded output size with these explicit pads equals tfjs's. */
function atenMatches(c: tf.backend_util.Conv2DInfo): boolean {
  const out = (n: number, k: number, s: number, d: number, p: number): number => Math.floor((n + p - d * (k - 1) - 1) / s) + 1;
  return out(c.inHeight, c.filterHeight, c.strideHeight, c.dilationHeight, c.padInfo.top + c.padInfo.bottom) === c.outHeight &&
    out(c.inWidth, c.filterWidth, c.strideWidth, c.dilationWidth, c.padInfo.left + c.padInfo.right) === c.outWidth;
}

type PadArg = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
type Rounding = "floor" | "round" | "ceil" | undefined;

function convInfo(xShape: number[], wShape: number[], a: Record<string, unknown>, depthwise = false): tf.backend_util.Conv2DInfo | null {
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") return null;
  const c = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], wShape as [number, number, number, number],
    a.strides as [number, number], (a.dilations ?? 1) as [number, number], a.pad as PadArg, a.dimRoundingMode as Rounding, depthwise);
  return atenMatches(c) ? c : null;
}

function poolInfo(xShape: number[], a: Record<string, unknown>): tf.backend_util.Conv2DInfo | null {
  const c = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize as [number, number],
    a.strides as [number, number], 1, a.pad as PadArg, a.dimRoundingMode as Rounding);
  return atenMatches(c) ? c : null;
}

const float = (t: Info): boolean => t.dtype === "float32";

function fusedExtras(inputs: Info[], bias: Info | undefined, prelu: Info | undefined, a: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = { activation: a.activation ?? "linear" };
  if (a.leakyreluAlpha !== undefined) extra.leakyreluAlpha = a.leakyreluAlpha;
  if (bias) { extra.bias = inputs.length; inputs.push(bias); }
  if (prelu) { extra.prelu = inputs.length; inputs.push(prelu); }
  return extra;
}

const conv2d: NativeKernel = (b, inp, a) => {
  const x = named(inp, "x"), w = named(inp, "filter");
  const c = float(x) && float(w) ? convInfo(x.shape, w.shape, a) : null;
  return c ? one(b, "Conv2D", [x, w], windowOf(c), "float32") : null;
};

const depthwise: NativeKernel = (b, inp, a) => {
  const x = named(inp, "x"), w = named(inp, "filter");
  const c = float(x) && float(w) ? convInfo(x.shape, w.shape, a, true) : null;
  return c ? one(b, "Conv2D", [x, w], { ...windowOf(c), depthwise: true }, "float32") : null;
};

const fusedConv2d: NativeKernel = (b, inp, a) => {
  const x = named(inp, "x"), w = named(inp, "filter");
  const c = float(x) && float(w) ? convInfo(x.shape, w.shape, a) : null;
  if (!c) return null;
  const inputs = [x, w];
  const extra = fusedExtras(inputs, named(inp, "bias"), named(inp, "preluActivationWeights"), a);
  return one(b, "FusedConv2D", inputs, { ...windowOf(c), ...extra }, "float32");
};

const conv2dBackpropInput: NativeKernel = (b, inp, a) => {
  const dy = named(inp, "dy"), w = named(inp, "filter");
  const shape = a.inputShape as number[];
  const c = convInfo(shape, w.shape, { ...a, dilations: 1 });
  return c ? one(b, "Conv2DBackpropInput", [dy, w], { ...windowOf(c), inShape: shape }, "float32") : null;
};

const conv2dBackpropFilter: NativeKernel = (b, inp, a) => {
  const x = named(inp, "x"), dy = named(inp, "dy");
  const shape = a.filterShape as number[];
  const c = convInfo(x.shape, shape, { ...a, dilations: 1 });
  return c ? one(b, "Conv2DBackpropFilter", [x, dy], { ...windowOf(c), filterShape: shape }, "float32") : null;
};

function pool(op: "MaxPool" | "AvgPool"): NativeKernel {
  return (b, inp, a) => {
    const x = named(inp, "x");
    const c = float(x) ? poolInfo(x.shape, a) : null;
    return c ? one(b, op, [x], windowOf(c), "float32") : null;
  };
}

const maxPoolGrad: NativeKernel = (b, inp, a) => {
  const dy = named(inp, "dy"), x = named(inp, "input");
  const c = poolInfo(x.shape, a);
  return c ? one(b, "MaxPoolGrad", [dy, x], windowOf(c), "float32") : null;
};

const avgPoolGrad: NativeKernel = (b, inp, a) => {
  const dy = named(inp, "dy"), x = named(inp, "input");
  const c = poolInfo(x.shape, a);
  return c ? one(b, "AvgPoolGrad", [dy, x], windowOf(c), "float32") : null;
};

// ---------------------------------------------------------------- the table
const same = (x: Info): tf.DataType => x.dtype;
const f32 = (): tf.DataType => "float32";
const bool = (): tf.DataType => "bool";
const intUp = (x: Info): tf.DataType => (x.dtype === "float32" ? "float32" : "int32");

/** Kernel name -> native implementation. */
export const NATIVE_KERNELS: Record<string, NativeKernel> = {
  Conv2D: conv2d,
  DepthwiseConv2dNative: depthwise,
  FusedConv2D: fusedConv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  MaxPool: pool("MaxPool"),
  AvgPool: pool("AvgPool"),
  MaxPoolGrad: maxPoolGrad,
  AvgPoolGrad: avgPoolGrad,
  BatchMatMul: (b, inp, a) => {
    const x = named(inp, "a"), y = named(inp, "b");
    if (!float(x) || !float(y)) return null;
    return one(b, "BatchMatMul", [x, y], { transposeA: Boolean(a.transposeA), transposeB: Boolean(a.transposeB) }, "float32");
  },
  _FusedMatMul: (b, inp, a) => {
    const x = named(inp, "a"), y = named(inp, "b");
    if (!float(x) || !float(y)) return null;
    const inputs = [x, y];
    const extra = fusedExtras(inputs, named(inp, "bias"), named(inp, "preluActivationWeights"), a);
    return one(b, "_FusedMatMul", inputs, { transposeA: Boolean(a.transposeA), transposeB: Boolean(a.transposeB), ...extra }, "float32");
  },
  FusedBatchNorm: (b, inp, a) => {
    const ins = [named(inp, "x"), named(inp, "mean"), named(inp, "variance")];
    if (!ins.every(float)) return null;
    const idx = (t: Info | undefined): number => (t ? ins.push(t) - 1 : -1);
    const offset = idx(named(inp, "offset")), scale = idx(named(inp, "scale"));
    return one(b, "FusedBatchNorm", ins, { offset, scale, eps: a.varianceEpsilon ?? 0.001 }, "float32");
  },
  CropAndResize: (b, inp, a) => {
    const image = named(inp, "image"), boxes = named(inp, "boxes"), boxInd = named(inp, "boxInd");
    const [cropHeight, cropWidth] = a.cropSize as [number, number];
    if (floatOnly(image.dtype) || image.shape.length !== 4) return null;
    return one(b, "CropAndResize", [image, boxes, boxInd], {
      cropHeight, cropWidth, nearest: a.method === "nearest", extrapolationValue: Number(a.extrapolationValue ?? 0),
    }, "float32");
  },
  // Our own kernels (batch_norm_train.ts): ATen's fused training batch norm and its gradient.
  // Optional last inputs: the residual (forward) and the ReLU's output (gradient).
  [BN_TRAIN_KERNEL]: (b, inp, a) => {
    const ins = [named(inp, "x"), named(inp, "gamma"), named(inp, "beta"), named(inp, "residual")].filter(Boolean);
    return ins.every(float) ? runOp(b, "BatchNormTrain", ins, { eps: a.epsilon, relu: Boolean(a.relu) }, "float32") : null;
  },
  [BN_TRAIN_GRAD_KERNEL]: (b, inp, a) => {
    const ins = [named(inp, "dy"), named(inp, "x"), named(inp, "gamma"), named(inp, "mean"), named(inp, "variance"), named(inp, "reluOut")].filter(Boolean);
    return ins.every(float) ? runOp(b, "BatchNormTrainGrad", ins, { eps: a.epsilon, relu: Boolean(a.relu) }, "float32") : null;
  },
  Softmax: (b, inp, a) => {
    const x = named(inp, "logits");
    const dim = a.dim === undefined ? -1 : Number(a.dim);
    if (!float(x) || (dim !== -1 && dim !== x.shape.length - 1)) return null;
    return one(b, "Softmax", [x], {}, "float32");
  },
  Sum: reduce("Sum", "axis", intUp),
  Prod: reduce("Prod", "axis", intUp),
  Mean: reduce("Mean", "axis", f32),
  Max: reduce("Max", "reductionIndices", same),
  Min: reduce("Min", "axis", same),
  All: reduce("All", "axis", bool),
  Any: reduce("Any", "axis", bool),
  ArgMax: (b, inp, a) => { const x = named(inp, "x"); return floatOnly(x.dtype) ? null : one(b, "ArgMax", [x], { axis: axes(a.axis, x.shape)[0] }, "int32"); },
  ArgMin: (b, inp, a) => { const x = named(inp, "x"); return floatOnly(x.dtype) ? null : one(b, "ArgMin", [x], { axis: axes(a.axis, x.shape)[0] }, "int32"); },
  Step: unary("Step", same, (a) => ({ alpha: a.alpha ?? 0 })),
  LeakyRelu: unary("LeakyRelu", same, (a) => ({ alpha: a.alpha })),
  ClipByValue: unary("ClipByValue", same, (a) => ({ clipValueMin: a.clipValueMin, clipValueMax: a.clipValueMax })),
  Cast: (b, inp, a) => {
    const x = named(inp, "x"), to = a.dtype as tf.DataType;
    if (floatOnly(x.dtype) || floatOnly(to)) return null;
    return one(b, "Cast", [x], { dtype: DTYPE_CODE[to] }, to);
  },
  Identity: (b, inp) => {
    const x = named(inp, "x");
    b.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  },
  Reshape: (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    const shape = tf.util.inferFromImplicitShape(a.shape as number[], tf.util.sizeFromShape(x.shape));
    return one(b, "Reshape", [x], { shape }, x.dtype);
  },
  Transpose: (b, inp, a) => { const x = named(inp, "x"); return floatOnly(x.dtype) ? null : one(b, "Transpose", [x], { perm: a.perm }, x.dtype); },
  Fill: (b, _inp, a) => {
    const dtype = (a.dtype ?? "float32") as tf.DataType;
    if (floatOnly(dtype) || typeof a.value !== "number") return null;
    return one(b, "Fill", [], { shape: a.shape, value: a.value, dtype: DTYPE_CODE[dtype] }, dtype);
  },
  Range: (b, _inp, a) => {
    const dtype = (a.dtype ?? "float32") as tf.DataType;
    if (dtype !== "float32" && dtype !== "int32") return null;
    return one(b, "Range", [], { start: Number(a.start), stop: Number(a.stop), step: Number(a.step), dtype: DTYPE_CODE[dtype] }, dtype);
  },
  Concat: (b, inp, a) => {
    const xs = list(inp);
    if (xs.some((t) => floatOnly(t.dtype))) return null;
    const out = xs.map((t) => t.dtype).reduce((p, q) => tf.upcastType(p, q));
    return one(b, "Concat", xs, { axis: axes(a.axis, xs[0].shape)[0] }, out);
  },
  Pack: (b, inp, a) => {
    const xs = list(inp);
    if (xs.some((t) => floatOnly(t.dtype))) return null;
    const axis = Number(a.axis) < 0 ? Number(a.axis) + xs[0].shape.length + 1 : Number(a.axis);
    return one(b, "Pack", xs, { axis }, xs[0].dtype);
  },
  Unpack: (b, inp, a) => {
    const x = named(inp, "value");
    return floatOnly(x.dtype) ? null : runOp(b, "Unpack", [x], { axis: axes(a.axis, x.shape)[0] }, x.dtype);
  },
  SplitV: (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    const axis = axes(a.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x, a.numOrSizeSplits as number[] | number, axis);
    return runOp(b, "SplitV", [x], { sizes, axis }, x.dtype);
  },
  Slice: (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    const [begin, size] = tf.slice_util.parseSliceParams(x, a.begin as number[], a.size as number[]);
    return one(b, "Slice", [x], { begin, size }, x.dtype);
  },
  PadV2: (b, inp, a) => {
    const x = named(inp, "x");
    if (floatOnly(x.dtype)) return null;
    return one(b, "PadV2", [x], { paddings: (a.paddings as [number, number][]).flat(), value: a.constantValue ?? 0 }, x.dtype);
  },
  Tile: (b, inp, a) => { const x = named(inp, "x"); return floatOnly(x.dtype) ? null : one(b, "Tile", [x], { reps: a.reps }, x.dtype); },
  Reverse: (b, inp, a) => { const x = named(inp, "x"); return floatOnly(x.dtype) ? null : one(b, "Reverse", [x], { dims: axes(a.dims, x.shape) }, x.dtype); },
  GatherV2: (b, inp, a) => {
    const x = named(inp, "x"), idx = named(inp, "indices");
    if (floatOnly(x.dtype) || Number(a.batchDims ?? 0) !== 0) return null;
    return one(b, "GatherV2", [x, idx], { axis: axes(a.axis, x.shape)[0] }, x.dtype);
  },
  OneHot: (b, inp, a) => {
    const dtype = (a.dtype ?? "int32") as tf.DataType;
    if (floatOnly(dtype)) return null;
    return one(b, "OneHot", [named(inp, "indices")], { depth: a.depth, onValue: a.onValue ?? 1, offValue: a.offValue ?? 0, dtype: DTYPE_CODE[dtype] }, dtype);
  },
  Select: (b, inp) => {
    const c = named(inp, "condition"), t = named(inp, "t"), e = named(inp, "e");
    if (floatOnly(t.dtype) || floatOnly(e.dtype)) return null;
    return one(b, "Select", [c, t, e], {}, tf.upcastType(t.dtype, e.dtype));
  },
  AddN: (b, inp) => {
    const xs = list(inp);
    if (xs.some((t) => floatOnly(t.dtype))) return null;
    return one(b, "AddN", xs, {}, xs.map((t) => t.dtype).reduce((p, q) => tf.upcastType(p, q)));
  },
};

for (const op of ARITH) NATIVE_KERNELS[op] = binary(op, (x, y) => tf.upcastType(x.dtype, y.dtype));
for (const op of COMPARE) NATIVE_KERNELS[op] = binary(op, bool);
for (const op of FLOAT_BINARY) NATIVE_KERNELS[op] = binary(op, f32);
for (const op of SAME_UNARY) NATIVE_KERNELS[op] = unary(op, same);
for (const op of FLOAT_UNARY) NATIVE_KERNELS[op] = unary(op, f32);
for (const op of BOOL_UNARY) NATIVE_KERNELS[op] = unary(op, bool);
