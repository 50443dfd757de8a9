#!/usr/bin/env node
// Build the optional libtorch addon (native/torch_backend/build/nanomorph_torch.node).
//
// Runs from `npm install`/`npm ci` and never fails it: when no libtorch or compiler is found, or the
// compile fails, it prints why and exits 0, and nanomorph runs on wasm as before. Set
// NANOMORPH_NATIVE_STRICT=1 to make a failure exit 1 (CI uses that). NANOMORPH_NATIVE=0 skips.
//
// libtorch is searched in this order: $LIBTORCH (a folder with include/ and lib/), the PyTorch of
// $NANOMORPH_PYTHON or python3 (torch/include, torch/lib: the GPU route), Debian's libtorch-dev
// (/usr/include/ATen, /usr/lib/<arch>/libtorch.so). A plain g++ call instead of node-gyp: one
// translation unit (src/unity.cc includes the other src/*.cc files), no Python gyp, no header
// download, so it also builds on an offline GPU machine that only has a Node binary and PyTorch.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const here = __dirname;
const outDir = path.join(here, "build");
const outFile = path.join(outDir, "nanomorph_torch.node");
const strict = process.env.NANOMORPH_NATIVE_STRICT === "1";

function log(s) { process.stderr.write(`[nanomorph native] ${s}\n`); }
function skip(why) {
  log(`not built: ${why}`);
  log("nanomorph works without it (wasm backend); see native/torch_backend/README.md to enable it.");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "status.json"), JSON.stringify({ built: false, reason: why, date: new Date().toISOString() }, null, 2));
  process.exit(strict ? 1 : 0);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** @returns {{include: string[], lib: string, version: string, source: string, abi: number|null, cuda: boolean} | null} */
function fromDir(root, source) {
  const inc = path.join(root, "include");
  const lib = path.join(root, "lib");
  if (!fs.existsSync(path.join(inc, "ATen", "ATen.h")) || !fs.existsSync(path.join(lib, "libtorch_cpu.so"))) return null;
  const vfile = path.join(inc, "torch", "version.h");
  let version = "unknown";
  if (fs.existsSync(vfile)) {
    const m = /TORCH_VERSION\s+"([^"]+)"/.exec(fs.readFileSync(vfile, "utf8"));
    if (m) version = m[1];
  }
  return { include: [inc, path.join(inc, "torch", "csrc", "api", "include")], lib, version, source, abi: null, cuda: fs.existsSync(path.join(lib, "libtorch_cuda.so")) };
}

function findTorch() {
  if (process.env.LIBTORCH) {
    const t = fromDir(process.env.LIBTORCH, `LIBTORCH=${process.env.LIBTORCH}`);
    if (!t) skip(`LIBTORCH=${process.env.LIBTORCH} has no include/ATen/ATen.h and lib/libtorch_cpu.so`);
    return t;
  }
  const py = process.env.NANOMORPH_PYTHON || "python3";
  const out = run(py, ["-c", "import torch, os; print(os.path.dirname(torch.__file__)); print(torch.__version__); print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"]);
  if (out) {
    const [dir, version, abi] = out.split("\n");
    const t = fromDir(dir, `PyTorch ${version} of ${py}`);
    if (t) return { ...t, version, abi: Number(abi) };
  }
  const arch = run("gcc", ["-dumpmachine"]) || "x86_64-linux-gnu";
  const debLib = `/usr/lib/${arch}`;
  if (fs.existsSync("/usr/include/ATen/ATen.h") && fs.existsSync(path.join(debLib, "libtorch_cpu.so"))) {
    const v = run("dpkg-query", ["-W", "-f=${Version}", "libtorch-dev"]) || "unknown";
    return { include: ["/usr/include", "/usr/include/torch/csrc/api/include"], lib: debLib, version: v.split("+")[0], source: `Debian libtorch-dev ${v}`, abi: null, cuda: false };
  }
  return null;
}

function nodeApiInclude() {
  const cands = [];
  if (process.env.NODE_API_INCLUDE) cands.push(process.env.NODE_API_INCLUDE);
  cands.push(path.join(path.dirname(process.execPath), "..", "include", "node"), "/usr/include/node", "/usr/local/include/node", path.join(here, "node-api"));
  return cands.find((d) => fs.existsSync(path.join(d, "node_api.h"))) || null;
}

