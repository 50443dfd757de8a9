/**
 * The backend picker behind `initBackend()` (see index.ts for the behaviour and env variables).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { BACKEND_ORDER, BackendAttempt, BackendChoice, BackendInfo } from "./types";
import { isNodeChoice, tryNodeBackend } from "./node_backend";
import { initWasm, wantedWasmThreads } from "./wasm_init";
import { registerTrainingKernels } from "./training_kernels";
import { initNative, wantedNativeThreads } from "./native_init";

/**
 * The candidates to try, from `NANOMORPH_BACKEND` (a single forced one) or the default order.
 * @throws when the variable names no known backend
 */
export function backendOrder(env: NodeJS.ProcessEnv = process.env): { order: BackendChoice[]; forced: boolean } {
  const raw = (env.NANOMORPH_BACKEND ?? "").trim().toLowerCase();
  if (!raw) return { order: [...BACKEND_ORDER], forced: false };
  // "native" forces the libtorch backend on its best device (CUDA, then MPS, then CPU).
  if (raw === "native" || raw === "torch" || raw === "libtorch") return { order: ["native-cuda", "native-mps", "native-cpu"], forced: true };
  const alias: Record<string, BackendChoice> = { gpu: "node-gpu", tensorflow: "node", "tfjs-node": "node", "tfjs-node-gpu": "node-gpu", "native-gpu": "native-cuda" };
  const c = (alias[raw] ?? raw) as BackendChoice;
  if (!BACKEND_ORDER.includes(c)) {
    throw new Error(`lib/backend/init.ts: NANOMORPH_BACKEND="${env.NANOMORPH_BACKEND}" is not one of native, ${BACKEND_ORDER.join(", ")}`);
  }
  return { order: [c], forced: true };
}

async function pick(): Promise<BackendInfo> {
  const { order, forced } = backendOrder();
  // A bad thread count is the user's error, not a reason to drop silently to another backend.
  if (process.env.NANOMORPH_THREADS !== undefined && process.env.NANOMORPH_THREADS !== "") wantedNativeThreads();
  const tried: BackendAttempt[] = [];
  for (const choice of order) {
    const why = forced ? "forced by NANOMORPH_BACKEND" : tried.length ? "first candidate that loaded" : "first choice";
    const none = { fallbackKernels: [] as string[], native: "" };
    if (choice === "native-cuda" || choice === "native-mps" || choice === "native-cpu") {
      const n = await initNative(choice === "native-cuda" ? "cuda" : choice === "native-mps" ? "mps" : "cpu");
      tried.push({ choice, ok: n.ok, detail: n.ok && n.info ? `libtorch ${n.info.torch} on ${n.info.device}` : n.detail });
      if (n.ok && n.info) {
        return {
          name: "native", choice, reason: `${why}: libtorch ${n.info.torch} on ${n.info.device}`, threads: n.info.threads,
          threadsReason: process.env.NANOMORPH_THREADS ? "NANOMORPH_THREADS" : "one per core", simd: false, tried,
          kernels: n.native, fallbackKernels: n.fallback, native: `${n.info.torch} on ${n.info.device}`,
        };
      }
    } else if (isNodeChoice(choice)) {
      const a = await tryNodeBackend(choice);
      tried.push(a);
      if (a.ok) return { name: "tensorflow", choice, reason: `${why}: ${a.detail}`, threads: 0, threadsReason: "", simd: false, tried, kernels: [], ...none };
    } else if (choice === "wasm") {
      const w = await initWasm(wantedWasmThreads());
      tried.push({ choice, ok: w.ok, detail: w.ok ? `${w.threads} thread(s), SIMD ${w.simd}` : w.detail });
      if (w.ok) return { name: "wasm", choice, reason: why, threads: w.threads, threadsReason: w.threadsReason, simd: w.simd, tried, kernels: w.kernels, ...none };
    } else {
      const reg = registerTrainingKernels("cpu");
      const ok = await tf.setBackend("cpu");
      tried.push({ choice, ok, detail: ok ? "pure-JS kernels" : "tf.setBackend('cpu') failed" });
      if (ok) return { name: "cpu", choice, reason: why, threads: 1, threadsReason: "", simd: false, tried, kernels: reg.replaced, ...none };
    }
  }
  throw new Error(`lib/backend/init.ts initBackend: no backend could be initialised: ${tried.map((t) => `${t.choice}: ${t.detail}`).join("; ")}`);
}

/**
 * One short line naming the backend (e.g. `[nanomorph] backend native-cpu (libtorch 1.13.1 on cpu, 2 threads)`);
 * the candidates that were skipped and why only with NANOMORPH_DEBUG=1 (`nanomorph doctor` lists them too).
 */
export function backendLine(info: BackendInfo, debug = process.env.NANOMORPH_DEBUG === "1"): string {
  const what = info.name === "native" ? `${info.native}, ${info.threads} thread${info.threads === 1 ? "" : "s"}`
    : info.name === "wasm" ? `${info.threads} thread${info.threads === 1 ? "" : "s"}, SIMD ${info.simd ? "on" : "off"}` : info.reason;
  const skipped = info.tried.filter((t) => !t.ok).map((t) => `${t.choice}: ${t.detail}`);
  return `[nanomorph] backend ${info.choice} (${what})${debug && skipped.length ? `; skipped ${skipped.join("; ")}` : ""}`;
}

function logOnce(info: BackendInfo): void {
  if (process.env.NANOMORPH_QUIET === "1") return;
  process.stderr.write(backendLine(info) + "\n");
}

let chosen: Promise<BackendInfo> | null = null;

/**
 * Pick and initialise the TensorFlow.js backend once per process (idempotent: later calls return the
 * first result). Call before any tensor work: an op run earlier initialises stock single-threaded wasm.
 * @throws (rejects) when a forced backend cannot be initialised, or no backend at all can
 */
export function initBackend(): Promise<BackendInfo> {
  if (!chosen) {
    chosen = pick().then((info) => { logOnce(info); return info; });
  }
  return chosen;
}
