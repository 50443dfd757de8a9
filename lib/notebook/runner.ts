import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CellRun, CellFailure, NotebookRun, ReproduceResult } from "./run_types";
import { spawn } from "child_process";
import type { ProfileName } from "../config/index";
import { buildAll } from "./build";
import { registerKernelSpec, KERNEL_NAME } from "./kernelspec";
import { ensureCompiledLib } from "./compiled_lib";
import { findJupyterPython, jupyterEnv, JUPYTER_INSTALL_HINT } from "./jupyter";
import { POST_STEPS, type PostStep } from "./post_steps";
import { writeJsonAtomic } from "../util/fsx";
import { readDeclaredOutputs, RUN_OUTPUTS_VAR } from "../util/outputs";
import { checkReuse, forgetRun, notebookKeys, readRecord, recordPath, recordRun, snapshot, writtenBetween } from "./run_cache";
import { injectParameters, notebookParameters, resolveParameters, type GivenParameters, type NotebookJson, type ParamValue } from "./parameters";
import { estimateLine, readRunReport, runHistory, writeRunReport } from "./run_report";
import { NOTEBOOK_PARAMETERS_VAR } from "../report/summary";
import { watchInterrupts, onInterrupt, interruptSignal, InterruptedError } from "../util/interrupt";
import { projectRoot } from "../util/paths";

/** Settings of `reproduce`. Defaults in brackets. */
export interface ReproduceOptions {
  /** Project root. */
  root: string;
  /** Profile passed to every kernel as NANOMORPH_PROFILE. */
  profile: ProfileName;
  /** Run only notebooks whose number prefix is in this list, e.g. ["00", "03"]. [all] */
  only?: string[];
  /** Per-cell timeout in seconds; 0 = none. [ci: 600, laptop: 7200, paper: 0] */
  cellTimeoutSec?: number;
  /** Keep running later notebooks after a failure. [false] */
  keepGoing?: boolean;
  /** NANOMORPH_INLINE_PNG for the kernels. [env value, else true] */
  inlinePng?: boolean;
  /** Rebuild notebooks/*.ipynb from notebooks/src first (only the `only` ones when given). [true] */
  build?: boolean;
  /**
   * Execute every notebook even when its inputs are unchanged since its last passing run (see
   * run_cache.ts; a cached notebook is reused without starting a kernel). [false]
   */
  force?: boolean;
  /** Steps after the notebooks. [POST_STEPS] */
  postSteps?: PostStep[];
  /** Pythons to try for nbclient. [$NANOMORPH_PYTHON, /usr/bin/python3, python3] */
  pythonCandidates?: string[];
  /** Where progress goes. [console.log] */
  log?: (line: string) => void;
  /**
   * Values for the notebooks' `parameters` cells (`-p`, `--params`), checked against their declared
   * types before anything runs (parameters.ts); they go into a cell injected after the parameters cell,
   * the executed copy's metadata, run.json and the cache key. [none]
   */
  parameters?: GivenParameters;
}

export type { CellRun, CellFailure, NotebookRun, ReproduceResult } from "./run_types";

/** Where `reproduce` records its runs: notebooks/executed/run.json (see run_report.ts). */
export function reproduceRecordPath(root: string): string {
  return path.join(root, "notebooks", "executed", "run.json");
}

function record(root: string, profile: ProfileName, started: Date, res: ReproduceResult, history: ReturnType<typeof runHistory>): ReproduceResult {
  writeRunReport(reproduceRecordPath(root), { root, profile, started, ok: res.ok, failure: res.failure ?? null, runs: res.runs, postSteps: res.postSteps, history });
  return res;
}

/** Default per-cell timeout (s) of a profile. */
export function defaultCellTimeout(profile: ProfileName): number {
  return profile === "ci" ? 600 : profile === "laptop" || profile === "quality" ? 7200 : 0;
}

