// Tests run on the small `ci` profile unless told otherwise.
process.env.NANOMORPH_PROFILE = process.env.NANOMORPH_PROFILE ?? "ci";
process.env.NANOMORPH_QUIET = process.env.NANOMORPH_QUIET ?? "1";
// The suite's expectations (the wasm training kernels, its tolerances) are written for wasm, so it runs
// there unless told otherwise; the native backend has its own specs (test/backend.native_*.spec.ts)
// that switch to it and back. Notebooks and the CLI still pick native first when it is built.
process.env.NANOMORPH_BACKEND = process.env.NANOMORPH_BACKEND ?? "wasm";
// Real data beside the checkout (../shared/data, the layout CI has): tests and notebooks find it through
// the variables a user would set; the product itself names no such path.
{
  const path = require("path") as typeof import("path");
  const fs = require("fs") as typeof import("fs");
  const shared = path.resolve(__dirname, "..", "..", "shared");
  const set = (name: string, rel: string): void => {
    if (process.env[name] === undefined && fs.existsSync(path.join(shared, rel))) process.env[name] = path.join(shared, rel);
  };
  set("NANOMORPH_EMPS_DIR", "data/emps-train");
  set("NANOMORPH_REAL_EXAMPLES", "data/nanowire-examples");
  set("NANOMORPH_PAPER_FIGURES", "reference/figures");
}
