import * as path from "path";
import { writeFileAtomic, writeJsonAtomic } from "../util/fsx";
import { summarize } from "../stats/quantiles";
import type { SegRunRecord } from "./sweep";
import { toCsv } from "../util/csv";

/** Median and quartiles of one score per n (and encoder). */
export interface SegSummary {
  encoder: string;
  n: number;
  metric: "dice" | "iou" | "diceT" | "iouT";
  median: number;
  q1: number;
  q3: number;
  /** Scored test images. */
  count: number;
}

/** Summaries of every metric per (encoder, n), sorted by encoder then n. */
export function summarizeSeg(rows: readonly SegRunRecord[]): SegSummary[] {
  const out: SegSummary[] = [];
  const keys = [...new Set(rows.map((r) => `${r.encoder}\u0000${r.n}`))];
  for (const k of keys) {
    const [encoder, ns] = k.split("\u0000");
    const sel = rows.filter((r) => r.encoder === encoder && r.n === Number(ns));
    for (const metric of ["dice", "iou", "diceT", "iouT"] as const) {
      const s = summarize(sel.map((r) => r[metric]));
      out.push({ encoder, n: Number(ns), metric, median: s.median, q1: s.q1, q3: s.q3, count: sel.length });
    }
  }
  return out.sort((a, b) => a.encoder.localeCompare(b.encoder) || a.n - b.n);
}

/** Write `<dir>/<name>.csv` (one row per test image and run) and `<dir>/<name>.json` (rows + summaries), atomically. */
export function writeSegRuns(rows: readonly SegRunRecord[], dir: string, name: string): { csv: string; json: string } {
  const csv = path.join(dir, `${name}.csv`), json = path.join(dir, `${name}.json`);
  writeFileAtomic(csv, toCsv(rows));
  writeJsonAtomic(json, { runs: rows, summary: summarizeSeg(rows) });
  return { csv, json };
}

/** A danfo DataFrame type alias (danfojs-node is loaded lazily, ~1.7 s the first time). */
export type SegFrame = import("danfojs-node").DataFrame;

/** The sweep rows as a danfo DataFrame (one row per test image and run). */
export function segRunsFrame(rows: readonly SegRunRecord[]): SegFrame {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require("danfojs-node") as typeof import("danfojs-node");
  return new dfd.DataFrame(rows.map((r) => ({ ...r })));
}

/** Report values in the paper reference's shape: {labelsPerClass, medians: {dice: [...], iou: [...]}} (soft scores, first encoder). */
export function segmentationSummaryValues(rows: readonly SegRunRecord[]): { labelsPerClass: number[]; medians: { dice: number[]; iou: number[] } } {
  const sum = summarizeSeg(rows);
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const enc = rows[0]?.encoder;
  const pick = (metric: "dice" | "iou"): number[] => ns.map((n) => sum.find((s) => s.encoder === enc && s.n === n && s.metric === metric)?.median ?? NaN);
  return { labelsPerClass: ns, medians: { dice: pick("dice"), iou: pick("iou") } };
}
