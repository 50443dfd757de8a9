/**
 * Figures and tables of the label-efficiency study, built on lib/plots: accuracy-vs-n violins
 * (the paper's main figure), protocol inflation, t-SNE with thumbnails and anchors, one-shot anchor
 * accuracies, and a "paper vs reproduced" markdown table. Pure: they return specs/strings.
 */
import type { Figure } from "../plots/figure";
import { violinBoxByGroup } from "../plots/violin";
import { PALETTE } from "../plots/layout";
import { scatterPlot } from "../plots/lines";
import { pngDataUri, type RawImage } from "../plots/png";
import type { RunRecord } from "./sweep";
import { summarizeRuns } from "./results";
import type { AnchorAnalysis } from "./oneshot";

/** Options for the sweep figures. */
export interface SweepFigureOptions {
  title?: string;
  /** Appended to the title, e.g. "stand-in data". Default none. */
  note?: string;
  metric?: "accuracy" | "f1";
}

/** Title with the data note (e.g. "synthetic stand-in data") on a second, smaller line. */
function titled(title: string, note?: string): string {
  return note ? `${title}<br><sup>${note}</sup>` : title;
}

/** Legend to the right of the plot area, so it never hides boxes; widens the figure to make room. */
function legendOutside(fig: Figure, width = 980): Figure {
  fig.layout.legend = { x: 1.02, xanchor: "left", y: 1, yanchor: "top", bordercolor: "#ccc", borderwidth: 1 };
  fig.layout.width = width;
  fig.layout.margin = { ...(fig.layout.margin ?? {}), r: 200, t: 80 };
  return fig;
}

/** Accuracy (or F1) vs labelled images per class: one violin+box per encoder at each n, as in the paper. */
export function sweepViolinFigure(rows: readonly RunRecord[], opts: SweepFigureOptions = {}): Figure {
  const metric = opts.metric ?? "accuracy";
  return legendOutside(violinBoxByGroup(
    rows.map((r) => ({ x: r.n, group: r.encoder, value: r[metric] })),
    { title: titled(opts.title ?? "Linear-probe accuracy vs labelled images per class", opts.note),
      xTitle: "labelled images per class", yTitle: metric, yRange: [0, 1.02] },
  ));
}

/** Paper vs honest protocol side by side: one violin+box per "encoder · protocol" at each n. */
export function protocolFigure(rows: readonly RunRecord[], opts: SweepFigureOptions = {}): Figure {
  return legendOutside(violinBoxByGroup(
    rows.map((r) => ({ x: r.n, group: `${r.encoder} · ${r.protocol}`, value: r.accuracy })),
    { title: titled(opts.title ?? "Early stopping on the test split (paper) vs on held-out labelled images (honest)", opts.note),
      xTitle: "labelled images per class", yTitle: "test accuracy", yRange: [0, 1.02] },
  ), 1100);
}

/** Median accuracy gain of the paper protocol over the honest one, per encoder and n. */
export interface InflationRow {
  encoder: string;
  n: number;
  paper: number;
  honest: number;
  /** paper − honest (medians). */
  inflation: number;
}

/** Median paper-protocol accuracy minus median honest accuracy for every encoder and n present in both. */
export function protocolInflation(rows: readonly RunRecord[]): InflationRow[] {
  const boxes = summarizeRuns(rows);
  const out: InflationRow[] = [];
  for (const p of boxes.filter((b) => b.protocol === "paper")) {
    const h = boxes.find((b) => b.protocol === "honest" && b.encoder === p.encoder && b.n === p.n);
    if (h) out.push({ encoder: p.encoder, n: p.n, paper: p.median, honest: h.median, inflation: p.median - h.median });
  }
  return out;
}

