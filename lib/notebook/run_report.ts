/**
 * The run report of `reproduce`: notebooks/executed/run.json. Per notebook: status, wall seconds, the
 * kernel's peak memory, the parameters it ran with, per cell the status, seconds and peak memory, and
 * for a failed cell its error with the cell's source. It also keeps, per profile, the last wall time of
 * every notebook that ran to the end (`history`), which later runs print as estimates.
 */
import * as fs from "fs";
import * as path from "path";
import { readJson, writeJsonAtomic } from "../util/fsx";
import type { NotebookRun, ReproduceResult } from "./run_types";

/** Profile → notebook file name → its last passing run's wall time (seconds) and when it ran. */
export type RunHistory = Record<string, Record<string, { wallSec: number; ranAt: string }>>;

/** The JSON document `reproduce` writes (version 1). */
export interface RunReport {
  version: 1;
  profile: string;
  startedAt: string;
  totalSec: number;
  ok: boolean;
  failure: string | null;
  notebooks: {
    notebook: string;
    /** "ok", "failed", or "cached" (reused unchanged; times are the earlier run's). */
    status: "ok" | "failed" | "cached";
    wallSec: number;
    peakMb: number | null;
    parameters: Record<string, unknown>;
    cells: { number: number; seconds: number; status: string; peakMb: number | null }[];
    failed: null | { kind: string; number: number | null; message: string; sourceHead: string | null; source: string | null };
    cached: null | { ranAt: string; wallSec: number };
  }[];
  postSteps: ReproduceResult["postSteps"];
  history: RunHistory;
}

/** What `writeRunReport` needs. */
export interface RunReportInput {
  root: string;
  profile: string;
  started: Date;
  ok: boolean;
  failure: string | null;
  runs: NotebookRun[];
  postSteps: ReproduceResult["postSteps"];
  /** The history read at the start of the run (`runHistory`); updated with this run's passing notebooks. */
  history: RunHistory;
}

/** The previous report at `file`, or null when missing or unreadable. */
export function readRunReport(file: string): Partial<RunReport> | null {
  if (!fs.existsSync(file)) return null;
  try {
    return readJson<Partial<RunReport>>(file);
  } catch {
    return null;
  }
}

/** The history of a previous report (empty for none or an older format). */
export function runHistory(prev: Partial<RunReport> | null): RunHistory {
  const h = prev?.history;
  return h && typeof h === "object" ? JSON.parse(JSON.stringify(h)) as RunHistory : {};
}

/**
 * One line estimating the run from the last timings under `profile`, e.g.
 * "estimate (last runs, profile ci): 02 182 s, 03 80 s, 05 ? · about 262 s plus unknown ones";
 * null when no notebook has a timing.
 */
export function estimateLine(history: RunHistory, profile: string, notebooks: string[]): string | null {
  const h = history[profile] ?? {};
  const known = notebooks.filter((n) => h[n]);
  if (!known.length) return null;
  const parts = notebooks.map((n) => `${n.slice(0, 2)} ${h[n] ? `${Math.round(h[n].wallSec)} s` : "?"}`);
  const total = known.reduce((a, n) => a + h[n].wallSec, 0);
  const unknown = notebooks.length - known.length;
  return `estimate if nothing is reused (last runs, profile ${profile}): ${parts.join(", ")} · about ${Math.round(total)} s${unknown ? ` plus ${unknown} not timed yet` : ""}`;
}

/** Write run.json atomically (see `RunReport`); returns the document. */
export function writeRunReport(file: string, r: RunReportInput): RunReport {
  const history: RunHistory = JSON.parse(JSON.stringify(r.history));
  for (const run of r.runs) {
    if (!run.ok || run.cached) continue;
    (history[r.profile] ??= {})[path.basename(run.notebook)] = { wallSec: run.wallSec, ranAt: new Date().toISOString() };
  }
  const doc: RunReport = {
    version: 1,
    profile: r.profile,
    startedAt: r.started.toISOString(),
    totalSec: (Date.now() - r.started.getTime()) / 1000,
    ok: r.ok,
    failure: r.failure,
    notebooks: r.runs.map((run) => ({
      notebook: path.relative(r.root, run.notebook),
      status: run.cached ? "cached" : run.ok ? "ok" : "failed",
      wallSec: run.wallSec,
      peakMb: run.peakMb ?? null,
      parameters: run.parameters ?? {},
      cells: run.cells.map((c) => ({ number: c.number, seconds: c.seconds, status: c.status ?? "ok", peakMb: c.peakMb ?? null })),
      failed: run.failed ? { kind: run.failed.kind, number: run.failed.number, message: run.failed.message, sourceHead: run.failed.sourceHead, source: run.failed.source ?? null } : null,
      cached: run.cached ?? null,
    })),
    postSteps: r.postSteps,
    history,
  };
  writeJsonAtomic(file, doc);
  return doc;
}
