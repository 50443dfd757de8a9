import { readMaskFile, type MaskRule } from "./mask_io";
import { quantifyMask, summaryRow, type MaskReport, type QuantifyOptions } from "./quantify_image";
import { percolation } from "./percolation";
import type { Mask } from "../image/mask";

/** Reports grouped by class name. */
export type ReportsByClass = Record<string, MaskReport[]>;

/** Read and quantify mask files, grouped by `classOf[i]` (file names kept in the reports). */
export async function quantifyByClass(files: string[], classOf: string[], opts: QuantifyOptions = {}, names?: string[]): Promise<ReportsByClass> {
  if (classOf.length !== files.length) throw new Error(`quantifyByClass: ${files.length} files but ${classOf.length} class names`);
  const out: ReportsByClass = {};
  for (let i = 0; i < files.length; i++) {
    const mask = await readMaskFile(files[i], (opts.rule ?? "auto") as MaskRule);
    (out[classOf[i]] ??= []).push(quantifyMask(mask, opts, names?.[i] ?? files[i]));
  }
  return out;
}

/** The paper's quantification numbers per class: percolating count and pixel-density range. */
export interface ClassPercolation {
  percolating: number;
  of: number;
  densityMin: number;
  densityMax: number;
}

/** Percolating count and density range per class. */
export function percolationByClass(reports: ReportsByClass): Record<string, ClassPercolation> {
  const out: Record<string, ClassPercolation> = {};
  for (const [cls, reps] of Object.entries(reports)) {
    const d = reps.map((r) => r.measure.density);
    out[cls] = { percolating: reps.filter((r) => r.percolation.percolates).length, of: reps.length, densityMin: Math.min(...d), densityMax: Math.max(...d) };
  }
  return out;
}

/** A text table of per-class means: domains, total length, width, nematic order, branch points per image. */
export function classMeansTable(reports: ReportsByClass): string {
  const lines = ["class       domains/img  length/img(px)  mean width(px)  nematic S  branch pts/img"];
  for (const [cls, reps] of Object.entries(reports)) {
    const rows = reps.map(summaryRow);
    const mean = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((s, r) => s + f(r), 0) / rows.length;
    lines.push(`${cls.padEnd(11)} ${mean((r) => r.domainCount).toFixed(1).padStart(11)}  ${mean((r) => r.totalLength).toFixed(0).padStart(14)}  ` +
      `${mean((r) => r.meanWidth).toFixed(2).padStart(14)}  ${mean((r) => r.nematicOrder).toFixed(3).padStart(9)}  ${mean((r) => r.branchPoints).toFixed(1).padStart(14)}`);
  }
  return lines.join("\n");
}

/** The first `perClass` masks of every class with a caption "<name>: percolates|no" (for `percolationMontage`). */
export async function percolationExamples(files: string[], classOf: string[], perClass = 2, names?: string[]): Promise<Array<{ mask: Mask; caption: string }>> {
  const out: Array<{ mask: Mask; caption: string }> = [];
  const seen: Record<string, number> = {};
  for (let i = 0; i < files.length; i++) {
    const c = classOf[i];
    if ((seen[c] = (seen[c] ?? 0) + 1) > perClass) continue;
    const mask = await readMaskFile(files[i]);
    const name = (names?.[i] ?? files[i]).replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");
    out.push({ mask, caption: `${name}: ${percolation(mask).percolates ? "percolates" : "no"}` });
  }
  return out;
}

/** Report values in the paper reference's shape: {percolating: {class: count, of}, pixelDensity: {class: [min, max]}}. */
export function quantificationSummaryValues(perc: Record<string, ClassPercolation>): Record<string, unknown> {
  const percolating: Record<string, number> = {}, pixelDensity: Record<string, [number, number]> = {};
  let of = 0;
  for (const [c, p] of Object.entries(perc)) {
    percolating[c] = p.percolating;
    pixelDensity[c] = [p.densityMin, p.densityMax];
    of = Math.max(of, p.of);
  }
  return { percolating: { ...percolating, of }, pixelDensity };
}
