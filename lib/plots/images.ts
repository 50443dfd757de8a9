import type { Data, Layout } from "plotly.js-dist-min";
import type { Figure } from "./figure";
import { baseLayout, titleLayout, wrapTitle, TITLE_LINE_PX, type BaseFigureOptions } from "./layout";
import { pngDataUri, checkImage, type RawImage } from "./png";

/** Options of `imageGrid`. */
export interface ImageGridOptions extends BaseFigureOptions {
  /** Columns of the grid. Default min(n, 6). */
  cols?: number;
  /** A caption above each image (same length as the images). */
  captions?: string[];
  /** Pixel size of each tile in the figure. Default 160. */
  tile?: number;
}

/**
 * Montage of raw images (TEM crops, masks, overlays) as a grid of Plotly `image` traces whose
 * `source` is an embedded PNG data URI: the figure is self-contained, no server or file needed.
 * The figure's width/height follow from the tile size unless given. Throws on a malformed image
 * (naming its index) or a caption count mismatch.
 */
export function imageGrid(images: RawImage[], opts: ImageGridOptions = {}): Figure {
  if (images.length === 0) throw new Error("imageGrid: no images");
  images.forEach((im, i) => checkImage(im, `imageGrid: image ${i}`));
  if (opts.captions && opts.captions.length !== images.length) throw new Error(`imageGrid: ${opts.captions.length} captions for ${images.length} images`);
  const cols = Math.max(1, Math.min(opts.cols ?? 6, images.length));
  const rows = Math.ceil(images.length / cols);
  const tile = opts.tile ?? 160;
  const capH = opts.captions ? 22 : 4;
  const width = opts.width ?? cols * tile + 20;
  // a title wider than the grid wraps onto more lines (it would be cut at both edges)
  const lines = opts.title ? wrapTitle(opts.title, width).lines : 0;
  const top = opts.title ? 50 + TITLE_LINE_PX * (lines - 1) : 10;
  const height = opts.height ?? rows * (tile + capH) + top + 10;
  const titled = opts.title ? titleLayout(opts.title, width, 50, height) : null;
  const layout: Partial<Layout> = baseLayout({ ...opts, width, height });
  if (titled) layout.title = titled.title;
  layout.margin = { l: 10, r: 10, t: top, b: 10 };
  layout.showlegend = false;
  delete layout.xaxis;
  delete layout.yaxis;
  const annotations: NonNullable<Layout["annotations"]> = [];
  const data: Data[] = images.map((im, i) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const k = i === 0 ? "" : String(i + 1);
    const gap = 0.02;
    const x0 = c / cols + gap / 2, x1 = (c + 1) / cols - gap / 2;
    const yTop = 1 - r / rows, yBot = 1 - (r + 1) / rows;
    const capFrac = capH / (height - top - 10);
    const lay = layout as Record<string, unknown>;
    lay[`xaxis${k}`] = { domain: [x0, x1], visible: false, range: [-0.5, im.width - 0.5] };
    lay[`yaxis${k}`] = { domain: [yBot + gap / 2, yTop - capFrac], visible: false, range: [im.height - 0.5, -0.5], scaleanchor: `x${k}` };
    if (opts.captions) {
      annotations.push({ text: opts.captions[i], xref: "paper", yref: "paper", x: (x0 + x1) / 2, y: yTop, xanchor: "center", yanchor: "top", showarrow: false, font: { size: 12 } });
    }
    return { type: "image", source: pngDataUri(im), xaxis: `x${k}`, yaxis: `y${k}`, hoverinfo: "skip" } as unknown as Data;
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** A greyscale matrix (`z[row][col]`, any range) as a RawImage scaled to 0..1 by its min and max. */
export function matrixToImage(z: number[][]): RawImage {
  if (z.length === 0 || z[0].length === 0) throw new Error("matrixToImage: empty matrix");
  const h = z.length, w = z[0].length;
  let lo = Infinity, hi = -Infinity;
  for (const row of z) {
    if (row.length !== w) throw new Error(`matrixToImage: ragged rows (${row.length} vs ${w})`);
    for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const span = hi > lo ? hi - lo : 1;
  const data = new Float32Array(w * h);
  z.forEach((row, y) => row.forEach((v, x) => { data[y * w + x] = (v - lo) / span; }));
  return { width: w, height: h, channels: 1, data };
}

/** The part of a tfjs tensor `imagesFromTensor` needs (so lib/plots does not depend on tfjs). */
export interface TensorLike {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

/**
 * RawImages from a tensor of images in [0,1]: [H,W,C] (one image) or [N,H,W,C] (a batch), C ∈ {1,3,4}.
 * Reads the data once (dataSync); never disposes the tensor. Throws on another rank or channel count.
 */
export function imagesFromTensor(t: TensorLike): RawImage[] {
  const s = t.shape;
  if (s.length !== 3 && s.length !== 4) throw new Error(`imagesFromTensor: expected [H,W,C] or [N,H,W,C], got shape [${s.join(",")}]`);
  const [n, h, w, c] = s.length === 3 ? [1, s[0], s[1], s[2]] : s;
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`imagesFromTensor: channels must be 1, 3 or 4, got ${c} (shape [${s.join(",")}])`);
  const all = t.dataSync();
  const per = h * w * c;
  const out: RawImage[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ width: w, height: h, channels: c, data: Float32Array.from({ length: per }, (_, k) => Number(all[i * per + k])) });
  }
  return out;
}
