import * as fs from "fs";
import * as path from "path";
import { figuresDir } from "../util/paths";
import { readJson, writeFileAtomic } from "../util/fsx";
import { paperReference, type PaperReference } from "./paper";
import { readSummaries, type SectionSummary } from "./summary";
import { sectionLimits } from "./limits";

/** An interquartile range at least this wide is printed beside its median. */
const WIDE_IQR = 0.05;

/** Options for `writeReport`. */
export interface ReportOptions {
  /** Output directory holding figures/*.json (+ .png/.svg). Default figures/. */
  dir?: string;
  /** Summaries directory. Default results/summary. */
  summaries?: string;
  /** Directory of the authors' figures, linked when it exists (never required). */
  paperFigures?: string;
}

const TITLES: Record<string, string> = {
  nanowireAccuracy: "Nanowire morphology classification accuracy (median over runs)",
  mnpAccuracy: "Nanoparticle (mNP) classification accuracy",
  virusAccuracy: "Virus classification accuracy",
  segmentation: "Segmentation (soft Dice / IoU, median over test images)",
  quantification: "Quantification: percolation and nanowire pixel density",
  oneShot: "One-shot accuracy by anchor position",
  hyperparameters: "Hyperparameter study (4-fold CV accuracy, median)",
  particles: "Particle sizes and shapes (beyond the paper): detection vs ground truth",
  probeHeads: "Linear heads side by side (beyond the paper): paper's Adam head vs the strong honest head vs scikit-learn",
  labelBudget: "Which images to label first (beyond the paper): suggested vs random picks at a total label budget",
};

