// %% [markdown]
// # 00 · Environment
//
// Proof that the chain works end to end: the TensorFlow.js backend this kernel picked, the versions
// everything ran with, a tiny timed tensor computation checked against plain JavaScript, and one
// inline Plotly figure (interactive JSON + HTML, with a PNG fallback under `nanomorph reproduce`).
// The profile comes from `NANOMORPH_PROFILE` (set by `nanomorph reproduce --profile …`).
//
// Every notebook imports the library from `./dist/lib/…`: `lib/` compiled to JavaScript with type
// declarations (`npm ci` builds it, `nanomorph reproduce` rebuilds it when a `lib/` file changed; run
// `npm run build` yourself after editing `lib/` in an open notebook). The kernel then checks your
// cells against the declarations instead of compiling all of `lib/` again: a notebook's first cell
// takes about 3 s instead of 10–17 s.

// %%
import { initBackend, backendReport } from "./dist/lib/backend/index";
import { profileName } from "./dist/lib/config/index";
import { packageVersions, runtimeInfo, matmulBenchmark } from "./dist/lib/notebook/environment";
import { lineWithBands, show } from "./dist/lib/plots/index";

// %% tags=["parameters"]
let sizes: number[] = [64, 128, 256, 384]; // n of the timed n×n matrix products
let repeats: number = 5;                  // runs per size (the median is reported)

// %%
console.log("data: none (seeded random matrices)");
const profile = profileName();
const backend = await initBackend();
const report = await backendReport();
console.log(`profile   ${profile}`);
console.log(`backend   ${backend.name}  (${backend.reason})`);
console.log(`wasm      SIMD ${report.simd ? "on" : "off"}, ${report.threads} thread(s)${report.threadsReason ? `: ${report.threadsReason}` : ""}`);
console.log(`tfjs      ${report.tfjs} (core ${report.tfjsCore}, wasm ${report.tfjsBackendWasm})`);
console.log(`kernels   registered by nanomorph: ${report.kernels.join(", ") || "none"}`);
for (const t of report.tried) console.log(`tried     ${t.choice.padEnd(9)} ${t.ok ? "ok  " : "skip"} ${t.detail}`);

// %% [markdown]
// ## Versions

// %%
const rt = runtimeInfo();
console.log(`node ${rt.node} · ${rt.platform} · ${rt.cpus} × ${rt.cpu} · ${rt.memoryGiB} GiB`);
for (const [name, version] of Object.entries(packageVersions())) console.log(`${name.padEnd(32)} ${version ?? "(not installed)"}`);

// %% [markdown]
// ## A tiny timed computation
// `tf.matMul` of two seeded n×n matrices (`sizes`), median of `repeats` runs, checked against a float64 product in
// plain JavaScript (the difference is float32 rounding, around 1e-5 for these sizes).

// %%
const timings = [];
for (const n of sizes) timings.push(await matmulBenchmark(n, repeats, 0));
for (const t of timings) {
  console.log(`n=${String(t.n).padStart(3)}  ${t.medianMs.toFixed(2).padStart(7)} ms  ${t.gflops.toFixed(2).padStart(6)} GFLOP/s  max|err| ${t.maxAbsError.toExponential(2)}`);
}
const worst = Math.max(...timings.map((t) => t.maxAbsError));
if (!(worst < 1e-3)) throw new Error(`matMul disagrees with the float64 reference: max |err| = ${worst}`);

// %% [markdown]
// ## One inline figure

// %%
show(
  lineWithBands(
    [{ name: `tf.matMul on ${backend.name}`, x: sizes, y: timings.map((t) => t.gflops), mode: "lines+markers" }],
    { title: "Matrix product throughput", xTitle: "n (n×n · n×n)", yTitle: "GFLOP/s", width: 700, height: 400 },
  ),
  "00-matmul-throughput",
);

// %% [markdown]
// **What to look at:** throughput should rise with n until the caches fill, then flatten. A native or
// multi-threaded backend reaches several times the single-thread wasm numbers; if the line is flat and
// low, check the `tried` lines above for the backend that was skipped and why.
//
// ## Try this
// - `-p sizes=128,512,1024 -p repeats=3`: larger products show the backend's ceiling (1024 takes seconds on wasm).
// - Run with `NANOMORPH_BACKEND=cpu` in the environment: the pure-JavaScript backend, for comparison.
