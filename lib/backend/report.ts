/** A small, printable summary of the numeric backend for `nanomorph doctor` and the notebooks. */
import * as tf from "@tensorflow/tfjs";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import { initBackend } from "./init";
import { BackendAttempt } from "./types";

/** Versions and settings of the active backend. */
export interface BackendReport {
  /** `@tensorflow/tfjs` version. */
  tfjs: string;
  /** `@tensorflow/tfjs-core` version. */
  tfjsCore: string;
  /** `@tensorflow/tfjs-backend-wasm` version. */
  tfjsBackendWasm: string;
  /** Active tfjs backend name ("native" | "tensorflow" | "wasm" | "cpu"). */
  backend: string;
  /** Why it was chosen. */
  reason: string;
  /** wasm SIMD in use. */
  simd: boolean;
  /** Compute threads (wasm: XNNPACK threads; 0 = managed by TensorFlow). */
  threads: number;
  /** Why the thread count is what it is. */
  threadsReason: string;
  /** Candidates tried by the picker. */
  tried: BackendAttempt[];
  /** Training kernels registered by the project (native: kernels run in ATen). */
  kernels: string[];
  /** Native backend: kernels that run through the cpu fallback. */
  fallbackKernels: string[];
  /** Native backend: libtorch version and device, "" elsewhere. */
  native: string;
}

/** Initialise the backend if needed and summarise it. */
export async function backendReport(): Promise<BackendReport> {
  const info = await initBackend();
  return {
    tfjs: tf.version.tfjs,
    tfjsCore: tf.version_core,
    tfjsBackendWasm: wasmBackend.version_wasm,
    backend: tf.getBackend(),
    reason: info.reason,
    simd: info.simd,
    threads: info.threads,
    threadsReason: info.threadsReason,
    tried: info.tried,
    kernels: info.kernels,
    fallbackKernels: info.fallbackKernels,
    native: info.native,
  };
}
