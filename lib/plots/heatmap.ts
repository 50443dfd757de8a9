import type { Data } from "plotly.js-dist-min";
import type { Figure } from "./figure";
import { baseLayout, type BaseFigureOptions } from "./layout";

/** Options of `heatmap`. */
export interface HeatmapOptions extends BaseFigureOptions {
  /** Column labels (x). Default 0..cols-1. */
  xLabels?: (string | number)[];
  /** Row labels (y), top row first. Default 0..rows-1. */
  yLabels?: (string | number)[];
  /** Plotly colour scale name or explicit [[0, colour], …, [1, colour]] stops. Default "Viridis". */
  colorscale?: string | [number, string][];
  /** Write each cell's value in it, with this many decimals (undefined: no text). */
  annotateDecimals?: number;
  /** Colour range. Default min..max of z. */
  zRange?: [number, number];
  /** Keep square cells (scaleanchor). Default false. */
  square?: boolean;
}

function checkMatrix(z: number[][], where: string): void {
  if (z.length === 0 || z[0].length === 0) throw new Error(`${where}: empty matrix`);
  z.forEach((row, i) => {
    if (row.length !== z[0].length) throw new Error(`${where}: row ${i} has ${row.length} values, row 0 has ${z[0].length}`);
  });
}

/** Heat map of a matrix `z[row][col]`, first row at the top (image convention). */
export function heatmap(z: number[][], opts: HeatmapOptions = {}): Figure {
  checkMatrix(z, "heatmap");
  const x = (opts.xLabels ?? z[0].map((_, j) => j)).map(String);
  const y = (opts.yLabels ?? z.map((_, i) => i)).map(String);
  if (x.length !== z[0].length || y.length !== z.length) throw new Error(`heatmap: ${y.length}x${x.length} labels for a ${z.length}x${z[0].length} matrix`);
  const trace: Record<string, unknown> = {
    type: "heatmap", z, x, y, colorscale: opts.colorscale ?? "Viridis", hoverongaps: false,
  };
  if (opts.zRange) { trace.zmin = opts.zRange[0]; trace.zmax = opts.zRange[1]; }
  if (opts.annotateDecimals !== undefined) {
    trace.text = z.map((r) => r.map((v) => (Number.isFinite(v) ? v.toFixed(opts.annotateDecimals) : "")));
    trace.texttemplate = "%{text}";
  }
  const layout = baseLayout(opts);
  // automargin: long class names as tick labels widen the margins instead of being cut at the edge
  layout.xaxis = { ...layout.xaxis, type: "category", showgrid: false, automargin: true };
  layout.yaxis = { ...layout.yaxis, type: "category", autorange: "reversed", showgrid: false, automargin: true, ...(opts.square ? { scaleanchor: "x" } : {}) };
  return { data: [trace as unknown as Data], layout };
}

/** White → dark blue (matplotlib's "Blues" direction; Plotly's named "Blues" runs the other way). */
export const BLUES: [number, string][] = [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"]];

/** Options of `confusionMatrix`. */
export interface ConfusionOptions extends BaseFigureOptions {
  /** Normalise each row (true class) to sum 1. Default true. */
  normalize?: boolean;
}

/**
 * Confusion matrix: `counts[true][pred]`, rows = true class, columns = predicted class, each cell
 * annotated (fractions with 2 decimals when normalised, else integer counts). Colours span 0..1 when
 * normalised. Throws on a non-square matrix or a label count mismatch.
 */
export function confusionMatrix(counts: number[][], classes: string[], opts: ConfusionOptions = {}): Figure {
  checkMatrix(counts, "confusionMatrix");
  if (counts.length !== counts[0].length) throw new Error(`confusionMatrix: ${counts.length}x${counts[0].length} is not square`);
  if (classes.length !== counts.length) throw new Error(`confusionMatrix: ${classes.length} class names for ${counts.length} classes`);
  const norm = opts.normalize ?? true;
  const z = norm
    ? counts.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((v) => (s > 0 ? v / s : 0)); })
    : counts;
  return heatmap(z, {
    xTitle: "predicted class", yTitle: "true class", colorscale: BLUES, square: true,
    ...opts, xLabels: classes, yLabels: classes, annotateDecimals: norm ? 2 : 0, zRange: norm ? [0, 1] : undefined,
  });
}
