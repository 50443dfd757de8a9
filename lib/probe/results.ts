/**
 * Collecting sweep results: per-box summaries (median [IQR]), encoder comparisons with the
 * Mann–Whitney U test, the CLI's JSON document, CSV/JSON files written atomically, and a danfo
 * DataFrame view for notebooks.
 */
import * as path from "path";
import { writeFileAtomic, writeJsonAtomic } from "../util/fsx";
import type { RunRecord, Protocol } from "./sweep";
import { summarize } from "../stats/quantiles";
import { mannWhitneyU } from "../stats/mann_whitney";
import { toCsv } from "../util/csv";

/** Summary of one box: the runs of one encoder and protocol at one n. */
export interface BoxSummary {
  encoder: string;
  protocol: Protocol;
  n: number;
  median: number;
  q1: number;
  q3: number;
  mean: number;
  runs: number;
}

/** The accuracy (or another numeric metric) of every run, grouped by encoder, protocol and n; sorted by encoder, protocol, descending n. */
export function summarizeRuns(rows: readonly RunRecord[], metric: "accuracy" | "precision" | "recall" | "f1" = "accuracy"): BoxSummary[] {
  const groups = new Map<string, { key: Omit<BoxSummary, "median" | "q1" | "q3" | "mean" | "runs">; xs: number[] }>();
  for (const r of rows) {
    const k = `${r.encoder}\u0000${r.protocol}\u0000${r.n}`;
    let g = groups.get(k);
    if (!g) { g = { key: { encoder: r.encoder, protocol: r.protocol, n: r.n }, xs: [] }; groups.set(k, g); }
    g.xs.push(r[metric]);
  }
  const out = [...groups.values()].map(({ key, xs }) => {
    const s = summarize(xs);
    return { ...key, median: s.median, q1: s.q1, q3: s.q3, mean: s.mean, runs: s.n };
  });
  return out.sort((a, b) => a.encoder.localeCompare(b.encoder) || a.protocol.localeCompare(b.protocol) || b.n - a.n);
}

/**
 * The `nanomorph probe --json` document: `{ results: [{ n, median, q1, q3, runs }] }`, ascending n;
 * for total label budgets (`--budget`) each row carries `budget` (total labelled images) instead of
 * `n` (per class).
 */
export interface ProbeJson {
  results: ProbeJsonRow[];
}

/** One box of {@link ProbeJson}: `n` (per class) for the per-class sweep, `budget` (total) for budget runs. */
export interface ProbeJsonRow {
  n?: number;
  budget?: number;
  median: number;
  q1: number;
  q3: number;
  runs: number;
}

/**
 * Build the CLI JSON document from the runs of a single encoder and protocol. Throws when rows mix
 * encoders or protocols, or budget runs with per-class runs.
 */
export function probeJson(rows: readonly RunRecord[]): ProbeJson {
  const boxes = summarizeRuns(rows);
  const kinds = new Set(boxes.map((b) => `${b.encoder}/${b.protocol}`));
  if (kinds.size > 1) throw new Error(`probeJson: rows mix ${[...kinds].join(", ")}; pass one encoder and protocol`);
  const budgets = rows.filter((r) => "budget" in r).length;
  if (budgets > 0 && budgets < rows.length) throw new Error("probeJson: rows mix label budgets and labels per class");
  return {
    results: boxes.sort((a, b) => a.n - b.n).map((b) => ({
      ...(budgets ? { budget: b.n } : { n: b.n }), median: b.median, q1: b.q1, q3: b.q3, runs: b.runs,
    })),
  };
}

/** A plain-text table "n | median [q1, q3] | runs" per encoder and protocol. */
export function formatTable(rows: readonly RunRecord[], digits = 3): string {
  const boxes = summarizeRuns(rows);
  const budget = rows.length > 0 && rows.every((r) => "budget" in r);
  const lines = [`encoder          protocol  ${budget ? "budget" : "n     "} accuracy median [IQR]     runs`];
  for (const b of boxes) {
    lines.push(`${b.encoder.padEnd(16)} ${b.protocol.padEnd(9)} ${String(b.n).padEnd(budget ? 6 : 5)} ` +
      `${b.median.toFixed(digits)} [${b.q1.toFixed(digits)}, ${b.q3.toFixed(digits)}]`.padEnd(26) + ` ${b.runs}`);
  }
  return lines.join("\n");
}

