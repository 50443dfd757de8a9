/** Which kernels ran, for the bench report and docs/ARCHITECTURE.md's kernel list (native backend). */
import { kernelCalls, kernelMs } from "./native_init";
import { fallbackCalls } from "./native_fallback";

/** Kernel call counts of this process. */
export interface KernelUse {
  /** Every kernel call by name; empty unless NANOMORPH_RECORD_KERNELS=1 was set before init. */
  calls: Record<string, number>;
  /** Total ms per kernel (NANOMORPH_RECORD_KERNELS=time only; CPU kernels run synchronously). */
  ms: Record<string, number>;
  /** Calls that ran through the cpu fallback, by kernel name (always recorded). */
  fallback: Record<string, number>;
}

/** Snapshot of the counters. */
export function kernelUse(): KernelUse {
  const sorted = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m.entries()].sort((a, b) => a[0].localeCompare(b[0])));
  const ms = new Map([...kernelMs.entries()].map(([k, v]) => [k, Math.round(v)] as [string, number]));
  return { calls: sorted(kernelCalls), ms: sorted(ms), fallback: sorted(fallbackCalls) };
}
