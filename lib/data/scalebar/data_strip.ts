/**
 * An SEM/TEM data strip: the flat band across the bottom (or top) of a micrograph where the microscope
 * prints its settings (HV, WD, magnification, date, the scale bar). It is not sample, and a strip far
 * brighter or darker than the specimen takes Otsu's cut for itself (a white strip under a dark SEM field:
 * every segmentation then splits strip from field, and the particles are lost).
 */
import type { Box, GreyImage } from "./find_bar";

/** A found data strip. */
export interface DataStrip {
  side: "top" | "bottom";
  /** Rows of the strip, x0/y0 inclusive, x1/y1 exclusive, full width, 1 row of the edge's blur added. */
  box: Box;
  /** The strip's background grey (0…255). */
  level: number;
}

/** Thresholds of {@link findDataStrip}; defaults in brackets, measured on the 366 EMPS training images. */
export interface DataStripOptions {
  /** A pixel is the strip's background within this many grey levels of its level [8]. */
  tolerance?: number;
  /** A strip row has at least this share of background pixels (text rows of a white strip dip to 0.46) [0.3]. */
  minRowShare?: number;
  /** Mean share of background over the strip's rows [0.6]. */
  minMeanShare?: number;
  /** Largest mean share of the strip's grey in the 20 rows beyond it (true strips 0–0.18) [0.25]. */
  maxBeyondShare?: number;
  /** Least share in one of the strip's 4 innermost rows: its edge is a straight line across (true strips ≥ 0.69, flat backgrounds ≤ 0.48) [0.65]. */
  minEdgeShare?: number;
  /** Fewest rows [6]. */
  minRows?: number;
  /** Most rows, as a fraction of the image height [0.25]. */
  maxFraction?: number;
}

/** The grey level whose ±3 window holds the most pixels of rows [y0, y1): that window's mean grey, rounded. */
function modalLevel(img: GreyImage, y0: number, y1: number): number {
  const hist = new Float64Array(256);
  for (let i = y0 * img.width; i < y1 * img.width; i++) hist[img.data[i]]++;
  let best = 0, bestSum = -1;
  const window = (v: number, f: (d: number) => number): number => {
    let s = 0;
    for (let d = Math.max(0, v - 3); d <= Math.min(255, v + 3); d++) s += f(d);
    return s;
  };
  for (let v = 0; v < 256; v++) {
    const s = window(v, (d) => hist[d]);
    if (s > bestSum) { bestSum = s; best = v; }
  }
  return Math.round(window(best, (d) => d * hist[d]) / bestSum);
}

/**
 * The data strip along the top or bottom edge of `img` (8-bit grey), or null. Each side is tried (bottom
 * first), from its edge and then from 1, 2 and 3 rows in (a figure's frame line under the strip): the
 * strip's outermost 4 rows give its level; the strip is the run of rows from that edge in
 * which enough pixels have that level; it is kept only when it is flat overall, ends in a straight edge,
 * and the image beyond it rarely has its level (which tells a strip from a flat background).
 * Checked on EMPS: 35 of 366 images have one, all at the bottom; by eye 34 are microscope strips and one
 * an 8-row white margin under a figure (not sample either).
 */
export function findDataStrip(img: GreyImage, opts: DataStripOptions = {}): DataStrip | null {
  const o: Required<DataStripOptions> = {
    tolerance: opts.tolerance ?? 8, minRowShare: opts.minRowShare ?? 0.3, minMeanShare: opts.minMeanShare ?? 0.6,
    maxBeyondShare: opts.maxBeyondShare ?? 0.25, minEdgeShare: opts.minEdgeShare ?? 0.65, minRows: opts.minRows ?? 6,
    maxFraction: opts.maxFraction ?? 0.25,
  };
  if (img.height < 4 * o.minRows || img.width < 8) return null;
  for (const side of ["bottom", "top"] as const) {
    // A figure's frame may run along the edge under the strip: up to 3 outer rows can be skipped.
    for (let frame = 0; frame <= MAX_FRAME_ROWS; frame++) {
      const s = stripFrom(img, side, frame, o);
      if (s) return s;
    }
  }
  return null;
}

/** Most outer rows (a figure's frame line) that may lie between the image edge and a strip. */
const MAX_FRAME_ROWS = 3;

/** The strip whose outermost row is the `frame`-th row from `side`'s edge, as {@link findDataStrip} judges it (its box reaches the edge). */
function stripFrom(img: GreyImage, side: "top" | "bottom", frame: number, o: Required<DataStripOptions>): DataStrip | null {
  const { width, height, data } = img;
  const maxRows = Math.floor(o.maxFraction * height);
  const row = (k: number): number => (side === "bottom" ? height - 1 - frame - k : frame + k); // k-th row of the strip from its outer side
  const level = side === "bottom" ? modalLevel(img, height - frame - 4, height - frame) : modalLevel(img, frame, frame + 4);
  const share = (k: number): number => {
    let n = 0;
    const r = row(k) * width;
    for (let x = 0; x < width; x++) if (Math.abs(data[r + x] - level) <= o.tolerance) n++;
    return n / width;
  };
  const shares: number[] = [];
  while (shares.length <= maxRows + 1 && shares.length < height - frame) {
    const s = share(shares.length);
    if (s < o.minRowShare) break;
    shares.push(s);
  }
  const k = shares.length;
  if (k < o.minRows || frame + k > maxRows) return null;
  const mean = shares.reduce((a, b) => a + b, 0) / k;
  const edge = Math.max(...shares.slice(k - 4));
  let beyond = 0;
  const m = Math.min(20, height - frame - k);
  for (let j = k; j < k + m; j++) beyond += share(j);
  beyond /= m;
  if (mean < o.minMeanShare || edge < o.minEdgeShare || beyond > o.maxBeyondShare) return null;
  const rows = frame + k + 1; // the frame and the edge's blurred row go with the strip
  const box = side === "bottom" ? { x0: 0, y0: height - rows, x1: width, y1: height } : { x0: 0, y0: 0, x1: width, y1: rows };
  return { side, box, level };
}
