/**
 * `nanomorph doctor`'s checks: what nanomorph needs on this machine, each with what was found and what
 * to do about it. Pure reporting, except that the project-local tslab kernelspec is registered when
 * missing (see checkKernel).
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { projectRoot } from "../util/paths";
import { findJupyterPython, JUPYTER_INSTALL_HINT } from "../notebook/jupyter";
import { checkKernelSpec, registerKernelSpec } from "../notebook/kernelspec";
import { findChromium, CHROMIUM_CANDIDATES } from "../plots/render";
import { packageVersions } from "../notebook/environment";

/** One line of the doctor's report. */
export interface Check {
  /** Short name ("node", "jupyter", "kernelspec", …). */
  name: string;
  /** Whether `nanomorph doctor` fails (exit 1) when this check is not ok. */
  required: boolean;
  ok: boolean;
  /** What was found (version, path) or what is wrong. */
  detail: string;
  /** What to do about it when not ok. */
  fix?: string;
}

/** Python modules used as test/benchmark oracles (optional; tests skip with a reason without them). */
export const PYTHON_ORACLES: readonly string[] = ["numpy", "scipy", "sklearn", "torch", "h5py", "skimage"];

/** Minimum Node.js version (package.json engines). */
export const MIN_NODE: [number, number] = [20, 19];

function checkNode(): Check {
  const [maj, min] = process.versions.node.split(".").map(Number);
  const ok = maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
  return { name: "node", required: true, ok, detail: process.version, fix: ok ? undefined : `install Node.js >= ${MIN_NODE.join(".")} (mocha 12 and tslab's require(esm) need it)` };
}

function checkPackages(root: string): Check[] {
  const v = packageVersions(root);
  const required = ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "tslab", "typescript", "plotly.js-dist-min", "playwright-core", "sharp"];
  const missing = required.filter((n) => !v[n]);
  const out: Check[] = [{
    name: "npm packages", required: true, ok: missing.length === 0,
    detail: missing.length ? `missing: ${missing.join(", ")}` : required.map((n) => `${n} ${v[n]}`).join(", "),
    fix: "run `npm ci` in the project root",
  }];
  out.push({
    name: "GPU package", required: false, ok: !!v["@tensorflow/tfjs-node-gpu"],
    detail: v["@tensorflow/tfjs-node-gpu"] ? `@tensorflow/tfjs-node-gpu ${v["@tensorflow/tfjs-node-gpu"]}` : "@tensorflow/tfjs-node-gpu not installed (optional; CPU backends are used)",
    fix: "for a GPU: install CUDA 11.2 + cuDNN 8.1, then `npm install @tensorflow/tfjs-node-gpu@4.22.0` and use `--backend node-gpu`",
  });
  return out;
}

function checkNative(): Check {
  try {
    const mod = require("../backend/index") as { nativeStatus?: () => { ok: boolean; detail: string; fix?: string } };
    if (typeof mod.nativeStatus !== "function") return { name: "native backend", required: false, ok: false, detail: "not part of this build" };
    const s = mod.nativeStatus();
    return { name: "native backend", required: false, ok: s.ok, detail: s.detail, fix: s.fix };
  } catch (e) {
    return { name: "native backend", required: false, ok: false, detail: `check failed: ${(e as Error).message.split("\n")[0]}` };
  }
}