/** One Mann–Whitney comparison of two encoders' accuracies at one n. */
export interface Comparison {
  n: number;
  a: string;
  b: string;
  medianA: number;
  medianB: number;
  u: number;
  p: number;
  method: "exact" | "asymptotic";
}

/** Two-sided Mann–Whitney U test of encoder a vs b at every n both have (same protocol assumed). */
export function compareEncoders(rows: readonly RunRecord[], a: string, b: string, metric: "accuracy" | "f1" = "accuracy"): Comparison[] {
  const ns = [...new Set(rows.map((r) => r.n))].sort((x, y) => x - y);
  const out: Comparison[] = [];
  for (const n of ns) {
    const xa = rows.filter((r) => r.n === n && r.encoder === a).map((r) => r[metric]);
    const xb = rows.filter((r) => r.n === n && r.encoder === b).map((r) => r[metric]);
    if (xa.length === 0 || xb.length === 0) continue;
    const t = mannWhitneyU(xa, xb);
    out.push({ n, a, b, medianA: summarize(xa).median, medianB: summarize(xb).median, u: t.u1, p: t.p, method: t.method });
  }
  return out;
}

const CSV_COLUMNS: (keyof RunRecord)[] = [
  "encoder", "encoderSeed", "splitSeed", "n", "protocol", "accuracy", "precision", "recall", "f1",
  "epochs", "bestEpoch", "nFit", "nVal", "nTest", "confusion",
];

/** The runs as CSV text (header + one line per run; the confusion matrix as a JSON cell). */
export function runsToCsv(rows: readonly RunRecord[]): string {
  return toCsv(rows, CSV_COLUMNS);
}

/** Write `<dir>/<name>.csv` and `<dir>/<name>.json` (runs + summaries) atomically; returns both paths. */
export function writeRuns(rows: readonly RunRecord[], dir: string, name: string): { csv: string; json: string } {
  const csv = path.join(dir, `${name}.csv`), json = path.join(dir, `${name}.json`);
  writeFileAtomic(csv, runsToCsv(rows));
  writeJsonAtomic(json, { runs: rows, summary: summarizeRuns(rows) });
  return { csv, json };
}

/** danfo's DataFrame type (danfojs-node is loaded lazily, so only its type is imported here). */
export type DanfoFrame = import("danfojs-node").DataFrame;

/**
 * The runs as a danfo DataFrame: one row per run, the RunRecord fields as columns, the confusion
 * matrix as a JSON string column. Loads danfojs-node on first use (~1.7 s).
 */
export function runsToDataFrame(rows: readonly RunRecord[]): DanfoFrame {
  const dfd = require("danfojs-node") as typeof import("danfojs-node");
  return new dfd.DataFrame(rows.map((r) => ({ ...r, confusion: JSON.stringify(r.confusion) })));
}

/** Sum of the confusion matrices of the runs of one encoder (and protocol) at one n. Throws when there are none. */
export function confusionTotal(rows: readonly RunRecord[], encoder: string, n: number, protocol?: Protocol): number[][] {
  const sel = rows.filter((r) => r.encoder === encoder && r.n === n && (!protocol || r.protocol === protocol));
  if (sel.length === 0) throw new Error(`confusionTotal: no runs for encoder '${encoder}', n=${n}${protocol ? `, protocol ${protocol}` : ""}`);
  const C = sel[0].confusion.length;
  const out = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (const r of sel) for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) out[i][j] += r.confusion[i][j];
  return out;
}

/** Median accuracy per encoder at each n (ascending) for one protocol: the report's `{labelsPerClass, medians}` shape. */
export function mediansByEncoder(rows: readonly RunRecord[], protocol: Protocol): { labelsPerClass: number[]; medians: Record<string, number[]>; q1: Record<string, number[]>; q3: Record<string, number[]> } {
  const boxes = summarizeRuns(rows.filter((r) => r.protocol === protocol));
  const ns = [...new Set(boxes.map((b) => b.n))].sort((a, b) => a - b);
  const medians: Record<string, number[]> = {};
  const q1: Record<string, number[]> = {};
  const q3: Record<string, number[]> = {};
  for (const e of [...new Set(boxes.map((b) => b.encoder))]) {
    const box = (n: number) => boxes.find((b) => b.encoder === e && b.n === n);
    medians[e] = ns.map((n) => box(n)?.median ?? NaN);
    q1[e] = ns.map((n) => box(n)?.q1 ?? NaN);
    q3[e] = ns.map((n) => box(n)?.q3 ?? NaN);
  }
  return { labelsPerClass: ns, medians, q1, q3 };
}
