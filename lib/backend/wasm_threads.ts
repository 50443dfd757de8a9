/**
 * Multi-threaded tfjs wasm backend in Node, through an init shim this project owns.
 *
 * tfjs-backend-wasm 4.22.0 ships a threaded-SIMD build whose Emscripten glue has Node branches, but its
 * own JS glue blocks it under Node (facts measured in docs/toolchain.md §6):
 *  1. `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired false under Node → we set the flag.
 *  2. the pthread worker script is handed to Emscripten as a `blob:` URL, which Node's `Worker` rejects
 *     → while init runs, `URL.createObjectURL` writes that Blob to a temp file and returns its path.
 *  3. the main script reaches each worker as a Blob that the worker's `importScripts` cannot read → the
 *     worker file gets a hook that swaps the Blob in the `load` message for a temp-file path.
 *  4. that main script is a stringified closure referring to bundle-scope names (`require$$0`, …) →
 *     the temp file starts with a prelude defining them; a guard checks the closure's free names
 *     against the prelude and throws (inside init, so `setBackend` resolves false) on any other build.
 *  5. the C++ side caps threads at `os.cpus().length / 2` → `os.cpus()` reports 2n entries during init.
 * After init every pthread worker is `unref()`ed so the process still exits on its own.
 *
 * Everything patched is restored in `finally`; temp files are deleted once the workers have loaded.
 *
 * Two rules keep a failed init from passing for a finished program. Emscripten `unref()`s each worker
 * once it has loaded, so while init is pending only the workers still loading hold the process open:
 * a worker that ends before loading (an empty script reads as a clean exit 0) would leave init pending
 * forever and Node would end the process with code 0, in the middle of a command. So
 *  - each temp script is written once, atomically: tfjs asks for the worker script once per worker, and
 *    rewriting it in place let a starting worker read a truncated, empty file (seen under load);
 *  - a worker that exits or errors before init settles fails init at once (then one thread), and the
 *    init time limit is a ref'd timer, so a pending init always ends in a result.
 */
import * as fs from "fs";
import { writeFileAtomic } from "../util/fsx";
const os = require("os") as typeof import("os");
import * as path from "path";
const workerThreads = require("worker_threads") as typeof import("worker_threads");
import * as tf from "@tensorflow/tfjs";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";

/** The only tfjs-backend-wasm version the shim was written and measured against. */
export const WASM_SHIM_VERSION = "4.22.0";

/** Bundle-scope names the stringified factory may use, each defined by the worker prelude. */
export const PRELUDE_NAMES = [
  "require$$0", "require$$1", "require$$3", "require$$4", "commonjsGlobal", "_scriptDir",
  "__values", "__read", "__spreadArray",
] as const;
/** Names that appear free in the factory but are only evaluated on the main thread. */
export const MAIN_THREAD_ONLY: readonly string[] = ["__dirname", "__filename"];

/** Free helper names of a factory source that neither the prelude nor the main thread accounts for. */
export function unknownFactoryNames(src: string): string[] {
  return factoryFreeNames(src).filter((n) => !(PRELUDE_NAMES as readonly string[]).includes(n) && !MAIN_THREAD_ONLY.includes(n));
}
const FACTORY_PREFIX = "var WasmBackendModuleThreadedSimd = ";
const WORKER_MARK = "WasmBackendModuleThreadedSimd(Module)";

/** Outcome of {@link initWasmThreaded}. */
export interface WasmThreadsResult {
  /** True when `tf.setBackend("wasm")` resolved true with the threaded build. */
  ok: boolean;
  /** Threads XNNPACK uses (tfjs `getThreadsCount()`), 0 when init failed. */
  threads: number;
  /** Why it worked or what failed (for the backend log line). */
  reason: string;
}

/**
 * Free names of the helper kind (`require$$N`, `commonjsGlobal`, `_scriptDir`, `__x`) used in `src`
 * and not declared there. Strings and property accesses are skipped by the look-behind.
 */
