/** Types shared by the backend picker, its report and the CLI. */

/** A backend the picker can choose, in its default order of preference. */
export type BackendChoice = "native-cuda" | "native-mps" | "node-gpu" | "native-cpu" | "node" | "wasm" | "cpu";

/**
 * Default order of preference (`NANOMORPH_BACKEND` forces one): the libtorch backend on a GPU,
 * tfjs-node-gpu, the libtorch backend on the CPU, tfjs-node, wasm, cpu.
 */
export const BACKEND_ORDER: readonly BackendChoice[] = ["native-cuda", "native-mps", "node-gpu", "native-cpu", "node", "wasm", "cpu"];

/** One step of the picker: a candidate and what happened when it was tried. */
export interface BackendAttempt {
  choice: BackendChoice;
  ok: boolean;
  /** Why it was accepted or skipped (e.g. "Cannot find module …", "alias of @tensorflow/tfjs"). */
  detail: string;
}

/** What `initBackend` chose and why. */
export interface BackendInfo {
  /** The tfjs backend name in use: "native" | "tensorflow" | "wasm" | "cpu" (equals `tf.getBackend()`). */
  name: string;
  /** Which candidate won. */
  choice: BackendChoice;
  /** One line: why this backend (forced by env, first that loaded, …). */
  reason: string;
  /** Compute threads: ATen threads on native, XNNPACK threads on wasm, 1 on cpu, 0 (= managed by TensorFlow) for tfjs-node. */
  threads: number;
  /** Why the wasm thread count is what it is (shim result, env, …); "" off wasm. */
  threadsReason: string;
  /** Whether wasm SIMD is in use (false off wasm). */
  simd: boolean;
  /** Every candidate tried, in order. */
  tried: BackendAttempt[];
  /** Training kernels registered by the project (e.g. "Conv2DBackpropFilter"); on native: the kernels run in ATen. */
  kernels: string[];
  /** On native: kernels that run through the cpu fallback; [] elsewhere. */
  fallbackKernels: string[];
  /** On native: libtorch version and ATen device (e.g. "1.13.1 on cpu"); "" elsewhere. */
  native: string;
}
