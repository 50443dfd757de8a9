// Tests run on the small `ci` profile unless told otherwise.
process.env.NANOMORPH_PROFILE = process.env.NANOMORPH_PROFILE ?? "ci";
process.env.NANOMORPH_QUIET = process.env.NANOMORPH_QUIET ?? "1";
// The suite's expectations (the wasm training kernels, its tolerances) are written for wasm, so it runs
// there unless told otherwise; the native backend has its own specs (test/backend.native_*.spec.ts)
// that switch to it and back. Notebooks and the CLI still pick native first when it is built.
process.env.NANOMORPH_BACKEND = process.env.NANOMORPH_BACKEND ?? "wasm";