async function checkBackend(): Promise<Check> {
  try {
    const mod = require("../backend/index") as {
      backendReport?: () => Promise<Record<string, unknown>>;
      initBackend: () => Promise<{ name: string; reason: string }>;
    };
    if (typeof mod.backendReport === "function") {
      const r = await mod.backendReport();
      const fb = Array.isArray(r.fallbackKernels) ? r.fallbackKernels.length : 0;
      if (r.backend === "native") {
        return { name: "backend", required: true, ok: true, detail: `native (${r.reason}); ${r.threads} ATen threads (${r.threadsReason}); ${fb} kernels via the cpu fallback; tfjs ${r.tfjs}` };
      }
      const detail = `${r.backend} (${r.reason}); wasm SIMD ${r.simd ? "on" : "off"}, threads ${r.threads}${r.threadsReason ? ` (${r.threadsReason})` : ""}; tfjs ${r.tfjs}`;
      return { name: "backend", required: true, ok: true, detail };
    }
    const info = await mod.initBackend();
    return { name: "backend", required: true, ok: true, detail: `${info.name} (${info.reason})` };
  } catch (e) {
    return { name: "backend", required: true, ok: false, detail: `initBackend failed: ${(e as Error).message.split("\n")[0]}`, fix: "run `npm ci`; see `NANOMORPH_DEBUG=1 nanomorph doctor` for the stack" };
  }
}

function checkJupyter(jp: ReturnType<typeof findJupyterPython>): Check {
  if (!jp.python) return { name: "jupyter (nbclient)", required: true, ok: false, detail: `no Python with nbclient (tried: ${jp.tried.join("; ")})`, fix: JUPYTER_INSTALL_HINT };
  const v = jp.versions ?? {};
  return { name: "jupyter (nbclient)", required: true, ok: true, detail: `${jp.python}: nbclient ${v.nbclient}, nbformat ${v.nbformat}, jupyter_client ${v.jupyter_client}` };
}

/**
 * Versions of Python distributions on `python` by package metadata, in one process (each `jupyter X
 * --version` would start Python again: the doctor should answer in about a second). null = absent.
 */
function pythonDistributions(python: string | null, names: string[]): Record<string, string | null> {
  const py = python ?? "/usr/bin/python3";
  const code = `import importlib.metadata as md, json\nout = {}\nfor d in ${JSON.stringify(names)}:\n    try:\n        out[d] = md.version(d)\n    except Exception:\n        out[d] = None\nprint(json.dumps(out))`;
  const r = fs.existsSync(py) || !py.startsWith("/") ? spawnSync(py, ["-c", code], { encoding: "utf8", timeout: 60_000 }) : null;
  try { return r && r.status === 0 ? JSON.parse(r.stdout.trim()) as Record<string, string | null> : {}; } catch { return {}; }
}

function checkNbconvert(version: string | null): Check {
  return {
    name: "jupyter nbconvert", required: false, ok: !!version,
    detail: version ? `nbconvert ${version} (for HTML export of executed notebooks)` : "not found (optional: only for exporting executed notebooks to HTML)",
    fix: "apt-get install --no-install-recommends jupyter-nbconvert",
  };
}

/**
 * The project-local tslab kernelspec. Registering it is a step the doctor does itself (a file under
 * <root>/.jupyter, rewritten when stale), so a fresh `npm ci` is followed by a green doctor; it fails
 * only when the registration cannot be written or tslab itself is missing.
 */
export function checkKernel(root: string): Check {
  let st = checkKernelSpec(root);
  let note = "";
  if (!st.ok && !st.problem?.includes("npm ci")) {
    try {
      registerKernelSpec(root);
      st = checkKernelSpec(root);
      note = " (registered now)";
    } catch (e) {
      st = { ...st, problem: `${st.problem ?? "not registered"}; registering it failed: ${(e as Error).message}` };
    }
  }
  return {
    name: "tslab kernelspec", required: true, ok: st.ok,
    detail: st.ok ? `${path.relative(root, st.file)}${note} (JUPYTER_PATH=${path.join(root, ".jupyter")})` : st.problem ?? "not registered",
    fix: `make ${path.join(root, ".jupyter")} writable, or run \`npm ci\` if tslab is missing`,
  };
}

/** An interactive notebook server (Debian 12 packages jupyter-notebook; JupyterLab is not a Debian package). */
function checkNotebookServer(root: string, version: string | null): Check {
  return {
    name: "jupyter notebook", required: false, ok: !!version,
    detail: version ? `notebook ${version}: open the notebooks with \`JUPYTER_PATH=${path.join(root, ".jupyter")} jupyter notebook notebooks/\`` : "not found (optional: only to open notebooks interactively; VS Code's Jupyter extension works too)",
    fix: "apt-get install --no-install-recommends jupyter-notebook",
  };
}

