import * as path from "path";
import type { Mask } from "../image/mask";
import { readMaskFile, type MaskRule } from "./mask_io";
import { percolation, type PercolationOptions, type PercolationResult } from "./percolation";
import { measureDomains, type DomainOptions, type ImageMeasure } from "./domains";
import { Progress } from "../util/progress";
import { calibrationProvenance, type Calibration } from "../data/calibration";

/** Options for `quantifyMask` / `quantifyFiles`: DBSCAN/percolation and domain options together. */
export interface QuantifyOptions extends PercolationOptions, DomainOptions {
  /** Foreground rule for mask files (lib/data `MaskRule`). Default "auto". */
  rule?: MaskRule;
}

/** Everything measured on one mask. */
export interface MaskReport {
  /** Source file (basename), when read from disk. */
  file?: string;
  /** The paper's percolation test. */
  percolation: PercolationResult;
  /** Domain measurements (includes density). */
  measure: ImageMeasure;
  /** The calibration behind `measure.nmPerPx`, with its provenance (null or absent: uncalibrated). */
  calibration?: Calibration | null;
}

/** One flat row per image, for tables (danfo DataFrame, CSV). Units: px, or nm where named. */
export interface MaskSummaryRow {
  file: string;
  width: number;
  height: number;
  density: number;
  percolates: boolean;
  dbscanClusters: number;
  dbscanNoise: number;
  domainCount: number;
  meanDomainArea: number;
  totalLength: number;
  meanLength: number;
  meanWidth: number;
  nematicOrder: number;
  director: number;
  endPoints: number;
  branchPoints: number;
  /** "nm" when a pixel size was given (the *Nm / *Nm2 columns hold values), else "px" (they are NaN). Unsuffixed lengths are px, areas px². */
  unit: "nm" | "px";
  /** nm per pixel, NaN without one. */
  nmPerPx: number;
  /** Physical values (NaN without nm/px). */
  totalLengthNm: number;
  meanLengthNm: number;
  meanWidthNm: number;
  meanDomainAreaNm2: number;
  /** file | sidecar | scalebar | user | none: where nmPerPx came from. */
  calibrationSource: string;
  /** Where nmPerPx came from in one phrase (lib/data/calibration `calibrationProvenance`), "none" without one. */
  calibrationFrom: string;
  /** Why a value is empty (NaN): "; "-separated reasons, "" when every value is defined. */
  note: string;
}

/** Columns of {@link MaskSummaryRow} in nm or nm² (empty without a calibration). */
export const NM_COLUMNS: ReadonlyArray<keyof MaskSummaryRow> = ["nmPerPx", "totalLengthNm", "meanLengthNm", "meanWidthNm", "meanDomainAreaNm2"];

/** Percolation + density + domain measurements of one in-memory mask. */
export function quantifyMask(mask: Mask, opts: QuantifyOptions = {}, file?: string): MaskReport {
  return { file, percolation: percolation(mask, opts), measure: measureDomains(mask, opts) };
}

/** Read and quantify mask files one after another (Progress bar on stderr). Throws naming a bad file. */
export async function quantifyFiles(files: string[], opts: QuantifyOptions = {}): Promise<MaskReport[]> {
  const bar = new Progress({ label: "quantify", total: files.length, unit: "mask" });
  const out: MaskReport[] = [];
  for (const f of files) {
    const m = await readMaskFile(f, opts.rule ?? "auto");
    out.push(quantifyMask(m, opts, path.basename(f)));
    bar.tick(1);
  }
  bar.finish();
  return out;
}

/**
 * Why some measurements of a mask are undefined, one phrase each (empty when all are defined):
 * no foreground domain; no background pixel (an all-foreground mask has no edge to measure a width
 * to, and its skeleton is not a line); no nm/px calibration.
 */
export function reportNotes(r: MaskReport): string[] {
  const m = r.measure;
  const notes: string[] = [];
  if (m.domainCount === 0) notes.push("no foreground domain: lengths, widths and order undefined");
  else if (!Number.isFinite(m.meanWidth) || !Number.isFinite(m.totalLength)) {
    notes.push("no background pixel (all foreground): skeleton length and width undefined; check the mask's polarity (--rule, or invert it)");
  }
  if (m.nmPerPx === undefined || m.nmPerPx === null) notes.push("no nm/px calibration: *Nm columns empty (pass --nm-per-px)");
  return notes;
}

/** Non-finite → NaN (written as an empty cell; the row's note says why). */
function finite(x: number): number {
  return Number.isFinite(x) ? x : NaN;
}

/** Flatten a report into a table row; undefined values are NaN (empty in CSV) and `note` says why. */
export function summaryRow(r: MaskReport): MaskSummaryRow {
  const row = rawSummaryRow(r);
  for (const k of Object.keys(row) as (keyof MaskSummaryRow)[]) {
    if (typeof row[k] === "number") (row as unknown as Record<string, number>)[k] = finite(row[k] as number);
  }
  return row;
}

function rawSummaryRow(r: MaskReport): MaskSummaryRow {
  const m = r.measure;
  const nm = m.nmPerPx ?? NaN;
  const n = m.domainCount;
  const meanArea = n ? m.domains.reduce((s, d) => s + d.area, 0) / n : NaN;
  return {
    file: r.file ?? "",
    width: m.width, height: m.height, density: m.density,
    percolates: r.percolation.percolates, dbscanClusters: r.percolation.nClusters, dbscanNoise: r.percolation.nNoise,
    domainCount: n,
    meanDomainArea: meanArea,
    totalLength: m.totalLength, meanLength: n ? m.totalLength / n : NaN,
    meanWidth: m.meanWidth, nematicOrder: m.nematicOrder, director: m.director,
    endPoints: m.endPoints, branchPoints: m.branchPoints,
    unit: m.nmPerPx === undefined ? "px" : "nm", nmPerPx: nm,
    totalLengthNm: m.totalLength * nm, meanLengthNm: (n ? m.totalLength / n : NaN) * nm, meanWidthNm: m.meanWidth * nm,
    meanDomainAreaNm2: meanArea * nm * nm,
    calibrationSource: r.calibration ? r.calibration.source : "none",
    calibrationFrom: calibrationProvenance(r.calibration ?? null),
    note: reportNotes(r).join("; "),
  };
}
