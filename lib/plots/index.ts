/**
 * Plotly figures for nanomorph: pure builders returning `Figure` specs, and `show(fig, name)` which
 * displays a figure inline in a tslab notebook and saves `figures/<name>.json`. Importing this module
 * inside a kernel with `NANOMORPH_INLINE_PNG=1` starts the PNG renderer in the background.
 */
export type { Figure } from "./figure";
export { show, mimeBundle, figureHtml, describeFigure, inlinePngEnabled, PLOTLY_MIME } from "./show";
export type { MimeBundle, BundleOptions } from "./show";
export { PALETTE, baseLayout, withAlpha } from "./layout";
export type { BaseFigureOptions } from "./layout";
export { violinBoxByGroup } from "./violin";
export type { GroupedValue, ViolinBoxOptions } from "./violin";
export { lineWithBands, scatterPlot } from "./lines";
export type { BandSeries, LineOptions, ScatterSeries } from "./lines";
export { heatmap, confusionMatrix } from "./heatmap";
export type { HeatmapOptions, ConfusionOptions } from "./heatmap";
export { histogram } from "./histogram";
export type { HistogramSeries, HistogramOptions } from "./histogram";
export { imageGrid, matrixToImage, imagesFromTensor } from "./images";
export type { ImageGridOptions, TensorLike } from "./images";
export { encodePng, pngDataUri, pngSize, overlayMask } from "./png";
export type { RawImage } from "./png";
export { PlotlyRenderer, findChromium } from "./render";
export type { RenderOptions } from "./render";
import { warmInlinePng } from "./show";

warmInlinePng();
