import type { Data } from "plotly.js-dist-min";
import type { Figure } from "./figure";
import { PALETTE, baseLayout, withAlpha, type BaseFigureOptions } from "./layout";

/** One line with an optional band (e.g. mean ± std, or a confidence interval). */
export interface BandSeries {
  name: string;
  x: number[];
  y: number[];
  /** Lower edge of the band, same length as x. Both `lower` and `upper` or neither. */
  lower?: number[];
  /** Upper edge of the band, same length as x. */
  upper?: number[];
  /** Colour (#rrggbb). Default: the palette by series index. */
  color?: string;
  /** "lines", "markers" or "lines+markers". Default "lines". */
  mode?: "lines" | "markers" | "lines+markers";
}

/** Options of `lineWithBands`. */
export interface LineOptions extends BaseFigureOptions {
  /** Log-scale x axis (e.g. labels per class 1…80). Default false. */
  logX?: boolean;
  /** Log-scale y axis (e.g. a loss curve). Default false. */
  logY?: boolean;
}

/**
 * Lines (or markers) with shaded bands: for each series a filled polygon lower→upper (drawn first,
 * legend-linked) and the line over it. Throws when lengths differ, naming the series.
 */
export function lineWithBands(series: BandSeries[], opts: LineOptions = {}): Figure {
  if (series.length === 0) throw new Error("lineWithBands: no series");
  const data: Data[] = [];
  series.forEach((s, i) => {
    const n = s.x.length;
    if (s.y.length !== n) throw new Error(`lineWithBands: series '${s.name}' has ${n} x but ${s.y.length} y values`);
    if ((s.lower === undefined) !== (s.upper === undefined)) throw new Error(`lineWithBands: series '${s.name}' needs both lower and upper, or neither`);
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.lower && s.upper) {
      if (s.lower.length !== n || s.upper.length !== n) throw new Error(`lineWithBands: series '${s.name}' band lengths ${s.lower.length}/${s.upper.length} != ${n}`);
      data.push({
        type: "scatter", mode: "lines", name: `${s.name} band`, legendgroup: s.name, showlegend: false, hoverinfo: "skip",
        x: [...s.x, ...[...s.x].reverse()], y: [...s.upper, ...[...s.lower].reverse()],
        fill: "toself", fillcolor: withAlpha(color, 0.2), line: { width: 0, color },
      } as unknown as Data);
    }
    data.push({ type: "scatter", mode: s.mode ?? "lines", name: s.name, legendgroup: s.name, x: s.x, y: s.y, line: { color, width: 2 }, marker: { color, size: 6 } } as unknown as Data);
  });
  const layout = baseLayout(opts);
  if (opts.logX) layout.xaxis = { ...layout.xaxis, type: "log", ...logTicks(series.flatMap((s) => s.x)) };
  if (opts.logY) layout.yaxis = { ...layout.yaxis, type: "log", ...logTicks(series.flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? [])])) };
  return { data, layout };
}

/**
 * Tick spacing of a log axis over `values`: over more than 1.5 decades only powers of ten are labelled
 * (`dtick` 1), over 0.3–1.5 decades 1, 2 and 5 of each decade ("D2"); Plotly's own choice labels every
 * digit 1…9 there, and the labels run into each other on a figure a few hundred px tall.
 */
export function logTicks(values: readonly number[]): { dtick?: number | string } {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  if (pos.length < 2) return {};
  const decades = Math.log10(Math.max(...pos) / Math.min(...pos));
  if (decades > 1.5) return { dtick: 1 };
  if (decades > 0.3) return { dtick: "D2" };
  return {};
}

/** One group of points for `scatterPlot`. */
export interface ScatterSeries {
  name: string;
  x: number[];
  y: number[];
  /** Hover text per point. */
  text?: string[];
  color?: string;
  /** Marker size in px. Default 6. */
  size?: number;
}

/** Scatter plot, one trace per series (e.g. a t-SNE embedding coloured by class). */
export function scatterPlot(series: ScatterSeries[], opts: BaseFigureOptions = {}): Figure {
  if (series.length === 0) throw new Error("scatterPlot: no series");
  const data = series.map((s, i) => {
    if (s.y.length !== s.x.length) throw new Error(`scatterPlot: series '${s.name}' has ${s.x.length} x but ${s.y.length} y values`);
    const color = s.color ?? PALETTE[i % PALETTE.length];
    return { type: "scatter", mode: "markers", name: s.name, x: s.x, y: s.y, text: s.text, marker: { color, size: s.size ?? 6, opacity: 0.8 } } as unknown as Data;
  });
  return { data, layout: baseLayout(opts) };
}
