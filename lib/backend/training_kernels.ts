/**
 * Register the training kernels the tfjs wasm backend lacks or runs slowly:
 *  - `Conv2DBackpropFilter` (missing on wasm: conv2d, conv2dTranspose and their gradients need it);
 *  - `Conv2DBackpropInput` replaced by the composed version (stock runs ~10× slower than conv2d);
 *    the original kernel's `setupFunc` is kept (else: "wasmConv2DBackpropInput is not a function").
 *  - `MaxPoolGrad` replaced: the stock wasm kernel returns wrong gradients (max_pool_grad.ts);
 *  - `ResizeBilinearGrad` replaced: the stock one ignores `halfPixelCenters` (resize_bilinear_grad.ts);
 *  - `BatchMatMul` with transpose flags wrapped with faster paths for slow cases (batch_matmul_kernel.ts), stock otherwise;
 *  - `Identity` replaced by a zero-copy one (the stock wasm kernel copies: the engine clones every tensor
 *    a gradient saves through it, ~110 full-size copies per ResNet training step; tensors are immutable,
 *    so sharing the data with a ref count is what the cpu backend does too).
 * Everything else a ResNet (conv, batch norm via moments, relu, max/avg pool, dense, softmax CE) and a
 * Conv2DTranspose U-Net decoder (plus concat, resize) need has a wasm kernel. Depthwise-conv gradients
 * (`DepthwiseConv2dNativeBackprop*`) are still missing on wasm; no model here uses depthwise convs.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dFilterGrad, ConvFilterGradAttrs } from "./conv_backprop_filter";
import { conv2dInputGrad, ConvInputGradAttrs } from "./conv_backprop_input";
import { toOutput, wrapInput } from "./kernel_tensors";
import { batchMatMulKernel } from "./batch_matmul_kernel";
import { maxPoolGradKernel } from "./max_pool_grad";
import { resizeBilinearGradKernel } from "./resize_bilinear_grad";

/** What {@link registerTrainingKernels} did, per kernel name. */
export interface KernelRegistration {
  /** Kernel names newly registered (were missing). */
  added: string[];
  /** Kernel names whose implementation was replaced (setupFunc kept). */
  replaced: string[];
}

const filterGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const kb = backend as tf.KernelBackend;
  const x = wrapInput<tf.Tensor4D>(inputs.x as tf.TensorInfo, kb);
  const dy = wrapInput<tf.Tensor4D>(inputs.dy as tf.TensorInfo, kb);
  try {
    return toOutput(conv2dFilterGrad(x, dy, attrs as unknown as ConvFilterGradAttrs), kb);
  } finally {
    tf.dispose([x, dy]);
  }
};

function inputGradKernel(original: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const a = args.attrs as unknown as ConvInputGradAttrs;
    if (a.dataFormat !== "NHWC" && original) return original(args);
    const kb = args.backend as tf.KernelBackend;
    const dy = wrapInput<tf.Tensor4D>(args.inputs.dy as tf.TensorInfo, kb);
    const filter = wrapInput<tf.Tensor4D>(args.inputs.filter as tf.TensorInfo, kb);
    try {
      return toOutput(conv2dInputGrad(dy, filter, a), kb);
    } finally {
      tf.dispose([dy, filter]);
    }
  };
}

/** Identity sharing the input's data (ref-counted) instead of copying it; strings keep the stock kernel. */
function identityKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return stock(args);
    (args.backend as tf.KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}

const registered = new Set<string>();

/**
 * Register the training kernels listed at the top of this file for `backendName` (default "wasm").
 * Idempotent; call before or after the backend is initialised (a kept setupFunc already ran or will
 * run at init). On "cpu" only the conv filter gradient is replaced (stock: 42 s vs 1 s for 8²·128→128, docs/toolchain.md §4b).
 */
export function registerTrainingKernels(backendName = "wasm"): KernelRegistration {
  const out: KernelRegistration = { added: [], replaced: [] };
  if (registered.has(backendName)) return out;
  registered.add(backendName);
  const stockFilter = tf.getKernel("Conv2DBackpropFilter", backendName);
  if (stockFilter) tf.unregisterKernel("Conv2DBackpropFilter", backendName);
  tf.registerKernel({ ...(stockFilter ?? {}), kernelName: "Conv2DBackpropFilter", backendName, kernelFunc: filterGradKernel });
  (stockFilter ? out.replaced : out.added).push("Conv2DBackpropFilter");
  if (backendName === "cpu") return out;
  const stock = tf.getKernel("Conv2DBackpropInput", backendName);
  if (stock) tf.unregisterKernel("Conv2DBackpropInput", backendName);
  tf.registerKernel({
    ...(stock ?? {}),
    kernelName: "Conv2DBackpropInput", backendName, kernelFunc: inputGradKernel(stock?.kernelFunc ?? null),
  });
  (stock ? out.replaced : out.added).push("Conv2DBackpropInput");
  const fixes: [string, tf.KernelFunc][] = [["MaxPoolGrad", maxPoolGradKernel], ["ResizeBilinearGrad", resizeBilinearGradKernel]];
  for (const [kernelName, kernelFunc] of fixes) {
    const k = tf.getKernel(kernelName, backendName);
    if (k) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ ...(k ?? {}), kernelName, backendName, kernelFunc });
    (k ? out.replaced : out.added).push(kernelName);
  }
  const wraps: [string, (k: tf.KernelFunc) => tf.KernelFunc][] = [
    ["BatchMatMul", batchMatMulKernel],
    ["Identity", identityKernel],
  ];
  for (const [name, wrap] of wraps) {
    const k = tf.getKernel(name, backendName);
    if (!k) continue;
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...k, kernelFunc: wrap(k.kernelFunc) });
    out.replaced.push(name);
  }
  return out;
}
