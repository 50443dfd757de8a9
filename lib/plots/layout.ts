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

/** Average width of a title character in px (Plotly's title font is 1.4 × the 13 px body font, DejaVu Sans). */
const TITLE_CHAR_PX = 10.5;
/** Height of one title line in px. */
export const TITLE_LINE_PX = 22;

/**
 * Break a title into lines (`<br>`) at spaces so that no line is wider than `widthPx` less 40 px of
 * side room, by an average-character-width estimate; a word longer than a line stays whole. Returns the
 * text and the line count. Figures whose titles would run past both edges (e.g. a long data label in a
 * narrow image grid) get a taller top margin instead.
 */
export function wrapTitle(title: string, widthPx: number): { text: string; lines: number } {
  const max = Math.max(12, Math.floor((widthPx - 40) / TITLE_CHAR_PX));
  if (title.length <= max || title.includes("<br>")) return { text: title, lines: title.split("<br>").length };
  const out: string[] = [];
  let line = "";
  for (const word of title.split(" ")) {
    if (line && line.length + 1 + word.length > max) { out.push(line); line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return { text: out.join("<br>"), lines: out.length };
}

/**
 * The layout's title as Plotly takes it, wrapped to the figure's width, and the top margin it needs:
 * `margin.t` grows by a line per extra line, and a wrapped title's first line is centred 26 px below
 * the top of a `heightPx` tall figure (Plotly anchors a multi-line title by its first line; the others
 * follow below it).
 */
export function titleLayout(title: string, widthPx: number, marginTop: number, heightPx: number): { title: Layout["title"]; marginTop: number } {
  const w = wrapTitle(title, widthPx);
  if (w.lines === 1) return { title: { text: w.text }, marginTop };
  return {
    title: { text: w.text, yref: "container", y: 1 - 26 / heightPx, yanchor: "middle" } as Layout["title"],
    marginTop: marginTop + TITLE_LINE_PX * (w.lines - 1),
  };
}

/** The shared layout: white template, titles as `{text}` (wrapped to the width), fixed size, legend and margins. */
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
  if (opts.title) {
    const t = titleLayout(opts.title, layout.width as number, 60, layout.height as number);
    layout.title = t.title;
    layout.margin = { ...layout.margin, t: t.marginTop };
  }
  delete layout.template;
  return layout;
}