// The addon's own loops (Step, CropAndResize) use at::parallel_for, a header template that only runs in
// parallel when this translation unit is compiled with OpenMP (measured: without it a 32x64x64x3 crop
// took as long on 2 threads as on 1). -fopenmp links the system libgomp, which is the one Debian's
// libtorch uses; a PyTorch wheel bundles its own renamed libgomp, and two OpenMP runtimes in one
// process would each keep a thread pool, so there the loops stay serial.
function openmpFlags(torch) {
  const config = torch.include.map((d) => path.join(d, "ATen", "Config.h")).find((f) => fs.existsSync(f));
  if (!config || !/AT_PARALLEL_OPENMP\s+1/.test(fs.readFileSync(config, "utf8"))) return { flags: [], note: "ATen is not built with OpenMP" };
  const bundled = fs.readdirSync(torch.lib).find((n) => /^libgomp-[0-9a-f]+\.so/.test(n));
  if (bundled) return { flags: [], note: `libtorch bundles ${bundled}: the addon's own loops run on one thread` };
  return { flags: ["-fopenmp"], note: "OpenMP" };
}

function upToDate() {
  if (process.env.NANOMORPH_NATIVE_FORCE === "1" || !fs.existsSync(outFile)) return false;
  const built = fs.statSync(outFile).mtimeMs;
  const sources = fs.readdirSync(path.join(here, "src")).map((n) => path.join(here, "src", n));
  return [...sources, __filename].every((f) => fs.statSync(f).mtimeMs < built);
}

function main() {
  if (process.env.NANOMORPH_NATIVE === "0") skip("NANOMORPH_NATIVE=0");
  if (upToDate()) { log(`up to date: ${path.relative(process.cwd(), outFile)} (NANOMORPH_NATIVE_FORCE=1 rebuilds)`); return; }
  const torch = findTorch();
  if (!torch) skip("no libtorch found (install Debian libtorch-dev, or set LIBTORCH=/path/to/libtorch, or have python3 import torch)");
  const napiInc = nodeApiInclude();
  if (!napiInc) skip("node_api.h not found (set NODE_API_INCLUDE to Node's include/node folder)");
  let addonApi;
  try { addonApi = path.dirname(require.resolve("node-addon-api/package.json", { paths: [path.join(here, "..", "..")] })); }
  catch { skip("node-addon-api is not installed"); }
  const cxx = process.env.CXX || "g++";
  if (!run(cxx, ["--version"])) skip(`no C++ compiler (${cxx})`);
  const libs = ["-ltorch_cpu", "-lc10"];
  if (fs.existsSync(path.join(torch.lib, "libtorch.so"))) libs.unshift("-ltorch");
  if (torch.cuda) libs.unshift("-ltorch_cuda");
  const omp = openmpFlags(torch);
  const args = [
    "-std=c++17", "-O2", "-fPIC", "-shared", "-fvisibility=hidden", ...omp.flags,
    "-DNAPI_VERSION=8", "-DNAPI_CPP_EXCEPTIONS", `-DNM_TORCH_VERSION="${torch.version}"`,
    `-DNM_TORCH_MAJOR=${Number(String(torch.version).split(".")[0]) || 1}`,
    ...(torch.abi === null ? [] : [`-D_GLIBCXX_USE_CXX11_ABI=${torch.abi}`]),
    `-I${napiInc}`, `-I${addonApi}`, ...torch.include.map((d) => `-I${d}`),
    path.join(here, "src", "unity.cc"),
    "-o", outFile + ".tmp",
    `-L${torch.lib}`, `-Wl,-rpath,${torch.lib}`, "-Wl,--no-as-needed", ...libs, "-Wl,--as-needed",
  ];
  fs.mkdirSync(outDir, { recursive: true });
  log(`building against ${torch.source} (${torch.lib}; ${omp.note}); one compile job, about 1-2 minutes`);
  const t0 = Date.now();
  const r = spawnSync(cxx, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) skip(`compile failed (exit ${r.status}); command: ${cxx} ${args.join(" ")}`);
  fs.renameSync(outFile + ".tmp", outFile);
  fs.writeFileSync(path.join(outDir, "status.json"), JSON.stringify({
    built: true, torch: torch.version, source: torch.source, lib: torch.lib, cuda: torch.cuda, openmp: omp.note,
    seconds: Math.round((Date.now() - t0) / 1000), date: new Date().toISOString(),
  }, null, 2));
  log(`built ${path.relative(process.cwd(), outFile)} in ${Math.round((Date.now() - t0) / 1000)} s`);
}

main();
