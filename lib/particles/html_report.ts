import type { Figure } from "../plots/figure";
import { figureHtml } from "../plots/show";
import { sizeHistogramFigure } from "./figures";
import { OVERLAY_COLOURS } from "./overlay";
import { lengthName, particleRows, type ImageRecord, type ParticlesSummary } from "./records";

/** What {@link particlesHtml} puts on the page. */
export interface ParticlesHtmlInput {
  /** Page title. Default "nanomorph particles". */
  title?: string;
  /** The analysed images as in particles.json (their `outputs` give the overlay links). */
  images: readonly ImageRecord[];
  summary: ParticlesSummary;
  /** Overlay thumbnail per image `file`, as a `data:image/png;base64,…` URI (nothing is fetched). */
  thumbnails: Readonly<Record<string, string>>;
  /** Run settings shown as JSON at the end (e.g. particles.json's `settings`). */
  settings?: unknown;
  /** Files of the folder that could not be read as images, and why (particles.json's `skipped`). */
  skipped?: ReadonlyArray<{ file: string; reason: string }>;
}

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A table cell's text: numbers rounded to 3 decimals (integers as they are), NaN empty, strings as they are. */
export function tableCell(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
  return v === null || v === undefined ? "" : String(v);
}

/** Columns of a record table: the union of the rows' keys in first-seen order (as particles.csv). */
export function tableColumns(rows: ReadonlyArray<Record<string, unknown>>): string[] {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

/** One equivalent-diameter histogram per length unit present (one series per class), or none without particles. */
export function sizeHistograms(images: readonly ImageRecord[]): Figure[] {
  const out: Figure[] = [];
  for (const unit of ["nm", "px"] as const) {
    const subset = images.filter((im) => im.unit === unit);
    if (!subset.some((im) => im.particles.length > 0)) continue;
    out.push(sizeHistogramFigure(subset, `Equivalent-circle diameter per class (${unit}${unit === "px" ? ", uncalibrated images" : ""})`));
  }
  return out;
}

function rgbCss(c: readonly number[]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * A self-contained HTML page of a particles run: totals and drop counts, a per-class summary, one
 * size histogram per class (Plotly, with plotly.js inlined: the page loads nothing from a network),
 * the overlay legend, thumbnails of every image's overlay (inlined; each links to the full-size
 * `<stem>_overlay.png` beside the page), and the table of particles.csv (same columns and rows;
 * numbers rounded to 3 decimals). Pure: returns the page text.
 */
export function particlesHtml(input: ParticlesHtmlInput): string {
  const title = input.title ?? "nanomorph particles";
  const { images, summary } = input;
  const o = summary.overall;
  const rows = particleRows(images);
  const cols = tableColumns(rows);
  const figs = sizeHistograms(images);
  const figsHtml = figs.length
    ? figs.map((f, i) => figureHtml(f, `size-histogram-${i}`, i === 0)).join("\n")
    : "<p>No particle was kept: no histogram.</p>";
  const classRows = Object.entries(summary.perClass).map(([cls, g]) => {
    const ecd = Object.entries(g.stats).filter(([k]) => k.startsWith("equivalentDiameter"))
      .map(([k, s]) => `${escapeHtml(k)}: median ${tableCell(s.median)} (IQR ${tableCell(s.iqr)})`).join("<br>");
    return `<tr><td>${escapeHtml(cls)}</td><td>${g.images}</td><td>${g.particles}</td><td>${g.dropped.border}</td><td>${g.dropped.tooSmall}</td><td>${g.dropped.scaleBar}</td><td>${ecd}</td></tr>`;
  }).join("\n");
  const thumbs = images.map((im) => {
    const uri = input.thumbnails[im.file];
    const key = lengthName("equivalentDiameter", im.unit);
    const med = summary.perImage[im.file]?.stats[key]?.median;
    const img = uri ? `<img src="${escapeHtml(uri)}" alt="overlay of ${escapeHtml(im.file)}">` : "<div class=\"noimg\">no overlay</div>";
    const linked = im.outputs ? `<a href="${escapeHtml(encodeURI(im.outputs.overlay))}">${img}</a>` : img;
    const medText = med === undefined || Number.isNaN(med) ? "—" : `${tableCell(med)} ${im.unit}`;
    return `<figure>${linked}<figcaption>${escapeHtml(im.file)}<br>${im.dropped.kept} kept of ${im.dropped.found}; median ECD ${medText}</figcaption></figure>`;
  }).join("\n");
  const C = OVERLAY_COLOURS;
  const swatch = (c: readonly number[], label: string): string => `<span class="sw" style="background:${rgbCss(c)}"></span>${label}`;
  const table = `<table id="particles"><thead><tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>\n<tbody>\n` +
    rows.map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(tableCell(r[c]))}</td>`).join("")}</tr>`).join("\n") + "\n</tbody></table>";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:DejaVu Sans,Arial,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3;position:sticky;top:0}td:first-child,td:nth-child(2){text-align:left}
.thumbs{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;width:260px;font-size:12px}figure img{width:260px;border:1px solid #999}
.sw{display:inline-block;width:14px;height:14px;margin:0 4px 0 14px;vertical-align:middle;border:1px solid #666}
.scroll{max-height:600px;overflow:auto;border:1px solid #ddd}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${o.images} image(s), ${o.particles} particle(s) kept of ${o.dropped.found} found; dropped ${o.dropped.border} at the border, ${o.dropped.tooSmall} too small, ${o.dropped.scaleBar} on a scale bar or data strip, ${o.dropped.notParticle} as not particles (object filter or judge).</p>
${input.skipped?.length ? `<p><b>${input.skipped.length} file(s) skipped</b>, not readable as images:</p>\n<ul>${input.skipped.map((k) => `<li>${escapeHtml(k.file)}: ${escapeHtml(k.reason)}</li>`).join("")}</ul>` : ""}
<h2>Per class</h2>
<table id="classes"><thead><tr><th>class</th><th>images</th><th>kept</th><th>border</th><th>too small</th><th>scale bar</th><th>equivalent diameter</th></tr></thead><tbody>
${classRows}
</tbody></table>
<h2>Size distribution</h2>
${figsHtml}
<h2>Overlays</h2>
<p>Legend:${swatch(C.kept[0], "kept (outline colour cycles by id; white number = instanceId in the table and in &lt;stem&gt;_instances.png)")}${swatch(C.dropped, "dropped: border, too small or not a particle")}${swatch(C.scaleBar, "scale bar, label and data strip, and particles on them")}</p>
<div class="thumbs">
${thumbs}
</div>
<h2>Particles (particles.csv)</h2>
<div class="scroll">${table}</div>
${input.settings === undefined ? "" : `<h2>Settings</h2>\n<pre>${escapeHtml(JSON.stringify(input.settings, null, 2))}</pre>`}
</body></html>
`;
}
