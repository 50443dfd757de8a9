import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

/** What `initBackend` chose and why. */
export interface BackendInfo {
  name: string;
  reason: string;
}

let chosen: Promise<BackendInfo> | null = null;

/**
 * Pick and initialise the TensorFlow.js backend once per process (idempotent; later calls return
 * the first result). Minimal version: wasm, else cpu. (Extended by the backend work.)
 */
export function initBackend(): Promise<BackendInfo> {
  if (!chosen) {
    chosen = (async () => {
      if (await tf.setBackend("wasm")) return { name: "wasm", reason: "default" };
      await tf.setBackend("cpu");
      return { name: "cpu", reason: "wasm failed to initialise" };
    })();
  }
  return chosen;
}
