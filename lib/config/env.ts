/**
 * Every NANOMORPH_* environment variable nanomorph reads, in one table: name, type, default, what it
 * changes, and whether it can change results. The notebook run cache keys on exactly the variables that
 * affect results (lib/notebook/run_cache.ts), the README's table is checked against this one
 * (test/config.env.spec.ts), and a test fails when code reads a variable that is not listed here.
 */

/** How a variable's value is read. */
export type EnvType = "string" | "path" | "integer" | "flag" | "enum";

/** One environment variable. */
export interface EnvVar {
  name: string;
  type: EnvType;
  /** What applies when it is unset, in words. */
  default: string;
  /** What it changes. */
  description: string;
  /**
   * Whether it can change a result (numbers, figures, which data is read): such variables are part of the
   * notebook run cache's key; the others only change console output, tooling paths or time limits.
   */
  affectsResults: boolean;
  /** Allowed values, for `enum`. */
  values?: readonly string[];
}

/** The registry, grouped as the README lists it. */
export const ENV_VARS: readonly EnvVar[] = [
  // settings
  { name: "NANOMORPH_PROFILE", type: "enum", values: ["ci", "laptop", "quality", "paper"], default: "quality", description: "settings profile of every command and notebook (`--profile` sets it)", affectsResults: true },
  { name: "NANOMORPH_BACKEND", type: "enum", values: ["native", "native-cpu", "native-cuda", "native-mps", "node-gpu", "node", "wasm", "cpu"], default: "first that loads: native-cuda/mps, node-gpu, native-cpu, node, wasm, cpu", description: "TensorFlow.js backend (`--backend` sets it)", affectsResults: true },
  { name: "NANOMORPH_THREADS", type: "integer", default: "CPU cores", description: "ATen threads of the native backend (≥ 1)", affectsResults: true },
  { name: "NANOMORPH_WASM_THREADS", type: "integer", default: "CPU cores", description: "threads of the wasm backend (≥ 1; 1 = no worker threads)", affectsResults: true },
  { name: "NANOMORPH_PROBE_WORKERS", type: "integer", default: "min(cores, 8)", description: "worker threads of the probe's head fits", affectsResults: true },
  { name: "NANOMORPH_STACK_SLICE", type: "integer", default: "unset (a 3-D stack is an error)", description: "slice of a 3-D microscope stack to read (`--stack-slice` sets it)", affectsResults: true },
  { name: "NANOMORPH_INLINE_PNG", type: "flag", default: "1 under `reproduce`, else 0", description: "notebook figures also carry a static PNG", affectsResults: true },
  // where things live
  { name: "NANOMORPH_CACHE", type: "path", default: "<project>/.cache", description: "cache of datasets, features, encoders, grid cells", affectsResults: false },
  { name: "NANOMORPH_FIGURES", type: "path", default: "<project>/figures", description: "where figure specs, PNG and SVG go", affectsResults: true },
  { name: "NANOMORPH_RESULTS", type: "path", default: "<project>/results", description: "where run tables go", affectsResults: true },
  { name: "NANOMORPH_NOTEBOOK_PARAMETERS", type: "string", default: "unset", description: "set by `reproduce -p/--params` for its kernels: the parameter values to inject (keyed in the run cache as parameters)", affectsResults: false },
  { name: "NANOMORPH_RUN_OUTPUTS", type: "path", default: "unset", description: "set by `reproduce` for its kernels: the file that lists what a notebook wrote", affectsResults: false },
  // real data the notebooks use when present
  { name: "NANOMORPH_NANOWIRE_DIR", type: "path", default: "unset (synthetic nanowires)", description: "real nanowire images, folder per class (notebooks 01–06)", affectsResults: true },
  { name: "NANOMORPH_NANOWIRE_MASKS", type: "path", default: "unset", description: "masks of the real nanowire images (notebooks 05, 06)", affectsResults: true },
  { name: "NANOMORPH_NANOPARTICLE_DIR", type: "path", default: "unset (synthetic particles)", description: "real nanoparticle class folders (notebook 04)", affectsResults: true },
  { name: "NANOMORPH_VIRUS_DIR", type: "path", default: "unset (synthetic virus-like set)", description: "a real train/validation/test class set (notebook 04)", affectsResults: true },
  { name: "NANOMORPH_REAL_EXAMPLES", type: "path", default: "unset", description: "the authors' four example crops (notebook 01)", affectsResults: true },
  { name: "NANOMORPH_EMPS_DIR", type: "path", default: "unset", description: "EMPS micrographs with instance maps, images/ and segmaps/ (notebook 07)", affectsResults: true },
  { name: "NANOMORPH_PAPER_FIGURES", type: "path", default: "<project>/data/reference-figures", description: "the authors' figure images, linked from figures/REPORT.md when present", affectsResults: true },
  // tools
  { name: "NANOMORPH_PYTHON", type: "path", default: "/usr/bin/python3", description: "Python with Jupyter's nbclient (and the oracles)", affectsResults: false },
  { name: "NANOMORPH_CHROMIUM", type: "path", default: "Debian's chromium", description: "Chromium for static figures", affectsResults: false },
  // console and limits
  { name: "NANOMORPH_QUIET", type: "flag", default: "0", description: "no progress lines", affectsResults: false },
  { name: "NANOMORPH_DEBUG", type: "flag", default: "0", description: "stack traces with errors", affectsResults: false },
  { name: "NANOMORPH_ECHO_CHARS", type: "integer", default: "4000", description: "characters of a failed cell's output that `reproduce` repeats", affectsResults: false },
  { name: "NANOMORPH_INTERRUPT_GRACE_MS", type: "integer", default: "20000", description: "how long a Ctrl-C'd run may take to reach its checkpoint before it is stopped at once", affectsResults: false },
  { name: "NANOMORPH_WASM_INIT_TIMEOUT_MS", type: "integer", default: "60000", description: "time limit of the threaded wasm start (then one thread)", affectsResults: false },
  { name: "NANOMORPH_NOTEBOOK", type: "flag", default: "0", description: "set by the project's tslab kernel: progress bars update one line in place", affectsResults: false },
  { name: "NANOMORPH_FROM_SOURCE", type: "flag", default: "0", description: "bin/nanomorph runs the TypeScript sources even when dist/ is current", affectsResults: false },
  // development
  { name: "NANOMORPH_RECORD_KERNELS", type: "enum", values: ["1", "time", "shapes"], default: "unset", description: "count (or time, or time per shape) every native kernel call", affectsResults: false },
  { name: "NANOMORPH_RECORD_KERNELS_TO", type: "path", default: "unset", description: "folder for the per-process kernel counts", affectsResults: false },
  { name: "NANOMORPH_NATIVE_STRICT", type: "flag", default: "0", description: "a failed native addon build fails `npm ci` (CI sets it)", affectsResults: false },
  { name: "NANOMORPH_NATIVE", type: "flag", default: "1", description: "0 skips building the native addon", affectsResults: false },
  { name: "NANOMORPH_NATIVE_FORCE", type: "flag", default: "0", description: "rebuild the native addon even when it is up to date", affectsResults: false },
  { name: "NANOMORPH_BENCH_R50_B64", type: "flag", default: "0", description: "the bench also times a ResNet50 batch-64 SimCLR step", affectsResults: false },
  { name: "NANOMORPH_REQUIRE_ORACLES", type: "flag", default: "0", description: "tests fail instead of skipping when a Python oracle is missing (CI sets it)", affectsResults: false },
];

