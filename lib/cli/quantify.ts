import * as fs from "fs";
import * as path from "path";
import { type Command, parse, UsageError, numberArg } from "./args";
import { listMaskFiles } from "../quantify/mask_io";
import { quantifyFiles, summaryRow, reportNotes, NM_COLUMNS, type MaskSummaryRow } from "../quantify/quantify_image";
import { userCalibration, type Calibration } from "../data/calibration";
import { nmPerPxOption } from "./calibration_options";
import type { MaskRule } from "../data/masks";
import { writeJsonAtomic, writeFileAtomic } from "../util/fsx";
import { toCsv } from "../util/csv";
import { checkOutputDir } from "../util/output_dir";
import { withOutputRun } from "../util/output_run";
import { summarize } from "../stats/quantiles";

const HELP = `usage: nanomorph quantify --masks DIR|FILE [--nm-per-px X] [options]

Percolation and domain measurements of nanowire masks, at each mask's native size:
- percolation exactly as the paper: DBSCAN(eps 2, min_samples 2) over foreground pixel coordinates
  (same labels as scikit-learn), noise dropped; percolating when one cluster spans ≥ size − 2 px
  horizontally and vertically;
- nanowire pixel density;
- per 8-connected domain: area, skeleton length (thinning), width from the distance transform along
  the skeleton, orientation and nematic order, end and branch points.

  --masks DIR|FILE   mask images: binary PNGs, the paper's colour labels (G ≠ B) or 8/16-bit label maps
  --rule R           foreground rule: auto (default) | colour | nonzero | half
  --nm-per-px X      pixel size (square pixels); adds columns in nm / nm² (names end in Nm / Nm2;
                     unsuffixed lengths are px, areas px²) and a "unit" and "calibration" in the JSON
  --min-area PX      ignore domains smaller than this (default 10)
  --eps E            DBSCAN radius (default 2, the paper's)
  --min-samples K    DBSCAN min_samples (default 2, the paper's)
  --out DIR          also write DIR/quantify.json (full reports) and DIR/quantify.csv (one row per mask)
  --json             print the full reports as JSON on stdout

example: nanomorph quantify --masks data/masks --nm-per-px 1.2 --json`;

const OPTIONS = {
  masks: { type: "string" },
  rule: { type: "string" },
  "nm-per-px": { type: "string" },
  "min-area": { type: "string" },
  eps: { type: "string" },
  "min-samples": { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
} as const;

const COLUMNS: Array<keyof MaskSummaryRow> = ["file", "width", "height", "density", "percolates", "dbscanClusters", "domainCount",
  "meanDomainArea", "totalLength", "meanWidth", "nematicOrder", "endPoints", "branchPoints", "note"];
const COLUMNS_NM: Array<keyof MaskSummaryRow> = ["meanDomainAreaNm2", "totalLengthNm", "meanWidthNm"];

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}

export const command: Command = {
  name: "quantify",
  summary: "percolation (the paper's DBSCAN test), density and nanowire domain measurements of masks",
  help: HELP,
  async run(argv) {
    const { values: v } = parse(argv, OPTIONS);
    if (!v.masks) throw new UsageError(`quantify: --masks DIR is required\n\n${HELP}`);
    const target = path.resolve(v.masks as string);
    if (!fs.existsSync(target)) throw new UsageError(`--masks ${target} does not exist`);
    const files = fs.statSync(target).isDirectory() ? listMaskFiles(target) : [target];
    const rule = (v.rule as string | undefined) ?? "auto";
    if (!["auto", "colour", "nonzero", "half"].includes(rule)) throw new UsageError(`--rule must be auto, colour, nonzero or half, got '${rule}'`);
    const nm = nmPerPxOption(v["nm-per-px"] as string | undefined);
    const calibration: Calibration | null = nm === undefined ? null : userCalibration(nm);
    const minArea = numberArg("min-area", v["min-area"] as string | undefined, 10);
    const eps = numberArg("eps", v.eps as string | undefined, 2);
    const minSamples = numberArg("min-samples", v["min-samples"] as string | undefined, 2);
    if (!(eps > 0)) throw new UsageError(`--eps must be > 0, got '${v.eps}'`);
    if (!Number.isInteger(minSamples) || minSamples < 1) throw new UsageError(`--min-samples must be a positive integer, got '${v["min-samples"]}'`);

    // No input check: quantify.json/.csv are not masks, so --out may be (inside) the masks folder.
    const outOptions = { option: "quantify --out", command: "quantify", outputs: /^quantify\.(json|csv)$/ };
    if (v.out) {
      try {
        checkOutputDir(v.out as string, outOptions);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    const reports = (await quantifyFiles(files, { rule: rule as MaskRule, nmPerPx: nm, minArea, eps, minSamples }))
      .map((r) => ({ ...r, unit: calibration ? "nm" : "px", calibration }));
    const rows = reports.map(summaryRow);
    if (v.out) {
      // Both files or neither (staging folder, swapped in together): the earlier run's stay otherwise.
      await withOutputRun(v.out as string, outOptions, async (run) => {
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
  },
};

