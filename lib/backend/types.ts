/** Types shared by the backend picker, its report and the CLI. */

/** A backend the picker can choose, in its default order of preference. */
export type BackendChoice = "node-gpu" | "node" | "wasm" | "cpu";

/** Default order of preference (`NANOMORPH_BACKEND` forces a single one). */
export const BACKEND_ORDER: readonly BackendChoice[] = ["node-gpu", "node", "wasm", "cpu"];

/** One step of the picker: a candidate and what happened when it was tried. */
export interface BackendAttempt {
  choice: BackendChoice;
  ok: boolean;
  /** Why it was accepted or skipped (e.g. "Cannot find module …", "alias of @tensorflow/tfjs"). */
  detail: string;
}

/** What `initBackend` chose and why. */
export interface BackendInfo {
  /** The tfjs backend name in use: "tensorflow" | "wasm" | "cpu" (equals `tf.getBackend()`). */
  name: string;
  /** Which candidate won. */
  choice: BackendChoice;
  /** One line: why this backend (forced by env, first that loaded, …). */
  reason: string;
  /** Compute threads: XNNPACK threads on wasm, 1 on cpu, 0 (= managed by TensorFlow) for tfjs-node. */
  threads: number;
  /** Why the wasm thread count is what it is (shim result, env, …); "" off wasm. */
  threadsReason: string;
  /** Whether wasm SIMD is in use (false off wasm). */
  simd: boolean;
  /** Every candidate tried, in order. */
  tried: BackendAttempt[];
  /** Training kernels registered by the project (e.g. "Conv2DBackpropFilter"). */
  kernels: string[];
}