const BY_NAME = new Map(ENV_VARS.map((v) => [v.name, v]));

/** The registry entry of `name`. @throws naming it when it is not registered */
export function envVar(name: string): EnvVar {
  const v = BY_NAME.get(name);
  if (!v) throw new Error(`lib/config/env.ts: ${name} is not a registered environment variable`);
  return v;
}

/** Names of the variables that can change results (the run cache keys on these). */
export function resultVariables(): string[] {
  return ENV_VARS.filter((v) => v.affectsResults).map((v) => v.name);
}

/**
 * A registered integer variable's value, or undefined when unset or empty.
 * @throws naming the variable when it is set to something other than an integer ≥ `min`
 */
export function envInteger(name: string, min = 0, env: NodeJS.ProcessEnv = process.env): number | undefined {
  envVar(name);
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

/** A registered flag: true for 1/true/on/yes (any case). */
export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  envVar(name);
  return /^(1|true|on|yes)$/i.test(env[name] ?? "");
}

/** The README's table of the registry (markdown). */
export function envMarkdownTable(): string {
  const rows = ENV_VARS.map((v) => `| \`${v.name}\` | ${v.type === "enum" ? (v.values ?? []).join(" \\| ") : v.type} | ${v.default} | ${v.description} | ${v.affectsResults ? "yes" : "no"} |`);
  return ["| variable | value | default | what it changes | affects results |", "|---|---|---|---|---|", ...rows].join("\n");
}
