/**
 * Registering and activating the `native` tfjs backend: every kernel the cpu backend has is
 * registered for "native", natively when native_kernels.ts implements it (falling back per call when
 * it declines a case), else through the cpu fallback. Also the kernel recorder behind
 * `NANOMORPH_RECORD_KERNELS=1` (counts every kernel call by name, for docs/ARCHITECTURE.md's list;
 * `=time` also sums the ms inside each kernel, `=shapes` sums them per kernel and input shapes);
 * with `NANOMORPH_RECORD_KERNELS_TO=DIR` each process also keeps `DIR/kernels-<pid>.json` current
 * (at most once a second, and at exit), so a whole `reproduce` can be recorded: notebook kernels are
 * shut down without a normal exit, so an exit hook alone would lose them.
 */
import * as fs from "fs";
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { loadNativeAddon, NativeInfo } from "./native_addon";
import { NativeBackend } from "./native_backend";
import { NATIVE_KERNELS } from "./native_kernels";
import { runOnCpu } from "./native_fallback";
import { resizeBilinearGradKernel } from "./resize_bilinear_grad";

/** The tfjs backend name. */
export const NATIVE_BACKEND_NAME = "native";

/** Kernel name -> calls, filled only when NANOMORPH_RECORD_KERNELS is set (1, time or shapes). */
export const kernelCalls = new Map<string, number>();
/** Kernel name (with `=shapes`: "name 32x8x8x16,3x3x16x16") -> total wall ms inside it, filled when NANOMORPH_RECORD_KERNELS=time or shapes. */
export const kernelMs = new Map<string, number>();

/** Kernels the project supplies itself for native (backend-generic implementations). */
const PROJECT_KERNELS: Record<string, tf.KernelFunc> = { ResizeBilinearGrad: resizeBilinearGradKernel };

let registered = false;

/** Write this process's kernel counts to `dir/kernels-<pid>.json` ({ kernel: calls }), atomically. */
function writeCounts(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = `${dir}/kernels-${process.pid}.json`;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(kernelCalls), null, 1));
  fs.renameSync(`${file}.tmp`, file);
}

function registerKernels(): { native: string[]; fallback: string[] } {
  const mode = process.env.NANOMORPH_RECORD_KERNELS ?? "";
  const record = mode === "1" || mode === "time" || mode === "shapes";
  const byShape = mode === "shapes";
  const to = process.env.NANOMORPH_RECORD_KERNELS_TO;
  let written = 0;
  if (record && to) process.on("exit", () => writeCounts(to));
  const count = (n: string): void => {
    kernelCalls.set(n, (kernelCalls.get(n) ?? 0) + 1);
    if (to && Date.now() - written > 1000) { written = Date.now(); writeCounts(to); }
  };
  const native: string[] = [], fallback: string[] = [];
  const stock = tf.getKernelsForBackend("cpu");
  const names = new Set([...stock.map((k) => k.kernelName), ...Object.keys(NATIVE_KERNELS), ...Object.keys(PROJECT_KERNELS)]);
  for (const name of names) {
    const cpuKernel = stock.find((k) => k.kernelName === name)?.kernelFunc;
    const mine = NATIVE_KERNELS[name];
    const project = PROJECT_KERNELS[name];
    let fn: tf.KernelFunc;
    if (mine) {
      const declined = cpuKernel ? runOnCpu(name, cpuKernel, "native kernel does not cover this case") : null;
      fn = ((args: Parameters<tf.KernelFunc>[0]) => {
        const r = mine(args.backend as NativeBackend, args.inputs, args.attrs as Record<string, unknown>);
        if (r) return r;
        if (!declined) throw new Error(`lib/backend/native_init.ts: native ${name} does not cover this case and the cpu backend has no ${name}`);
        return declined({ inputs: args.inputs, backend: args.backend as NativeBackend, attrs: args.attrs as Record<string, unknown> });
      }) as tf.KernelFunc;
      native.push(name);
    } else if (project) {
      fn = project;
      native.push(name);
    } else {
      fn = runOnCpu(name, cpuKernel!, "no native kernel") as unknown as tf.KernelFunc;
      fallback.push(name);
    }
    const timed: tf.KernelFunc = (args) => {
      const t0 = performance.now();
      try { return fn(args); } finally {
        const key = byShape ? `${name} ${Object.values(args.inputs).map((t) => (t as tf.TensorInfo).shape.join("x")).join(",")}` : name;
        kernelMs.set(key, (kernelMs.get(key) ?? 0) + performance.now() - t0);
      }
    };
    const inner = mode === "time" || byShape ? timed : fn;
    const kernelFunc: tf.KernelFunc = record ? (args) => { count(name); return inner(args); } : fn;
    tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND_NAME, kernelFunc });
  }
  return { native: native.sort(), fallback: fallback.sort() };
}

/** ATen intra-op threads: NANOMORPH_THREADS, else the number of cores. @throws on a bad value */
export function wantedNativeThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NANOMORPH_THREADS;
  if (raw === undefined || raw === "") return os.cpus().length;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`lib/backend/native_init.ts: NANOMORPH_THREADS must be a positive integer, got '${raw}'`);
  return n;
}

/**
 * Result of {@link initNative}. One interface rather than a union on `ok`: tslab compiles without
 * strictNullChecks, where such a union does not narrow.
 */
export interface NativeInit {
  ok: boolean;
  /** The addon's report (null when not ok). */
  info: NativeInfo | null;
  /** Kernels registered natively / through the cpu fallback ([] when not ok or already registered). */
  native: string[];
  fallback: string[];
  /** Why it failed ("" when ok). */
  detail: string;
}

/**
 * Load the addon, select `device` ("cpu" | "cuda" | "mps"), register the kernels and make "native"
 * the active tfjs backend. Never throws; `ok: false` says why (no addon, no such device, …).
 */
export async function initNative(device: "cpu" | "cuda" | "mps"): Promise<NativeInit> {
  const addon = loadNativeAddon();
  const fail = (detail: string): NativeInit => ({ ok: false, info: null, native: [], fallback: [], detail });
  if (typeof addon === "string") return fail(addon);
  let info: NativeInfo;
  try {
    info = addon.init({ device, threads: wantedNativeThreads() });
  } catch (e) {
    return fail(String((e as Error).message));
  }
  const kernels = registered ? { native: [], fallback: [] } : registerKernels();
  registered = true;
  if (!tf.findBackendFactory(NATIVE_BACKEND_NAME)) tf.registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(addon, info), 0);
  const ok = await tf.setBackend(NATIVE_BACKEND_NAME);
  if (!ok) return fail(`tf.setBackend("${NATIVE_BACKEND_NAME}") failed`);
  return { ok: true, info, ...kernels, detail: "" };
}