/** Notebooks to run: `notebooks/NN-*.ipynb` sorted, optionally only the NN prefixes in `only`. */
export function listNotebooks(notebooksDir: string, only?: string[]): string[] {
  const all = fs.existsSync(notebooksDir) ? fs.readdirSync(notebooksDir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort() : [];
  if (only && only.length) {
    const want = only.map((o) => o.trim().padStart(2, "0"));
    const missing = want.filter((w) => !all.some((f) => f.startsWith(`${w}-`)));
    if (missing.length) throw new Error(`listNotebooks: no notebook ${missing.join(", ")} in ${notebooksDir} (have ${all.join(", ") || "none"})`);
    return all.filter((f) => want.includes(f.slice(0, 2))).map((f) => path.join(notebooksDir, f));
  }
  return all.map((f) => path.join(notebooksDir, f));
}

/** The message `reproduce` exits with for a failed notebook. */
export function describeFailure(run: NotebookRun, root: string): string {
  const f = run.failed;
  const rel = (p: string) => path.relative(root, p) || p;
  if (!f) return `${rel(run.notebook)} failed`;
  const where = f.number === null ? "before any cell ran" : `cell ${f.number}${f.sourceHead ? ` (${f.sourceHead})` : ""}`;
  const what = f.kind === "error" ? "" : ` [${f.kind}]`;
  const copy = fs.existsSync(run.output) ? `\n  executed copy with outputs${run.ok ? "" : " (partial, beside the last complete one)"}: ${rel(run.output)}` : "";
  return `${rel(run.notebook)}, ${where}${what}:\n${f.message.trim().split("\n").map((l) => `    ${l}`).join("\n")}${copy}`;
}

/** Where the executed copy of a run that did not finish goes, beside the complete one: `NN-name.partial.ipynb`. */
export function partialNotebookPath(output: string): string {
  return output.replace(/(\.ipynb)?$/, ".partial.ipynb");
}

/**
 * Run one notebook through the tslab kernel with lib/notebook/run_notebook.py (nbclient). The driver
 * writes `partialNotebookPath(output)`; only a run that finished without error replaces `output`
 * with it. A failed or interrupted run leaves the last complete executed copy at `output` and its
 * own copy beside it, marked (the `.partial.ipynb` name and `metadata.nanomorph.partial`); the
 * result's `output` then names the partial copy. Never throws for a failing cell (see `failed`);
 * throws when the driver itself cannot run, and InterruptedError after a signal.
 */
export async function runNotebook(
  python: string,
  root: string,
  notebook: string,
  output: string,
  env: NodeJS.ProcessEnv,
  cellTimeoutSec: number,
): Promise<NotebookRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-run-"));
  const resultFile = path.join(tmp, "result.json");
  const partial = partialNotebookPath(output);
  fs.rmSync(partial, { force: true });
  const driver = path.join(projectRoot(), "lib", "notebook", "run_notebook.py");
  const t0 = Date.now();
  try {
    // A signal goes to the driver too (a `kill -TERM` of this process alone would orphan it and its
    // kernel); once it has exited, the run stops with exit code 130/143.
    const stopWatching = watchInterrupts();
    let offInterrupt = (): void => undefined;
    const code: number = await new Promise<number>((resolve, reject) => {
      const child = spawn(python, [driver, notebook, partial, "--result", resultFile, "--kernel", KERNEL_NAME, "--timeout", String(Math.round(cellTimeoutSec)), "--cwd", root], {
        cwd: root, env, stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", (e) => reject(new Error(`runNotebook: cannot start ${python}: ${e.message}`)));
      child.on("exit", (c, sig) => resolve(c ?? (sig ? 128 : 1)));
      offInterrupt = onInterrupt((sig) => { child.kill(sig); });
    }).finally(() => { offInterrupt(); stopWatching(); });
    const sig = interruptSignal();
    if (sig) {
      const kept = fs.existsSync(output) ? `; the last complete executed copy ${path.basename(output)} is unchanged` : "";
      const part = fs.existsSync(partial) ? `, this run's partial copy is ${path.basename(partial)}` : "";
      throw new InterruptedError(sig, `${path.basename(notebook)} was stopped${kept}${part}; run reproduce again (finished notebooks are reused)`);
    }
    const wallSec = (Date.now() - t0) / 1000;
    if (!fs.existsSync(resultFile)) {
      return { notebook, output: partial, ok: false, wallSec, cells: [], failed: { kind: "driver", number: null, message: `run_notebook.py exited ${code} without a result (see its stderr above)`, sourceHead: null } };
    }
    const r = JSON.parse(fs.readFileSync(resultFile, "utf8")) as {
      ok: boolean; peak_mb?: number | null; cells: { number: number; seconds: number; status?: string; peak_mb?: number | null }[];
      failed: null | { kind: string; number: number | null; message: string; source_head: string | null; source?: string | null };
    };
    const ok = r.ok && code === 0;
    if (ok) fs.renameSync(partial, output);
    const run: NotebookRun = {
      notebook, output: ok ? output : partial, ok, wallSec, peakMb: r.peak_mb ?? null,
      cells: r.cells.map((c) => ({ number: c.number, seconds: c.seconds, status: c.status ?? "ok", peakMb: c.peak_mb ?? null })),
    };
    if (r.failed) run.failed = { kind: r.failed.kind, number: r.failed.number, message: r.failed.message, sourceHead: r.failed.source_head, source: r.failed.source ?? null };
    return run;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A file rewritten by a later notebook belongs to that notebook: drop it from the records of the
 * earlier executed copies `outputs`, so their next check does not see it as changed.
 */
function disown(outputs: string[], files: string[]): void {
  const taken = new Set(files);
  for (const out of outputs) {
    const r = readRecord(out);
    if (!r || !Object.keys(r.outputs).some((f) => taken.has(f))) continue;
    for (const f of Object.keys(r.outputs)) if (taken.has(f)) delete r.outputs[f];
    writeJsonAtomic(recordPath(out), r);
  }
}

/**
 * `nanomorph reproduce`: register the kernelspec, rebuild the notebooks, execute every
 * notebooks/NN-*.ipynb in order through the tslab kernel (outputs saved to notebooks/executed/),
 * then run the post-steps (figure rendering, …). A notebook whose inputs are unchanged since its last
 * passing run, with its executed copy and outputs intact, is reused without a kernel (run_cache.ts;
 * `force` re-runs all). Prints an estimate per notebook from the last run's timings, per-notebook wall
 * times, and writes notebooks/executed/run.json (run_report.ts: per notebook and cell status, seconds,
 * peak memory, the failing cell's error and source, the parameters).
 * @throws when Jupyter/nbclient is missing (with install instructions) or no notebook exists;
 *   ParameterError for an unknown parameter or a value of the wrong type (before anything runs).
 */
export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const root = opts.root;
  const started = new Date();
  const nbDir = path.join(root, "notebooks");
  const jp = findJupyterPython(opts.pythonCandidates);
  if (!jp.python) throw new Error(`reproduce: no Python with Jupyter's nbclient found (tried: ${jp.tried.join("; ")}).\n${JUPYTER_INSTALL_HINT}`);
  const spec = registerKernelSpec(root);
  log(`kernelspec: ${path.relative(root, spec)} (python ${jp.python}, nbclient ${jp.versions?.nbclient})`);
  if (opts.build ?? true) {
    // With --only, rebuild just those notebooks (others are left as they are).
    const want = opts.only?.map((o) => o.trim().padStart(2, "0"));
    const built = buildAll(nbDir, (name) => !want || want.includes(name.slice(0, 2)));
    log(`built ${built.length} notebook(s) from notebooks/src`);
  }
  const notebooks = listNotebooks(nbDir, opts.only);
  if (notebooks.length === 0) throw new Error(`reproduce: no notebooks/NN-*.ipynb in ${nbDir}`);
  // Parameters are checked against every running notebook's declared types before anything runs.
  const nbJson = new Map(notebooks.map((nb) => [nb, JSON.parse(fs.readFileSync(nb, "utf8")) as NotebookJson] as const));
  const declared = notebooks.map((nb) => ({ number: path.basename(nb).slice(0, 2), name: path.basename(nb), specs: notebookParameters(nbJson.get(nb)!, path.relative(root, nb)) }));
  const params = resolveParameters(declared, opts.parameters ?? { cli: [], file: [] });
  for (const [num, vals] of params) log(`parameters of ${num}: ${Object.entries(vals).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
  const history = runHistory(readRunReport(reproduceRecordPath(root)));
  const inlinePng = opts.inlinePng ?? (process.env.NANOMORPH_INLINE_PNG === undefined ? true : /^(1|true|on|yes)$/i.test(process.env.NANOMORPH_INLINE_PNG));
  const env = jupyterEnv(root, { NANOMORPH_PROFILE: opts.profile, NANOMORPH_INLINE_PNG: inlinePng ? "1" : "0" });
  const timeout = opts.cellTimeoutSec ?? defaultCellTimeout(opts.profile);
  log(`profile ${opts.profile}, ${notebooks.length} notebook(s), cell timeout ${timeout > 0 ? `${timeout} s` : "none"}, inline PNG ${inlinePng ? "on" : "off"}`);

  // Keys chain over all notebooks in order, so that `--only` sees the same keys as a full run.
  const paramsOf = (nb: string): Record<string, ParamValue> | undefined => params.get(path.basename(nb).slice(0, 2));
  const keys = notebookKeys(root, listNotebooks(nbDir), { profile: opts.profile, inlinePng, env }, (nb) => paramsOf(nb) ?? {});
  const est = estimateLine(history, opts.profile, notebooks.map((nb) => path.basename(nb)));
  if (est) log(est);
  const outDirs = [env.NANOMORPH_FIGURES ?? path.join(root, "figures"), env.NANOMORPH_RESULTS ?? path.join(root, "results")];
  const runs: NotebookRun[] = [];
  const failures: string[] = [];
  const recorded: string[] = [];
  let libCompiled = false; // dist/ checked (and rebuilt if stale) before the first kernel starts
  let afterFailure = false; // with --keep-going: later runs may have missed a failed notebook's outputs
  for (const nb of notebooks) {
    const output = path.join(nbDir, "executed", path.basename(nb));
    const key = keys.get(nb);
    if (!key) throw new Error(`reproduce: no cache key for ${nb}`);
    const check = opts.force ? { reuse: false as const, reason: "--force" } : checkReuse(output, key, root);
    if (check.reuse) {
      const r = check.record;
      runs.push({ notebook: nb, output, ok: true, wallSec: 0, cells: r.cells, cached: { ranAt: r.ranAt, wallSec: r.wallSec }, ...(paramsOf(nb) ? { parameters: paramsOf(nb) } : {}) });
      recorded.push(output);
      log(`= ${path.basename(nb)}  unchanged since ${r.ranAt} (ran ${r.wallSec.toFixed(1)} s): reused`);
      continue;
    }
    if (!libCompiled) { ensureCompiledLib(root, log); libCompiled = true; }
    const last = history[opts.profile]?.[path.basename(nb)];
    log(`▶ ${path.relative(root, nb)}  (${check.reason})${last ? `  · last run ${last.wallSec.toFixed(0)} s` : ""}`);
    const before = snapshot(outDirs);
    const declaredFile = path.join(os.tmpdir(), `nanomorph-outputs-${process.pid}-${path.basename(nb, ".ipynb")}.txt`);
    fs.rmSync(declaredFile, { force: true });
    // With parameters, the kernel runs a copy with the injected cell (same file name, for the log).
    const values = paramsOf(nb);
    let toRun = nb;
    let injectedDir: string | null = null;
    if (values) {
      injectedDir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-params-"));
      toRun = path.join(injectedDir, path.basename(nb));
      fs.writeFileSync(toRun, JSON.stringify(injectParameters(nbJson.get(nb)!, values, path.relative(root, nb)), null, 1) + "\n");
    }
    let run: NotebookRun;
    try {
      // The kernel also gets the values (recordSummary puts them in the report); the cache key has them already.
      const kernelEnv = { ...env, [RUN_OUTPUTS_VAR]: declaredFile, [NOTEBOOK_PARAMETERS_VAR]: JSON.stringify(values ?? {}) };
      run = { ...(await runNotebook(jp.python, root, toRun, output, kernelEnv, timeout)), notebook: nb };
    } finally {
      if (injectedDir) fs.rmSync(injectedDir, { recursive: true, force: true });
    }
    if (values) run.parameters = values;
    const declared = readDeclaredOutputs(declaredFile);
    fs.rmSync(declaredFile, { force: true });
    runs.push(run);
    log(`${run.ok ? "✓" : "✗"} ${path.basename(nb)}  ${run.wallSec.toFixed(1)} s${run.ok ? "" : `  FAILED at cell ${run.failed?.number ?? "?"}`}`);
    if (run.ok && !afterFailure) {
      const rec = recordRun({ notebook: nb, output, key, wallSec: run.wallSec, cells: run.cells, parameters: values, written: writtenBetween(before, snapshot(outDirs)), declared, figuresDir: outDirs[0] });
      disown(recorded, Object.keys(rec.outputs));
      recorded.push(output);
    } else {
      forgetRun(output);
      if (run.ok) continue;
      afterFailure = true;
      failures.push(describeFailure(run, root));
      if (!opts.keepGoing) break;
    }
  }

  log("");
  log("notebook                                   status   wall s");
  for (const r of runs) log(`${path.basename(r.notebook).padEnd(42)} ${(r.cached ? "cached" : r.ok ? "ok" : "FAILED").padEnd(8)} ${r.wallSec.toFixed(1).padStart(6)}`);
  log(`${"total".padEnd(42)} ${"".padEnd(8)} ${runs.reduce((a, r) => a + r.wallSec, 0).toFixed(1).padStart(6)}`);

  const post: ReproduceResult["postSteps"] = [];
  if (failures.length) {
    return record(root, opts.profile, started, { ok: false, runs, postSteps: post, failure: `${failures.length} notebook(s) failed:\n  ${failures.join("\n  ")}` }, history);
  }
  for (const step of opts.postSteps ?? POST_STEPS) {
    const t0 = Date.now();
    try {
      await step.run({ root, profile: opts.profile, runs, log });
      post.push({ name: step.name, seconds: (Date.now() - t0) / 1000 });
      log(`✓ post-step ${step.name}  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      const msg = (e as Error).message;
      post.push({ name: step.name, seconds: (Date.now() - t0) / 1000, error: msg });
      return record(root, opts.profile, started, { ok: false, runs, postSteps: post, failure: `post-step '${step.name}' failed: ${msg}` }, history);
    }
  }
  return record(root, opts.profile, started, { ok: true, runs, postSteps: post }, history);
}
