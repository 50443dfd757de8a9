import type { Mask } from "../image/mask";
import { dbscanMask, type DbscanOptions } from "./dbscan";

/**
 * Percolation test of the paper: cluster the foreground pixels with DBSCAN(eps = 2, min_samples = 2),
 * drop noise, and call the image percolating when one cluster spans at least `size − margin` pixels
 * both horizontally and vertically (margin 2 in the paper).
 *
 * Porting note: "spans" is read as max − min of the cluster's pixel coordinates (a cluster touching two
 * opposite edges of a 224-px image spans 223); for non-square masks the horizontal span is compared with
 * width − margin and the vertical one with height − margin.
 */
export interface PercolationOptions extends DbscanOptions {
  /** Pixels a spanning cluster may miss from the full extent. Default 2, as in the paper. */
  margin?: number;
}

/** Extent of one DBSCAN cluster. */
export interface ClusterSpan {
  /** DBSCAN label (sklearn numbering). */
  label: number;
  /** Pixels in the cluster. */
  size: number;
  /** max − min column. */
  spanX: number;
  /** max − min row. */
  spanY: number;
}

/** Result of `percolation`. */
export interface PercolationResult {
  /** True when some cluster spans both directions. */
  percolates: boolean;
  /** Label of the first spanning cluster, or -1. */
  spanningLabel: number;
  /** Number of DBSCAN clusters (noise excluded). */
  nClusters: number;
  /** Foreground pixels DBSCAN called noise (dropped). */
  nNoise: number;
  /** Per-cluster extents, in label order. */
  clusters: ClusterSpan[];
}

/** Run the paper's percolation test on a mask. Throws on a negative margin. */
export function percolation(mask: Mask, opts: PercolationOptions = {}): PercolationResult {
  const margin = opts.margin ?? 2;
  if (!(margin >= 0)) throw new Error(`percolation: margin must be >= 0, got ${margin}`);
  const db = dbscanMask(mask, { eps: opts.eps ?? 2, minSamples: opts.minSamples ?? 2 });
  const k = db.nClusters;
  const minX = new Int32Array(k).fill(2 ** 30), maxX = new Int32Array(k).fill(-1);
  const minY = new Int32Array(k).fill(2 ** 30), maxY = new Int32Array(k).fill(-1);
  const size = new Int32Array(k);
  let nNoise = 0;
  for (let i = 0; i < db.labels.length; i++) {
    const l = db.labels[i];
    if (l < 0) { nNoise++; continue; }
    size[l]++;
    const x = db.cols[i], y = db.rows[i];
    if (x < minX[l]) minX[l] = x;
    if (x > maxX[l]) maxX[l] = x;
    if (y < minY[l]) minY[l] = y;
    if (y > maxY[l]) maxY[l] = y;
  }
  const clusters: ClusterSpan[] = [];
  let spanningLabel = -1;
  for (let l = 0; l < k; l++) {
    const c = { label: l, size: size[l], spanX: maxX[l] - minX[l], spanY: maxY[l] - minY[l] };
    clusters.push(c);
    if (spanningLabel < 0 && c.spanX >= mask.width - margin && c.spanY >= mask.height - margin) spanningLabel = l;
  }
  return { percolates: spanningLabel >= 0, spanningLabel, nClusters: k, nNoise, clusters };
}
