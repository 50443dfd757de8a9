import type { Data } from "plotly.js-dist-min";
import type { Figure } from "./figure";
import { PALETTE, baseLayout, type BaseFigureOptions } from "./layout";

/** One sample for `histogram`. */
export interface HistogramSeries {
  name: string;
  values: ArrayLike<number>;
  color?: string;
}

/** Options of `histogram`. */
export interface HistogramOptions extends BaseFigureOptions {
  /** Bin width; default lets Plotly choose (or use `nbins`). */
  binSize?: number;
  /** Bin start (with binSize). Default min of the data. */
  binStart?: number;
  /** Maximum number of bins when binSize is not given. Default 40. */
  nbins?: number;
  /** "" (counts), "probability" or "probability density". Default "". */
  histnorm?: "" | "probability" | "probability density";
  /** "overlay" (translucent) or "group". Default "overlay". */
  barmode?: "overlay" | "group";
}

/**
 * Histogram of one or more samples (e.g. the pixel-density histogram of the one-shot analysis).
 * Throws on an empty sample, naming the series.
 */
export function histogram(series: HistogramSeries[], opts: HistogramOptions = {}): Figure {
  if (series.length === 0) throw new Error("histogram: no series");
  const data = series.map((s, i) => {
    if (s.values.length === 0) throw new Error(`histogram: series '${s.name}' is empty`);
    const t: Record<string, unknown> = {
      type: "histogram", name: s.name, x: Array.from(s.values), histnorm: opts.histnorm ?? "",
      marker: { color: s.color ?? PALETTE[i % PALETTE.length], line: { color: "white", width: 0.5 } },
      opacity: series.length > 1 && (opts.barmode ?? "overlay") === "overlay" ? 0.6 : 1,
    };
    if (opts.binSize !== undefined) t.xbins = { size: opts.binSize, ...(opts.binStart !== undefined ? { start: opts.binStart } : {}) };
    else t.nbinsx = opts.nbins ?? 40;
    return t as unknown as Data;
  });
  const layout = baseLayout({ yTitle: opts.histnorm ? opts.histnorm : "count", ...opts });
  layout.barmode = opts.barmode ?? "overlay";
  return { data, layout };
}