function checkChromium(): Check {
  const c = findChromium();
  if (!c) return { name: "chromium", required: true, ok: false, detail: `not found (looked at $NANOMORPH_CHROMIUM, ${CHROMIUM_CANDIDATES.join(", ")})`, fix: "apt-get install --no-install-recommends chromium (static PNG/SVG figures)" };
  const r = spawnSync(c, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return { name: "chromium", required: true, ok: true, detail: `${c}${r.status === 0 ? ` (${r.stdout.trim()})` : ""}` };
}

/** Debian/PyPI distribution name of each oracle module, for its version without importing it. */
const ORACLE_DISTRIBUTIONS: Record<string, string> = { numpy: "numpy", scipy: "scipy", sklearn: "scikit-learn", torch: "torch", h5py: "h5py", skimage: "scikit-image" };

function checkOracles(python: string | null): Check {
  const py = python ?? "/usr/bin/python3";
  // find_spec + package metadata: whether each module is importable and its version, without importing
  // it (importing torch alone takes seconds; the doctor should answer in about one).
  const code = `import importlib.util, importlib.metadata as md, json\nout = {}\nfor m, d in ${JSON.stringify(Object.entries(ORACLE_DISTRIBUTIONS))}:\n    if importlib.util.find_spec(m) is None:\n        out[m] = None\n        continue\n    try:\n        out[m] = md.version(d)\n    except Exception:\n        out[m] = "present"\nprint(json.dumps(out))`;
  const r = fs.existsSync(py) || !py.startsWith("/") ? spawnSync(py, ["-c", code], { encoding: "utf8", timeout: 120_000 }) : null;
  let found: Record<string, string | null> = {};
  try { found = r && r.status === 0 ? (JSON.parse(r.stdout.trim()) as Record<string, string | null>) : {}; } catch { found = {}; }
  const have = PYTHON_ORACLES.filter((m) => found[m]);
  const miss = PYTHON_ORACLES.filter((m) => !found[m]);
  return {
    name: "python oracles", required: false, ok: miss.length === 0,
    detail: `${py}: ${have.map((m) => `${m} ${found[m]}`).join(", ") || "none"}${miss.length ? `; missing ${miss.join(", ")}` : ""}`,
    fix: "apt-get install --no-install-recommends python3-numpy python3-scipy python3-sklearn python3-torch python3-h5py python3-skimage (oracle tests skip without them)",
  };
}

/** Run every check (in this order: node, packages, backend, native, Jupyter, nbconvert, kernelspec, notebook server, Chromium, oracles). */
export async function runChecks(root: string = projectRoot()): Promise<Check[]> {
  const jp = findJupyterPython();
  const dists = pythonDistributions(jp.python, ["nbconvert", "notebook"]);
  return [
    checkNode(),
    ...checkPackages(root),
    await checkBackend(),
    checkNative(),
    checkJupyter(jp),
    checkNbconvert(dists.nbconvert ?? null),
    checkKernel(root),
    checkNotebookServer(root, dists.notebook ?? null),
    checkChromium(),
    checkOracles(jp.python),
  ];
}

/** Format checks as aligned lines: `[ ok ]`, `[FAIL]` (required) or `[warn]` (optional), each failure with its fix. */
export function formatChecks(checks: Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const tag = c.ok ? "[ ok ]" : c.required ? "[FAIL]" : "[warn]";
    lines.push(`${tag} ${c.name.padEnd(20)} ${c.detail}`);
    if (!c.ok && c.fix) lines.push(...c.fix.split("\n").map((l, i) => `${" ".repeat(7)}${i === 0 ? "→ " : "  "}${l}`));
  }
  return lines.join("\n");
}
