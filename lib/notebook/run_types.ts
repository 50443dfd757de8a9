// The records of a reproduce run, shared by the runner and the run report (a module of their own so
// neither imports the other).
import type { ParamValue } from "./parameters";

/** One executed cell: timing, reply status and the kernel's peak memory while it ran. */
export interface CellRun {
  /** 1-based cell number (markdown cells count; an injected parameters cell counts too). */
  number: number;
  seconds: number;
  /** "ok", "error", or how it ended ("timeout", "dead-kernel"); absent in records of older runs. */
  status?: string;
  /** Peak resident memory of the kernel process during the cell, MiB; null where unknown. */
  peakMb?: number | null;
}

/** A failed cell: where and why. */
export interface CellFailure {
  /** "error", "timeout", "dead-kernel", or a Python exception name (e.g. kernel start failure). */
  kind: string;
  /** 1-based cell number in the notebook (markdown cells count), or null if no cell ran. */
  number: number | null;
  /** The error text (tslab's stderr output of the cell). */
  message: string;
  /** First line of the cell's source. */
  sourceHead: string | null;
  /** The whole source of the failing cell. */
  source?: string | null;
}

/** Result of one notebook. */
export interface NotebookRun {
  notebook: string;
  /** Executed copy with outputs (written even on failure). */
  output: string;
  ok: boolean;
  wallSec: number;
  cells: CellRun[];
  /** Peak resident memory of the kernel over the run, MiB (null when unknown or reused). */
  peakMb?: number | null;
  failed?: CellFailure;
  /** Parameter values injected into this notebook (absent: its defaults). */
  parameters?: Record<string, ParamValue>;
  /** Reused from an earlier run with the same inputs (no kernel started); `wallSec` is 0, `cells` are the earlier run's. */
  cached?: { ranAt: string; wallSec: number };
}

/** Result of `reproduce`. */
export interface ReproduceResult {
  ok: boolean;
  runs: NotebookRun[];
  /** Post-step name → seconds (only steps that ran). */
  postSteps: { name: string; seconds: number; error?: string }[];
  /** Human-readable failure summary naming notebook, cell and error; undefined when ok. */
  failure?: string;
}
