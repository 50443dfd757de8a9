import type { Layout } from "plotly.js-dist-min";

/** matplotlib's tab10 colours, the palette of the paper's figures (group i gets PALETTE[i % 10]). */
export const PALETTE: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

/** Options every figure builder accepts. */
export interface BaseFigureOptions {
  /** Figure title (rendered as `layout.title.text`; plotly v4 ignores a bare string title). */
  title?: string;
  /** x-axis title. */
  xTitle?: string;
  /** y-axis title. */
  yTitle?: string;
  /** Width in CSS pixels. Default 800. */
  width?: number;
  /** Height in CSS pixels. Default 500. */
  height?: number;
}

/** Colour with alpha (`rgba(...)`) from a `#rrggbb` colour; throws on another format. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`withAlpha: expected #rrggbb, got '${hex}'`);
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})`;
}

/** The shared layout: white template, titles as `{text}`, fixed size, legend and margins. */
export function baseLayout(opts: BaseFigureOptions): Partial<Layout> {
  const layout: Partial<Layout> = {
    width: opts.width ?? 800,
    height: opts.height ?? 500,
    template: undefined,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 13 },
    margin: { l: 70, r: 20, t: opts.title ? 60 : 25, b: 60 },
    xaxis: { title: { text: opts.xTitle ?? "" }, showline: true, linecolor: "#444", mirror: true, zeroline: false, gridcolor: "#eee" },
    yaxis: { title: { text: opts.yTitle ?? "" }, showline: true, linecolor: "#444", mirror: true, zeroline: false, gridcolor: "#eee" },
  };
  if (opts.title) layout.title = { text: opts.title };
  delete layout.template;
  return layout;
}
