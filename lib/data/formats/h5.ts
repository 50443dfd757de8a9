/**
 * The h5wasm module, for the data readers (Velox .emd) and the Keras .h5 import. It lives here,
 * on the data side, so that decoding an image never loads tfjs and the model code.
 */
type H5Module = typeof import("h5wasm");

let h5mod: Promise<H5Module> | null = null;

/** The h5wasm module (ESM-only: loaded with a real dynamic import), ready to use. */
export function h5wasmModule(): Promise<H5Module> {
  if (!h5mod) {
    // A Function-wrapped import() stays a native import under CommonJS (tsc would turn `import()` into require()).
    const dynImport = new Function("s", "return import(s)") as (s: string) => Promise<H5Module>;
    h5mod = dynImport("h5wasm/node").then(async (m) => { await m.ready; return m; });
  }
  return h5mod;
}