export function factoryFreeNames(src: string): string[] {
  const declared = new Set([...src.matchAll(/(?:function|var|let|const)\s+([\w$]+)/g)].map((m) => m[1]));
  const found = new Set<string>();
  for (const m of src.matchAll(/(^|[^.\w$"'])(require\$\$\d+|commonjsGlobal|_scriptDir|__[A-Za-z]\w*)\b/g)) {
    if (!declared.has(m[2])) found.add(m[2]);
  }
  return [...found].sort();
}

/** Prelude evaluated before the factory inside each worker; defines every name in PRELUDE_NAMES. */
function prelude(mainPath: string): string {
  return [
    `var require$$0 = require("fs"), require$$1 = require("path"), require$$3 = require("perf_hooks"), require$$4 = require("os");`,
    `var commonjsGlobal = globalThis; var _scriptDir = ${JSON.stringify(mainPath)};`,
    // Iterator helpers with the semantics the down-levelled for-of / spread code expects.
    `var __values = function (o) { if (o != null && typeof o[Symbol.iterator] === "function") return o[Symbol.iterator]();`,
    `  var i = 0; return { next: function () { return { value: o && o[i], done: !o || i++ >= o.length }; } }; };`,
    `var __read = function (o, n) { var it = o[Symbol.iterator](), out = [], r;`,
    `  while ((n === undefined || n-- > 0) && !(r = it.next()).done) out.push(r.value); return out; };`,
    `var __spreadArray = function (to, from) { return to.concat(Array.prototype.slice.call(from)); };`,
    "",
  ].join("\n");
}

/** Hook appended to the pthread worker script: replace the main-script Blob by its temp-file path. */
function workerHook(mainPath: string): string {
  return `\n;(function () { var orig = self.onmessage; self.onmessage = function (e) {
  if (e && e.data && e.data.cmd === "load" && typeof e.data.urlOrBlob !== "string") e.data.urlOrBlob = ${JSON.stringify(mainPath)};
  return orig(e); }; })();\n`;
}

/** Init time limit: `NANOMORPH_WASM_INIT_TIMEOUT_MS` (default 60000; normal init takes 0.3–2 s, ~10 s on a badly overloaded machine). */
function initTimeoutMs(): number {
  const v = Number(process.env.NANOMORPH_WASM_INIT_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 60_000;
}

/**
 * Resolve like `p`, or reject after `ms` or when `lost` rejects (a worker gone). A failed threaded
 * init is abandoned: its workers are terminated and the caller's next `setBackend("wasm")` starts a
 * fresh (single-threaded) init, whose result tfjs keeps (it ignores an older pending init that
 * resolves later). The timer is deliberately ref'd: it is what keeps the process alive, and the wait
 * bounded, if every worker that could answer is gone.
 */
function withLimits<T>(p: Promise<T>, lost: Promise<never>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`threaded init did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, lost, t]).finally(() => clearTimeout(timer));
}

/** Why the shim cannot run in this process, or null when it can. */
export function threadedShimBlocker(threads: number): string | null {
  if (!(Number.isInteger(threads) && threads >= 2)) return `threads=${threads} (needs an integer >= 2)`;
  if (wasmBackend.version_wasm !== WASM_SHIM_VERSION) {
    return `tfjs-backend-wasm ${wasmBackend.version_wasm} is not the ${WASM_SHIM_VERSION} the shim was written for`;
  }
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  if (registry.wasm) return "the wasm backend was already initialised single-threaded in this process";
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") return "no SharedArrayBuffer/Atomics";
  if (typeof Blob !== "function" || typeof URL.createObjectURL !== "function") return "no global Blob/URL.createObjectURL";
  return null;
}

/**
 * Initialise the tfjs wasm backend with `threads` XNNPACK threads. Must run before anything
 * initialises wasm (i.e. before any tensor work). Never throws for an expected failure: returns
 * `ok: false` with a reason, after which the caller can init the stock single-threaded backend
 * (the flag and the thread count are reset here).
 */
export async function initWasmThreaded(threads: number): Promise<WasmThreadsResult> {
  const blocker = threadedShimBlocker(threads);
  if (blocker) return { ok: false, threads: 0, reason: blocker };
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) return { ok: false, threads: 0, reason: "no wasm SIMD (the threaded build needs it)" };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-wasm-"));
  const mainPath = path.join(dir, "main.cjs");
  const workerPath = path.join(dir, "worker.cjs");
  const blobText = new WeakMap<Blob, string>();
  const created: import("worker_threads").Worker[] = [];
  let shimError: string | null = null;
  let settled = false;
  let workerLost: (e: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => { workerLost = reject; });
  lost.catch(() => undefined); // only ever read through the race below

  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const origCpus = os.cpus;
  const wt = workerThreads as unknown as { Worker: typeof workerThreads.Worker };
  const OrigWorker = wt.Worker;

  class RecordingBlob extends OrigBlob {
    constructor(parts?: ConstructorParameters<typeof Blob>[0], opts?: ConstructorParameters<typeof Blob>[1]) {
      super(parts, opts);
      if (parts && parts.every((p) => typeof p === "string")) blobText.set(this, (parts as string[]).join(""));
      const text = blobText.get(this);
      if (text !== undefined && text.startsWith(FACTORY_PREFIX)) {
        const unknown = unknownFactoryNames(text.slice(FACTORY_PREFIX.length));
        if (unknown.length) {
          shimError = `factory uses bundle names the prelude lacks: ${unknown.join(", ")}`;
          throw new Error(`lib/backend/wasm_threads.ts: ${shimError}`);
        }
        if (!fs.existsSync(mainPath)) writeFileAtomic(mainPath, prelude(mainPath) + text);
      }
    }
  }
  class TrackedWorker extends OrigWorker {
    constructor(...args: ConstructorParameters<typeof workerThreads.Worker>) {
      super(...args);
      const index = created.push(this) - 1;
      this.once("exit", (code) => { if (!settled) workerLost(new Error(`pthread worker ${index} exited (code ${code}) before init finished`)); });
      this.once("error", (e) => { if (!settled) workerLost(new Error(`pthread worker ${index} failed before init finished: ${e.message}`)); });
    }
  }

  try {
    globalThis.Blob = RecordingBlob as typeof Blob;
    wt.Worker = TrackedWorker;
    URL.createObjectURL = (obj: Parameters<typeof URL.createObjectURL>[0]): string => {
      const text = obj instanceof OrigBlob ? blobText.get(obj) : undefined;
      if (text === undefined || !text.includes(WORKER_MARK)) return origCreate(obj as Blob);
      if (!fs.existsSync(mainPath)) {
        shimError = "worker script requested before the main-script Blob was seen";
        throw new Error(`lib/backend/wasm_threads.ts: ${shimError}`);
      }
      // Asked once per worker with the same text: written the first time only (see the file comment).
      if (!fs.existsSync(workerPath)) writeFileAtomic(workerPath, text + workerHook(mainPath));
      return workerPath;
    };
    const cpus = origCpus.call(os);
    (os as { cpus: () => import("os").CpuInfo[] }).cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasmBackend.setThreadsCount(threads);

    const ok = await withLimits(tf.setBackend("wasm"), lost, initTimeoutMs());
    if (!ok) throw new Error(shimError ?? "tf.setBackend('wasm') resolved false with the threaded build");
    for (const w of created) w.unref();
    const got = wasmBackend.getThreadsCount();
    return { ok: true, threads: got, reason: `threaded wasm shim: ${got} threads (asked ${threads}), ${created.length} pthread workers unref'd` };
  } catch (e) {
    for (const w of created) void w.terminate();
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasmBackend.setThreadsCount(1);
    return { ok: false, threads: 0, reason: `threaded wasm shim failed: ${(e as Error).message ?? String(e)}` };
  } finally {
    settled = true;
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    (os as { cpus: () => import("os").CpuInfo[] }).cpus = origCpus;
    wt.Worker = OrigWorker;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
