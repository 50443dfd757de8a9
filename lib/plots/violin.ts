import type { Data } from "plotly.js-dist-min";
import type { Figure } from "./figure";
import { PALETTE, baseLayout, withAlpha, type BaseFigureOptions } from "./layout";

/** One observation for `violinBoxByGroup`: a value of `group` at category `x` (e.g. a probe accuracy). */
export interface GroupedValue {
  /** Category on the x axis, e.g. labelled images per class (1, 2, 4 …). */
  x: string | number;
  /** Series / legend entry, e.g. the encoder ("SimCLR_TEM"). */
  group: string;
  value: number;
}

/** Options of `violinBoxByGroup`. */
export interface ViolinBoxOptions extends BaseFigureOptions {
  /** Order of the groups (legend and within each x). Default: order of first appearance. */
  groups?: string[];
  /** Order of the x categories. Default: numeric ascending when all numeric, else first appearance. */
  xOrder?: (string | number)[];
  /** Draw vertical separators between x categories, as in the paper. Default true. */
  separators?: boolean;
  /** y-axis range. Default automatic. */
  yRange?: [number, number];
}

/**
 * Violin + box per group at each x category, grouped side by side: the paper's "accuracy vs number of
 * labelled images per class" plot (one violin/box per encoder for each label count). One trace per
 * group; throws on an empty input or a non-finite value (naming its group and x).
 */
export function violinBoxByGroup(values: GroupedValue[], opts: ViolinBoxOptions = {}): Figure {
  if (values.length === 0) throw new Error("violinBoxByGroup: no values");
  for (const v of values) {
    if (!Number.isFinite(v.value)) throw new Error(`violinBoxByGroup: non-finite value ${v.value} (group '${v.group}', x ${v.x})`);
  }
  const groups = opts.groups ?? [...new Set(values.map((v) => v.group))];
  let xs = opts.xOrder ?? [...new Set(values.map((v) => v.x))];
  if (!opts.xOrder && xs.every((x) => typeof x === "number" || /^-?\d+(\.\d+)?$/.test(String(x)))) xs = [...xs].sort((a, b) => Number(a) - Number(b));
  const cats = xs.map(String);
  const data: Data[] = groups.map((g, i) => {
    const mine = values.filter((v) => v.group === g);
    const color = PALETTE[i % PALETTE.length];
    return {
      type: "violin",
      name: g,
      legendgroup: g,
      x: mine.map((v) => String(v.x)),
      y: mine.map((v) => v.value),
      line: { color, width: 1 },
      fillcolor: withAlpha(color, 0.35),
      box: { visible: true, width: 0.5, fillcolor: withAlpha(color, 0.9), line: { color: "black", width: 1 } },
      meanline: { visible: false },
      points: "outliers",
      marker: { size: 4, color: "rgba(0,0,0,0)", line: { color, width: 1 } },
      spanmode: "hard",
      scalemode: "width",
    } as unknown as Data;
  });
  const layout = baseLayout({ yTitle: "accuracy", ...opts });
  layout.violinmode = "group";
  layout.violingap = 0.15;
  layout.violingroupgap = 0.05;
  layout.xaxis = { ...layout.xaxis, type: "category", categoryorder: "array", categoryarray: cats, showgrid: false };
  if (opts.yRange) layout.yaxis = { ...layout.yaxis, range: opts.yRange };
  layout.legend = { x: 0.99, xanchor: "right", y: 0.02, yanchor: "bottom", bordercolor: "#ccc", borderwidth: 1, bgcolor: "rgba(255,255,255,0.85)" };
  if (opts.separators ?? true) {
    layout.shapes = cats.slice(0, -1).map((_, i) => ({
      type: "line", xref: "x", yref: "paper", x0: i + 0.5, x1: i + 0.5, y0: 0, y1: 1, line: { color: "#888", width: 1.5 },
    }));
  }
  return { data, layout };
}
