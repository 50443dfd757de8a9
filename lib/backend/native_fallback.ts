/**
 * Running a kernel the native backend lacks through tfjs's cpu kernel: copy the inputs into a private
 * cpu backend instance, run its kernel there, copy the outputs back. Correct for any kernel the cpu
 * backend has, slow for large tensors; the first use of each kernel prints one warning naming it (and
 * why, when a native kernel declined the case), so a hot fallback is easy to spot.
 */
import * as tf from "@tensorflow/tfjs";
import { NativeBackend, Info } from "./native_backend";

let cpu: tf.KernelBackend | null = null;

function cpuBackend(): tf.KernelBackend {
  if (!cpu) {
    cpu = new tf.MathBackendCPU();
    // The cpu backend's first write prints a "use tfjs-node" banner meant for users, not for us.
    (cpu as unknown as { firstUse: boolean }).firstUse = false;
  }
  return cpu;
}

const warned = new Set<string>();
/** Kernel name -> number of calls that ran through the cpu fallback in this process. */
export const fallbackCalls = new Map<string, number>();

function warnOnce(name: string, why: string): void {
  fallbackCalls.set(name, (fallbackCalls.get(name) ?? 0) + 1);
  if (warned.has(name)) return;
  warned.add(name);
  if (process.env.NANOMORPH_QUIET !== "1") process.stderr.write(`[nanomorph] native backend: kernel ${name} runs through the cpu fallback (${why})\n`);
}

/**
 * `kernelFunc` for kernel `name` on the native backend, running `cpuKernel` on copies.
 * @param why shown in the one-time warning
 */
export function runOnCpu(name: string, cpuKernel: tf.KernelFunc, why: string): (args: { inputs: tf.NamedTensorInfoMap | Info[]; backend: NativeBackend; attrs: Record<string, unknown> }) => Info | Info[] {
  return ({ inputs, backend, attrs }) => {
    warnOnce(name, why);
    const c = cpuBackend();
    const made: tf.DataId[] = [];
    const copy = (t: Info): Info => {
      const dataId = c.write(backend.readSync(t.dataId), t.shape, t.dtype);
      made.push(dataId);
      return { dataId, shape: t.shape, dtype: t.dtype };
    };
    const cpuInputs: Record<string, Info> | Info[] = Array.isArray(inputs) ? inputs.map(copy) : {};
    if (!Array.isArray(inputs)) {
      for (const [k, t] of Object.entries(inputs)) if (t) (cpuInputs as Record<string, Info>)[k] = copy(t as Info);
    }
    try {
      const out = cpuKernel({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: c, attrs: attrs as tf.NamedAttrMap });
      const outs = Array.isArray(out) ? out : [out];
      const back = outs.map((o) => {
        made.push(o.dataId);
        return { dataId: backend.write(c.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? back : back[0];
    } finally {
      for (const id of new Set(made)) c.disposeData(id, true);
    }
  };
}