/** Markdown table of medians [IQR] per n (rows) and encoder (columns). */
export function mediansMarkdown(rows: readonly RunRecord[], digits = 2): string {
  const boxes = summarizeRuns(rows);
  const encs = [...new Set(boxes.map((b) => `${b.encoder} (${b.protocol})`))];
  const ns = [...new Set(boxes.map((b) => b.n))].sort((a, b) => a - b);
  const lines = [`| n/class | ${encs.join(" | ")} |`, `|---|${encs.map(() => "---").join("|")}|`];
  for (const n of ns) {
    const cells = encs.map((e) => {
      const b = boxes.find((x) => `${x.encoder} (${x.protocol})` === e && x.n === n);
      return b ? `${b.median.toFixed(digits)} [${b.q1.toFixed(digits)}–${b.q3.toFixed(digits)}]` : "–";
    });
    lines.push(`| ${n} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/**
 * "Paper vs reproduced" markdown table: the paper's medians per encoder (from lib/report's
 * reference data, read off the authors' figures) next to ours at the same n. `dataLabel` says
 * what ours ran on (e.g. "synthetic stand-in data") and is printed in the header.
 */
export function paperVsReproducedMarkdown(
  paper: { labelsPerClass: number[]; medians: Record<string, number[]> },
  rows: readonly RunRecord[],
  dataLabel: string,
): string {
  const boxes = summarizeRuns(rows);
  const ours = [...new Set(boxes.map((b) => `${b.encoder} (${b.protocol})`))];
  const paperEnc = Object.keys(paper.medians);
  const ns = [...new Set([...paper.labelsPerClass, ...boxes.map((b) => b.n)])].sort((a, b) => a - b);
  const head = [...paperEnc.map((e) => `paper: ${e}`), ...ours.map((e) => `ours: ${e}`)];
  const lines = [`Reproduced on **${dataLabel}**.`, "", `| n/class | ${head.join(" | ")} |`, `|---|${head.map(() => "---").join("|")}|`];
  for (const n of ns) {
    const k = paper.labelsPerClass.indexOf(n);
    const p = paperEnc.map((e) => (k >= 0 ? paper.medians[e][k].toFixed(2) : "–"));
    const o = ours.map((e) => {
      const b = boxes.find((x) => `${x.encoder} (${x.protocol})` === e && x.n === n);
      return b ? b.median.toFixed(2) : "–";
    });
    lines.push(`| ${n} | ${[...p, ...o].join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Options of `tsneFigure`. */
export interface TsneFigureOptions {
  title?: string;
  note?: string;
  /** Thumbnails for some points (index into the points → image), drawn at the points. */
  thumbnails?: Map<number, RawImage>;
  /** Thumbnail size as a fraction of the axis span. Default 0.06. */
  thumbSize?: number;
  /** Points to highlight as one-shot anchors (drawn as large stars). */
  anchors?: number[];
  hover?: string[];
}

/** t-SNE scatter coloured by class, optional image thumbnails at points, anchors as stars. */
export function tsneFigure(Y: Float64Array, labels: ArrayLike<number>, classes: string[], opts: TsneFigureOptions = {}): Figure {
  const N = labels.length;
  if (Y.length !== 2 * N) throw new Error(`tsneFigure: ${Y.length / 2} points for ${N} labels`);
  const series = classes.map((c, k) => {
    const idx = Array.from({ length: N }, (_, i) => i).filter((i) => labels[i] === k);
    return { name: c, x: idx.map((i) => Y[2 * i]), y: idx.map((i) => Y[2 * i + 1]), text: opts.hover ? idx.map((i) => opts.hover![i]) : undefined, color: PALETTE[k % PALETTE.length] };
  });
  const fig = scatterPlot(series, { title: titled(opts.title ?? "t-SNE of test-image features", opts.note), xTitle: "t-SNE 1", yTitle: "t-SNE 2", width: 860, height: 720 });
  fig.layout.margin = { ...(fig.layout.margin ?? {}), t: 80 };
  if (opts.anchors && opts.anchors.length) {
    fig.data.push({
      type: "scatter", mode: "markers", name: "one-shot anchors",
      x: opts.anchors.map((i) => Y[2 * i]), y: opts.anchors.map((i) => Y[2 * i + 1]),
      marker: { symbol: "star", size: 18, color: opts.anchors.map((i) => PALETTE[labels[i] % PALETTE.length]), line: { color: "black", width: 1.5 } },
    } as Figure["data"][number]);
  }
  if (opts.thumbnails && opts.thumbnails.size) {
    let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
    for (let i = 0; i < N; i++) { xmin = Math.min(xmin, Y[2 * i]); xmax = Math.max(xmax, Y[2 * i]); ymin = Math.min(ymin, Y[2 * i + 1]); ymax = Math.max(ymax, Y[2 * i + 1]); }
    const s = opts.thumbSize ?? 0.06;
    const sx = (xmax - xmin) * s, sy = (ymax - ymin) * s;
    fig.layout.images = [...opts.thumbnails.entries()].map(([i, img]) => ({
      source: pngDataUri(img), xref: "x", yref: "y", x: Y[2 * i], y: Y[2 * i + 1], sizex: sx, sizey: sy,
      xanchor: "center", yanchor: "middle", layer: "below", opacity: 0.9,
    })) as Figure["layout"]["images"];
  }
  return fig;
}

/** One-shot accuracy for anchors on opposite vs the same side of their class medians (violin+box per encoder). */
export function oneShotFigure(analyses: { encoder: string; analysis: AnchorAnalysis }[], opts: SweepFigureOptions = {}): Figure {
  const values = analyses.flatMap(({ encoder, analysis }) => analysis.runs.map((r) => ({
    x: r.opposite ? "opposite sides" : "same side", group: encoder, value: r.accuracy,
  })));
  const c = analyses[0]?.analysis.classes ?? ["dispersed", "network"];
  return legendOutside(violinBoxByGroup(values, {
    title: titled(opts.title ?? `One-shot accuracy by ${c[0]}/${c[1]} anchor position (vs class medians of pixel density)`, opts.note),
    xTitle: "anchors relative to their class medians", yTitle: "1-shot test accuracy", xOrder: ["opposite sides", "same side"], yRange: [0, 1.02],
  }), 900);
}
