/** Whether the libtorch addon is built and usable, for `nanomorph doctor` (never throws). */
import * as tf from "@tensorflow/tfjs";
import { loadNativeAddon, nativeBuildStatus, NativeInfo } from "./native_addon";
import { NativeBackend } from "./native_backend";

/** What doctor prints about the native backend. */
export interface NativeStatus {
  /** The addon loads. */
  ok: boolean;
  /** One line: libtorch version, build source, devices; or what is wrong. */
  detail: string;
  /** How to get it working when not ok. */
  fix?: string;
}

const FIX = "apt-get install --no-install-recommends libtorch-dev (Debian), or LIBTORCH=/path/to/libtorch / a python3 with torch (GPU), then `node native/torch_backend/build.js`";

/** Inspect the addon: built against which libtorch, which devices it sees. */
export function nativeStatus(): NativeStatus {
  const addon = loadNativeAddon();
  if (typeof addon === "string") return { ok: false, detail: addon, fix: FIX };
  let info: NativeInfo;
  try {
    const active = tf.getBackend() === "native" ? (tf.backend() as NativeBackend) : null;
    // Re-initialising on "cpu" would move an active CUDA backend, so read the active one's info.
    info = active ? active.info : addon.init({ device: "cpu" });
  } catch (e) {
    return { ok: false, detail: `native addon loads but init failed: ${(e as Error).message}`, fix: FIX };
  }
  const build = nativeBuildStatus();
  const devices = [`cpu (${info.threads} ATen threads, oneDNN ${info.mkldnn ? "on" : "off"}; BLAS: ${info.blas})`];
  if (info.cuda) devices.push(`cuda × ${info.cudaDevices}`);
  if (info.mps) devices.push("mps");
  return { ok: true, detail: `libtorch ${info.torch} (${build?.source ?? "source unknown"}); devices: ${devices.join(", ")}; ${info.ops.length} ATen ops` };
}