/** Sections with no counterpart in the paper: what each adds, printed instead of paper numbers. */
const BEYOND_PAPER: Record<string, string> = {
  probeHeads: "Beyond the paper: the same frozen features, splits and labelled images under four heads — the paper's Adam softmax head " +
    "with early stopping on the test split (the authors' protocol, optimistic), the same head stopped on validation carved from the labelled " +
    "images, our default honest head (L2 logistic regression, features scaled on the unlabelled pool, C by cross-validation on the labelled " +
    "images), and scikit-learn's StandardScaler + LogisticRegression() on the same rows. Median test accuracy per labels/class.",
  labelBudget: "Beyond the paper: a total budget of B labelled images, picked without looking at labels — at random, or by " +
    "`nanomorph suggest` (coverage of the feature space) — then the honest head; same splits for both. Rows are total budgets, not per class.",
  particles: "Beyond the paper: the paper classifies morphologies and measures nanowire percolation only; notebook 07 adds per-particle " +
    "sizes and shapes (watershed separation, ECD, Feret, circularity, solidity, in nm when calibrated), checked against synthetic particles of known " +
    "size and, when present, the EMPS instance segmentations (precision/recall at IoU ≥ 0.5, KS distance of the diameter distributions).",
};

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (Array.isArray(v)) return v.map(fmt).join("–");
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}: ${fmt(x)}`).join("; ");
  return v === undefined ? "—" : String(v);
}

function figureTitle(file: string): string {
  try {
    const spec = readJson<{ layout?: { title?: { text?: string } | string } }>(file);
    const t = spec.layout?.title;
    return (typeof t === "string" ? t : t?.text ?? "").replace(/<[^>]+>/g, " ").replace(/\|/g, "/").trim();
  } catch {
    return "(unreadable spec)";
  }
}

/** Table of medians per labels/class: paper's encoders beside the reproduced ones. */
function curveTable(paper: { labelsPerClass: number[]; medians: Record<string, number[]> } | null, s: SectionSummary): string[] {
  const v = s.values as { labelsPerClass?: number[]; medians?: Record<string, number[]>; q1?: Record<string, number[]>; q3?: Record<string, number[]> };
  // a median with a wide spread is printed with its interquartile range
  const withIqr = (c: string, ri: number): string => {
    const m = fmt(v.medians![c][ri]);
    const lo = v.q1?.[c]?.[ri], hi = v.q3?.[c]?.[ri];
    return typeof lo === "number" && typeof hi === "number" && Number.isFinite(lo) && Number.isFinite(hi) && hi - lo >= WIDE_IQR ? `${m} [${fmt(lo)}–${fmt(hi)}]` : m;
  };
  if (!v.labelsPerClass || !v.medians) return [`reproduced: ${fmt(s.values)}`];
  const ns = [...new Set([...(paper?.labelsPerClass ?? []), ...v.labelsPerClass])].sort((a, b) => a - b);
  const pCols = paper ? Object.keys(paper.medians) : [];
  const rCols = Object.keys(v.medians);
  const head = ["labels/class", ...pCols.map((c) => `paper: ${c}`), ...rCols.map((c) => `reproduced: ${c}`)];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const n of ns) {
    const pi = paper ? paper.labelsPerClass.indexOf(n) : -1;
    const ri = v.labelsPerClass.indexOf(n);
    const cells = [
      String(n),
      ...pCols.map((c) => (pi >= 0 ? fmt(paper!.medians[c][pi]) : "—")),
      ...rCols.map((c) => (ri >= 0 && v.medians![c][ri] !== undefined && v.medians![c][ri] !== null ? withIqr(c, ri) : "—")),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

function sectionLines(key: string, ref: PaperReference, s: SectionSummary | undefined): string[] {
  const lines = [`### ${TITLES[key] ?? key}`, ""];
  const paperPart = (ref as unknown as Record<string, Record<string, unknown>>)[key];
  if (!s && BEYOND_PAPER[key]) {
    lines.push(`Not run. ${BEYOND_PAPER[key]}`, "");
    return lines;
  }
  if (!s) {
    lines.push(`Not reproduced in this run. Paper: ${fmt(Object.fromEntries(Object.entries(paperPart ?? {}).filter(([k]) => k !== "figure" && k !== "figures")))}`, "");
    return lines;
  }
  const badge = s.data === "stand-in" ? "**stand-in data** (synthetic; the paper's data was not present)" : "real data";
  const lim = sectionLimits(key, s.profile);
  lines.push(`Data: ${badge}${s.dataSize ? `, ${s.dataSize}` : ""}. Profile: \`${s.profile}\`. Setting: ${s.setting}`, "");
  if (s.parameters) lines.push(`Parameters: ${Object.entries(s.parameters).map(([k, v]) => `\`${k}=${JSON.stringify(v)}\``).join(", ")} (defaults otherwise).`, "");
  lines.push(`What these numbers can do: ${lim.can}. What they cannot do: ${lim.cannot}.`, "");
  if (BEYOND_PAPER[key] && (s.values as { medians?: unknown }).medians) {
    lines.push(BEYOND_PAPER[key], "", ...curveTable(null, s), "");
    return lines;
  }
  if (BEYOND_PAPER[key]) {
    lines.push(BEYOND_PAPER[key], "", "| quantity | reproduced |", "|---|---|");
    for (const [k, v] of Object.entries(s.values)) lines.push(`| ${k} | ${fmt(v)} |`);
    lines.push("");
    return lines;
  }
  if (key === "nanowireAccuracy" || key === "virusAccuracy") {
    lines.push(...curveTable(paperPart as unknown as { labelsPerClass: number[]; medians: Record<string, number[]> }, s));
  } else if ((s.values as { medians?: unknown }).medians) {
    lines.push(`Paper: ${fmt((paperPart as { summary?: string })?.summary ?? paperPart)}`, "");
    lines.push(...curveTable(null, s));
  } else {
    lines.push("| quantity | paper | reproduced |", "|---|---|---|");
    const keys = new Set([...Object.keys(paperPart ?? {}), ...Object.keys(s.values)]);
    for (const k of keys) {
      if (k === "figure" || k === "figures") continue;
      lines.push(`| ${k} | ${fmt(paperPart?.[k])} | ${fmt(s.values[k])} |`);
    }
  }
  lines.push("");
  return lines;
}

/**
 * Write figures/REPORT.md: every rendered figure (with its paper counterpart where one exists) and
 * the paper's medians beside the reproduced ones, each marked real or stand-in data. Returns the path.
 */
export function writeReport(opts: ReportOptions = {}): string {
  const dir = opts.dir ?? figuresDir();
  const ref = paperReference();
  const sums = readSummaries(opts.summaries);
  const figToSection: Record<string, SectionSummary> = {};
  for (const s of Object.values(sums)) for (const f of s.figures) figToSection[f] = s;
  const specs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
  const anyStandIn = Object.values(sums).some((s) => s.data === "stand-in");
  const profiles = [...new Set(Object.values(sums).map((s) => s.profile))];
  const out: string[] = [
    "# nanomorph reproduction report",
    "",
    `Reproduces: ${ref.citation}.`,
    "",
    `Generated ${new Date().toISOString()} · profile(s): ${profiles.join(", ") || "n/a"} · ${anyStandIn ? "**some or all sections ran on stand-in (synthetic) data**: those numbers test the code, not the paper's claims" : "all sections on real data"}.`,
    `Paper numbers: ${ref.note}`,
    "",
    "Each section says how much data its numbers rest on and what they can and cannot show under its profile. " +
    `Medians are followed by their interquartile range [q1–q3] where that range is ${WIDE_IQR} or wider. ` +
    "Precision and recall are computed as f(y_true, y_pred); the authors' code called them as f(y_pred, y_true), which swaps the two, " +
    "so compare accuracies with the paper, not precision/recall.",
    "",
    "## Figures",
    "",
    "| figure | title | files | data | paper counterpart |",
    "|---|---|---|---|---|",
  ];
  for (const f of specs) {
    const name = f.replace(/\.json$/, "");
    const files = ["png", "svg"].filter((e) => fs.existsSync(path.join(dir, `${name}.${e}`))).map((e) => `[${e}](${name}.${e})`).join(" ");
    const s = figToSection[name];
    const paperFig = s?.paperFigures?.[name] ?? (s ? ((ref as unknown as Record<string, { figure?: string; figures?: string[] }>)[s.section]?.figure ?? (ref as unknown as Record<string, { figures?: string[] }>)[s.section]?.figures?.join(", ")) : undefined);
    const paperLink = s && BEYOND_PAPER[s.section] ? "beyond the paper" : paperFig && opts.paperFigures && fs.existsSync(path.join(opts.paperFigures, paperFig.split(",")[0].trim()))
      ? `[${paperFig}](${path.relative(dir, path.join(opts.paperFigures, paperFig.split(",")[0].trim()))})`
      : paperFig ?? "—";
    out.push(`| ${name} | ${figureTitle(path.join(dir, f))} | ${files || "(spec only)"} | ${s ? (s.data === "stand-in" ? "stand-in" : "real") : "—"} | ${paperLink} |`);
  }
  out.push("", "## Paper vs reproduced", "");
  for (const key of Object.keys(TITLES)) out.push(...sectionLines(key, ref, sums[key]));
  const file = path.join(dir, "REPORT.md");
  writeFileAtomic(file, out.join("\n") + "\n");
  return file;
}
