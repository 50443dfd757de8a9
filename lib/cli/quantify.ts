import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";
import { defineCommand, opt } from "./options";
import { nmPerPxOption } from "./calibration_options";
import type { MaskSummaryRow } from "../quantify/quantify_image";
import type { Calibration } from "../data/calibration";

const COLUMNS: Array<keyof MaskSummaryRow> = ["file", "width", "height", "density", "percolates", "dbscanClusters", "domainCount",
  "meanDomainArea", "totalLength", "meanWidth", "nematicOrder", "endPoints", "branchPoints", "note"];
const COLUMNS_NM: Array<keyof MaskSummaryRow> = ["meanDomainAreaNm2", "totalLengthNm", "meanWidthNm"];

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}

/** `nanomorph quantify`: percolation and domain measurements of masks (lib/quantify). */
export const command = defineCommand({
  name: "quantify",
  summary: "percolation (the paper's DBSCAN test), density and nanowire domain measurements of masks",
  usage: "quantify --masks DIR|FILE [--nm-per-px X] [options]",
  description: `Percolation and domain measurements of nanowire masks, at each mask's native size: percolation
exactly as the paper (DBSCAN(eps 2, min_samples 2) over foreground pixel coordinates, the same labels as
scikit-learn, noise dropped; percolating when one cluster spans ≥ size − 2 px horizontally and vertically);
nanowire pixel density; per 8-connected domain: area, skeleton length (thinning), width from the distance
transform along the skeleton, orientation and nematic order, end and branch points.`,
  options: {
    masks: opt.string({ placeholder: "DIR|FILE", required: true, description: "mask images: binary PNGs, the paper's colour labels (G ≠ B) or 8/16-bit label maps" }),
    rule: opt.enum(["auto", "colour", "nonzero", "half"], { placeholder: "R", description: "foreground rule", default: "auto" }),
    "nm-per-px": opt.string({ placeholder: "X", description: "pixel size (square pixels, 1e-6…1e9 nm/px); adds columns in nm / nm² (names end in Nm / Nm2; unsuffixed lengths are px, areas px²) and a \"unit\" and \"calibration\" in the JSON" }),
    "min-area": opt.number({ placeholder: "PX", description: "ignore domains smaller than this", min: 0, max: 1e12, default: 10 }),
    eps: opt.number({ placeholder: "E", description: "DBSCAN radius (the paper's 2)", min: 0, minExclusive: true, max: 1e6, default: 2 }),
    "min-samples": opt.number({ placeholder: "K", description: "DBSCAN min_samples (the paper's 2)", integer: true, min: 1, max: 1e6, default: 2 }),
    out: opt.string({ placeholder: "DIR", description: "also write DIR/quantify.json (full reports) and DIR/quantify.csv (one row per mask)" }),
    json: opt.flag("print the full reports as JSON on stdout"),
  },
  examples: ["nanomorph quantify --masks data/masks --nm-per-px 1.2 --json"],
}, async ({ values: v }) => {
  const { listMaskFiles } = await import("../quantify/mask_io");
  const { quantifyFiles, summaryRow, reportNotes, NM_COLUMNS } = await import("../quantify/quantify_image");
  const { userCalibration } = await import("../data/calibration");
  const { writeJsonAtomic, writeFileAtomic } = await import("../util/fsx");
  const { toCsv } = await import("../util/csv");
  const { checkOutputDir } = await import("../util/output_dir");
  const { withOutputRun } = await import("../util/output_run");
  const { summarize } = await import("../stats/quantiles");
  const target = path.resolve(v.masks);
  if (!fs.existsSync(target)) throw new UsageError(`--masks ${target} does not exist`);
  const files = fs.statSync(target).isDirectory() ? listMaskFiles(target) : [target];
  const rule = v.rule;
  const nm = nmPerPxOption(v["nm-per-px"]);
  const calibration: Calibration | null = nm === undefined ? null : userCalibration(nm);
  const minArea = v["min-area"], eps = v.eps, minSamples = v["min-samples"];

  // No input check: quantify.json/.csv are not masks, so --out may be (inside) the masks folder.
  const outOptions = { option: "quantify --out", command: "quantify", outputs: /^quantify\.(json|csv)$/ };
  if (v.out) {
    try {
      checkOutputDir(v.out, outOptions);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const reports = (await quantifyFiles(files, { rule, nmPerPx: nm, minArea, eps, minSamples }))
    .map((r) => ({ ...r, unit: calibration ? "nm" : "px", calibration }));
  const rows = reports.map(summaryRow);
  if (v.out) {
    // Both files or neither (staging folder, swapped in together): the earlier run's stay otherwise.
    await withOutputRun(v.out, outOptions, async (run) => {
      writeJsonAtomic(run.path("quantify.json"), reports.map((r) => ({ ...r, notes: reportNotes(r) })));
      // Without a calibration the nm columns would be empty: leave them out rather than ship blank columns.
      const csvCols = Object.keys(rows[0] ?? {}).filter((c) => calibration || !(NM_COLUMNS as readonly string[]).includes(c));
      writeFileAtomic(run.path("quantify.csv"), toCsv(rows, csvCols));
    });
  }
  if (v.json) {
    // Non-finite values become null in JSON: each report's `notes` says why.
    console.log(JSON.stringify(reports.map((r) => ({ ...r, notes: reportNotes(r) }))));
    return 0;
  }
  const COLUMNS_SHOWN = calibration ? [...COLUMNS, ...COLUMNS_NM] : COLUMNS;
  const widths = COLUMNS_SHOWN.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  console.log(COLUMNS_SHOWN.map((c, i) => c.padEnd(widths[i])).join("  "));
  for (const r of rows) console.log(COLUMNS_SHOWN.map((c, i) => fmt(r[c]).padEnd(widths[i])).join("  "));
  console.log(calibration ? `(lengths in px unless named …Nm; ${nm} nm/px from --nm-per-px)` : "(lengths in px, areas in px²: give --nm-per-px for nm)");
  const perc = rows.filter((r) => r.percolates).length;
  console.log(`\n${rows.length} mask(s): ${perc} percolate, median density ${fmt(summarize(rows.map((r) => r.density)).median)}`);
  return 0;
});
