import type { Figure } from "../plots/figure";
import { histogram, type HistogramOptions } from "../plots/histogram";
import { imageGrid } from "../plots/images";
import type { RawImage } from "../plots/png";
import type { Mask } from "../image/mask";
import type { MaskReport } from "./quantify_image";
import { dbscanMask } from "./dbscan";

/** A quantity that can be pooled per class from mask reports. */
export type ClassQuantity = "density" | "domainArea" | "length" | "width" | "orientation";

const LABELS: Record<ClassQuantity, { title: string; x: string }> = {
  density: { title: "Nanowire pixel density per image", x: "fraction of mask pixels" },
  domainArea: { title: "Domain size", x: "domain area (px, log10)" },
  length: { title: "Domain length (skeleton, end-corrected)", x: "length (px)" },
  width: { title: "Wire width along the skeleton", x: "width (px)" },
  orientation: { title: "Local wire orientation", x: "orientation (degrees, counter-clockwise from +x)" },
};

/** Values of a quantity pooled over reports: per image (density), per domain, or per skeleton pixel. */
export function pooledValues(reports: readonly MaskReport[], q: ClassQuantity): number[] {
  const out: number[] = [];
  for (const r of reports) {
    const m = r.measure;
    if (q === "density") out.push(m.density);
    else if (q === "domainArea") for (const d of m.domains) out.push(Math.log10(d.area));
    else if (q === "length") for (const d of m.domains) out.push(d.length);
    else if (q === "width") for (const w of m.widths) out.push(w);
    else for (const a of m.orientations) out.push(a);
  }
  return out;
}

/** Per-class histogram (normalised to probability) of one quantity. Throws on an empty class. */
export function classDistributionFigure(byClass: Record<string, readonly MaskReport[]>, q: ClassQuantity, opts: HistogramOptions & { note?: string } = {}): Figure {
  const series = Object.entries(byClass).map(([name, reps]) => {
    const values = pooledValues(reps, q);
    if (!values.length) throw new Error(`classDistributionFigure: class '${name}' has no ${q} values`);
    return { name, values };
  });
  const l = LABELS[q];
  return histogram(series, {
    histnorm: "probability", title: l.title + (opts.note ? ` — ${opts.note}` : ""), xTitle: l.x, yTitle: "fraction",
    ...(q === "orientation" ? { binSize: 10, binStart: 0 } : {}), width: 620, height: 380, ...opts,
  });
}

/**
 * Masks coloured by DBSCAN cluster (paper's parameters): the largest cluster red when it percolates,
 * orange when not, other clusters grey, noise blue; captions name class and percolation.
 */
export function percolationMontage(masks: Array<{ mask: Mask; caption: string; eps?: number; minSamples?: number }>, title = "DBSCAN clusters (largest: red = percolating, orange = not)"): Figure {
  const imgs: RawImage[] = masks.map(({ mask, eps, minSamples }) => {
    const db = dbscanMask(mask, { eps: eps ?? 2, minSamples: minSamples ?? 2 });
    const size = new Int32Array(db.nClusters);
    for (const l of db.labels) if (l >= 0) size[l]++;
    let big = -1;
    for (let l = 0; l < db.nClusters; l++) if (big < 0 || size[l] > size[big]) big = l;
    let x0 = mask.width, x1 = -1, y0 = mask.height, y1 = -1;
    db.labels.forEach((l, i) => {
      if (l !== big) return;
      x0 = Math.min(x0, db.cols[i]); x1 = Math.max(x1, db.cols[i]); y0 = Math.min(y0, db.rows[i]); y1 = Math.max(y1, db.rows[i]);
    });
    const spans = x1 - x0 >= mask.width - 2 && y1 - y0 >= mask.height - 2;
    const data = new Float32Array(mask.width * mask.height * 3).fill(1);
    db.labels.forEach((l, i) => {
      const p = (db.rows[i] * mask.width + db.cols[i]) * 3;
      const c = l < 0 ? [0.2, 0.3, 0.9] : l === big ? (spans ? [0.85, 0.1, 0.1] : [0.95, 0.6, 0.1]) : [0.45, 0.45, 0.45];
      data[p] = c[0]; data[p + 1] = c[1]; data[p + 2] = c[2];
    });
    return { width: mask.width, height: mask.height, channels: 3, data };
  });
  return imageGrid(imgs, { cols: Math.min(4, imgs.length), captions: masks.map((m) => m.caption), title, tile: 210 });
}
