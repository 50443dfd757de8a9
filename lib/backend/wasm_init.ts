/**
 * Initialise the wasm backend: threaded through the project's shim when possible, else the stock
 * single-threaded build, with the reason either way. Registers the training kernels first.
 */
const os = require("os") as typeof import("os");
import * as tf from "@tensorflow/tfjs";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import { initWasmThreaded } from "./wasm_threads";
import { registerTrainingKernels } from "./training_kernels";

/** Result of {@link initWasm}. */
export interface WasmInitResult {
  ok: boolean;
  threads: number;
  threadsReason: string;
  simd: boolean;
  /** Kernels registered or replaced by the project. */
  kernels: string[];
  /** Failure detail when `ok` is false. */
  detail: string;
}

/**
 * Threads wanted from `NANOMORPH_WASM_THREADS` (default: the number of cores; 1 disables threading).
 * @throws when the variable is set but not a positive integer
 */
export function wantedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NANOMORPH_WASM_THREADS;
  if (raw === undefined || raw === "") return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`lib/backend/wasm_init.ts: NANOMORPH_WASM_THREADS must be a positive integer, got "${raw}"`);
  }
  return n;
}

/** Initialise wasm with `threads` threads (falls back to 1 with a reason). Never throws. */
export async function initWasm(threads: number): Promise<WasmInitResult> {
  const reg = registerTrainingKernels("wasm");
  const kernels = [...reg.added, ...reg.replaced];
  let threadsReason: string;
  let ok = false;
  if (threads >= 2) {
    const r = await initWasmThreaded(threads);
    ok = r.ok;
    threadsReason = r.ok ? r.reason : `1 thread: ${r.reason}`;
  } else {
    threadsReason = "1 thread: NANOMORPH_WASM_THREADS=1 or a single core";
  }
  if (!ok) ok = await tf.setBackend("wasm");
  if (!ok || tf.getBackend() !== "wasm") {
    return { ok: false, threads: 0, threadsReason, simd: false, kernels, detail: "tf.setBackend('wasm') failed" };
  }
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  return { ok: true, threads: wasmBackend.getThreadsCount(), threadsReason, simd, kernels, detail: "" };
}
