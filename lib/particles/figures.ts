import type { Data } from "plotly.js-dist-min";
import type { Figure } from "../plots/figure";
import { baseLayout, PALETTE } from "../plots/layout";
import { histogram } from "../plots/histogram";
import { scatterPlot } from "../plots/lines";
import type { RawImage } from "../plots/png";
import type { GreyImage } from "./grey_image";
import type { ExtractedParticles } from "./extract";
import type { MatchResult } from "./match";
import type { ImageRecord } from "./records";
import { lengthName } from "./records";
import type { SizePair } from "./synthetic_check";

/** Hex colour → RGB in 0..1. */
function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}

/** Palette colours that are clearly not grey (grey marks dropped particles). */
const TINTS: Array<[number, number, number]> = PALETTE.map(rgb).filter(([r, g, b]) => Math.max(r, g, b) - Math.min(r, g, b) > 0.15);

/**
 * The micrograph with every detected particle tinted (kept: palette colours by id, outlines darker;
 * dropped at the border or as too small: grey), as an RGB RawImage for `imageGrid`. Throws on a size mismatch.
 */
export function particleOverlay(image: GreyImage, parts: ExtractedParticles, alpha = 0.45): RawImage {
  const { width: w, height: h, grey } = image;
  const L = parts.instances.labels;
  if (parts.instances.width !== w || parts.instances.height !== h) throw new Error(`particleOverlay: image ${w}x${h}, labels ${parts.instances.width}x${parts.instances.height}`);
  const out = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const id = L[p];
    const g = grey[p];
    if (id < 0) { out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = g; continue; }
    const kept = parts.status[id] === "kept";
    const col = kept ? TINTS[id % TINTS.length] : [0.6, 0.6, 0.6];
    const x = p % w, y = (p / w) | 0;
    const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || L[p - 1] !== id || L[p + 1] !== id || L[p - w] !== id || L[p + w] !== id;
    const a = edge ? 0.9 : alpha;
    for (let c = 0; c < 3; c++) out[3 * p + c] = (1 - a) * g + a * col[c] * (edge ? 0.7 : 1);
  }
  return { width: w, height: h, channels: 3, data: out };
}

/** Histogram of equivalent diameters per class (one overlaid series per class; nm when every image is calibrated). */
export function sizeHistogramFigure(images: readonly ImageRecord[], title = "Equivalent-circle diameter per class"): Figure {
  const unit = images.every((im) => im.unit === "nm") ? "nm" : "px";
  const classes = [...new Set(images.map((im) => im.class || "(none)"))];
  const key = lengthName("equivalentDiameter", unit);
  const series = classes.map((c) => ({
    name: c,
    values: images.filter((im) => (im.class || "(none)") === c && im.unit === unit).flatMap((im) => im.particles.map((p) => p[key] as number)),
  })).filter((s) => s.values.length > 0);
  return histogram(series, { title, xTitle: `equivalent diameter (${unit})`, nbins: 30, width: 640, height: 400 });
}

/** Measured vs true equivalent diameter (px) on the synthetic set, isolated and touching particles apart, with y = x. */
export function measuredVsTrueFigure(pairs: readonly SizePair[], title = "Measured vs true particle size (synthetic)"): Figure {
  const pick = (t: boolean): SizePair[] => pairs.filter((p) => p.touching === t);
  const fig = scatterPlot([
    { name: "isolated", x: pick(false).map((p) => p.trueDiameter), y: pick(false).map((p) => p.measuredDiameter) },
    { name: "touching (split by the watershed)", x: pick(true).map((p) => p.trueDiameter), y: pick(true).map((p) => p.measuredDiameter) },
  ], { title, xTitle: "true equivalent diameter (px)", yTitle: "measured equivalent diameter (px)", width: 600, height: 480 });
  const lo = Math.min(...pairs.map((p) => Math.min(p.trueDiameter, p.measuredDiameter)), 0);
  const hi = Math.max(...pairs.map((p) => Math.max(p.trueDiameter, p.measuredDiameter)), 1);
  fig.data.push({ type: "scatter", mode: "lines", name: "y = x", x: [lo, hi], y: [lo, hi], line: { color: "#888", dash: "dash" } } as unknown as Data);
  return fig;
}

/** Grouped bars of precision, recall and F1 (and 1 − KS of the diameters) for named match results. */
export function detectionScoresFigure(results: Record<string, MatchResult>, title = "Particle detection against ground truth (IoU ≥ 0.5)"): Figure {
  const names = Object.keys(results);
  const metrics: Array<[string, (r: MatchResult) => number]> = [
    ["precision", (r) => r.precision], ["recall", (r) => r.recall], ["F1", (r) => r.f1], ["1 − KS (diameters)", (r) => 1 - r.ksDiameter],
  ];
  const data = metrics.map(([m, f], i) => ({ type: "bar", name: m, x: names, y: names.map((n) => f(results[n])), marker: { color: PALETTE[i % PALETTE.length] } }) as unknown as Data);
  const layout = baseLayout({ title, yTitle: "score", width: 640, height: 400 });
  layout.barmode = "group";
  layout.yaxis = { ...(layout.yaxis ?? {}), range: [0, 1] };
  return { data, layout };
}
