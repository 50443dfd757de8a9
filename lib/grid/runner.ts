import * as fs from "fs";
import * as path from "path";
import { resultsDir } from "../util/paths";
import { exitCodeForSignal, INTERRUPT_SIGNALS } from "../util/interrupt";
import { Progress } from "../util/progress";
import { expandGrid, gridSize, type GridSpec, type GridCell } from "./spec";
import { shardCells, type Shard } from "./shard";
import { GridStore, type CellState, type CellRecord } from "./store";
import { getTask } from "./tasks";

/** Options for running a grid. */
export interface RunOptions {
  /** This process's part of the grid. Default: the whole grid (0/1). */
  shard?: Shard;
  /** Results root; the grid writes to <root>/<grid name>. Default: results/grids. */
  resultsRoot?: string;
  /** Stop at the first failed cell instead of going on. Default false. */
  failFast?: boolean;
}

/** What a run did. */
export interface RunSummary {
  ran: string[];
  skipped: string[];
  failed: { id: string; message: string }[];
}

/** The results directory of a grid. */
export function gridDir(g: GridSpec, resultsRoot?: string): string {
  return path.join(resultsRoot ?? resultsDir("grids"), g.name);
}

/**
 * Run this shard's cells: finished cells are skipped (a re-run does no work), cells another live
 * process holds are skipped, each finished cell is written at once (a killed run resumes where it
 * stopped). A failed cell is recorded and the run goes on (unless failFast).
 */
export async function runGrid(g: GridSpec, opts: RunOptions = {}): Promise<RunSummary> {
  const store = new GridStore(gridDir(g, opts.resultsRoot));
  const cells = shardCells(expandGrid(g), opts.shard ?? { index: 0, count: 1 });
  const task = getTask(g.task);
  const summary: RunSummary = { ran: [], skipped: [], failed: [] };
  const todo = cells.filter((c) => store.state(c.id) !== "done");
  summary.skipped.push(...cells.filter((c) => !todo.includes(c)).map((c) => c.id));
  const bar = new Progress({ label: `grid ${g.name}`, total: todo.length, unit: "cell" });
  let current: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (current) store.release(current);
    process.exit(exitCodeForSignal(sig));
  };
  for (const sig of INTERRUPT_SIGNALS) process.once(sig, onSignal);
  try {
    for (const cell of todo) {
      if (!store.claim(cell.id)) {
        summary.skipped.push(cell.id);
        bar.tick(1, { cell: cell.id.slice(0, 8), state: "elsewhere" });
        continue;
      }
      current = cell.id;
      const started = new Date();
      try {
        const result = await task(cell.config, {
          id: cell.id,
          log: (m) => { if (process.env.NANOMORPH_QUIET !== "1") process.stderr.write(`[${cell.id.slice(0, 8)}] ${m}\n`); },
        });
        store.finish(cell, result, started);
        summary.ran.push(cell.id);
      } catch (e) {
        store.fail(cell, e as Error);
        summary.failed.push({ id: cell.id, message: (e as Error).message });
        if (opts.failFast) break;
      } finally {
        current = null;
      }
      bar.tick(1, { cell: cell.id.slice(0, 8) });
    }
  } finally {
    for (const sig of INTERRUPT_SIGNALS) process.removeListener(sig, onSignal);
    bar.finish();
  }
  return summary;
}

/** State of every cell, in grid order. */
export function gridStatus(g: GridSpec, resultsRoot?: string): { cell: GridCell; state: CellState; error: string | null }[] {
  const store = new GridStore(gridDir(g, resultsRoot));
  return expandGrid(g).map((cell) => {
    const state = store.state(cell.id);
    return { cell, state, error: state === "failed" ? store.error(cell.id) : null };
  });
}

/** Cell counts of a grid by state. */
export interface GridCounts { cells: number; done: number; running: number; failed: number; pending: number }

/**
 * Counts of {@link gridStatus} without expanding the grid: done / failed / running are counted from
 * the cell files in the grid's results folder (files of cells no longer in the grid count too), the
 * rest is pending. For grids too large to list. Time: one directory listing.
 */
export function gridCounts(g: GridSpec, resultsRoot?: string): GridCounts {
  const dir = gridDir(g, resultsRoot);
  const store = new GridStore(dir);
  const ids = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    const m = /^([0-9a-f]{16})\.(json|error\.json|lock)$/.exec(f);
    if (m) ids.add(m[1]);
  }
  const c: GridCounts = { cells: gridSize(g), done: 0, running: 0, failed: 0, pending: 0 };
  for (const id of ids) {
    const st = store.state(id);
    if (st !== "pending") c[st]++;
  }
  c.pending = Math.max(0, c.cells - c.done - c.running - c.failed);
  return c;
}

/** Finished records of the grid, in grid order (missing cells are left out). */
export function gridRecords(g: GridSpec, resultsRoot?: string): CellRecord[] {
  const store = new GridStore(gridDir(g, resultsRoot));
  return expandGrid(g).map((c) => store.read(c.id)).filter((r): r is CellRecord => r !== null);
}
