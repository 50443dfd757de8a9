import * as fs from "fs";
import * as path from "path";
import { imageInfo, decodeImage, ImageDecodeError } from "./decode";
import { isImageFile, pairKey, SPLIT_NAMES } from "./folders";
import { Progress } from "../util/progress";
import { Calibration, formatCalibration, readCalibrationReport } from "./calibration";
import { unreadableReason } from "./unreadable";
import { entryKind, walkFiles } from "../util/walk";

/** Per-class facts found by {@link inspectDir}. */
export interface ClassReport {
  name: string;
  count: number;
  /** Count per format (jpeg, png, tiff, ...). */
  formats: Record<string, number>;
  /** Count per "WxH" size. */
  sizes: Record<string, number>;
  /** Count per "bits/channels" (e.g. "8-bit grey", "16-bit rgb"). */
  depths: Record<string, number>;
  /** Mask-like files (`*_label.*`, `*_mask.*`) found in the class folder. */
  maskFiles: number;
  /**
   * Pixel size each readable image's own metadata states (file name → calibration, null when it
   * states none; see readCalibration in lib/data/calibration). Files whose metadata cannot be read
   * are left out and listed in the problems.
   */
  calibrations: Record<string, Calibration | null>;
  /**
   * Files whose metadata has calibration fields that cannot be used (zero, NaN, negative, an
   * undefined unit, outside 1e-6…1e9 nm/px, a sidecar for another image width): file name → why.
   * Files that simply state no pixel size are not listed.
   */
  unusableCalibrations: Record<string, string>;
}

/** What {@link inspectDir} found. */
export interface InspectReport {
  dir: string;
  layout: "class-folders" | "split-folders" | "flat";
  /** For split folders: a report per split. Otherwise one entry "" for the folder itself. */
  splits: Record<string, ClassReport[]>;
  /** Total images. */
  total: number;
  /** Problems found, each naming the file or folder. */
  problems: string[];
  /** True when the folder has a `dataset.json` (a synthetic set written by nanomorph synth). */
  synthetic: boolean;
}

/** Options for {@link inspectDir}. */
export interface InspectOptions {
  /** Fully decode every image (finds truncated files; slower). Default false: headers only. */
  decode?: boolean;
}

function imagesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => entryKind(dir, e) === "file" && isImageFile(e.name)).map((e) => path.join(dir, e.name)).sort();
}

async function classReport(name: string, dir: string, problems: string[], opts: InspectOptions, bar: Progress | null): Promise<ClassReport> {
  const r: ClassReport = { name, count: 0, formats: {}, sizes: {}, depths: {}, maskFiles: 0, calibrations: {}, unusableCalibrations: {} };
  const stems = new Map<string, string>();
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  // a TIA .emi is the metadata companion of its _1.ser (the image counted), and a JEOL/Hitachi .txt
  // that of the image with its name: not stray files
  const imageStems = new Set(entries.filter((e) => entryKind(dir, e) === "file" && isImageFile(e.name)).map((e) => path.basename(e.name, path.extname(e.name))));
  const companion = (n: string): boolean => {
    const ext = path.extname(n).toLowerCase();
    return ext === ".emi" || (ext === ".txt" && imageStems.has(path.basename(n, path.extname(n))));
  };
  const others = entries.filter((e) => entryKind(dir, e) === "file" && !isImageFile(e.name) && !e.name.startsWith(".") && !companion(e.name));
  if (others.length) problems.push(`${dir}: ${others.length} non-image file(s), e.g. ${others[0].name}`);
  for (const f of imagesIn(dir)) {
    const stem = path.basename(f, path.extname(f));
    if (pairKey(f) !== stem) {
      r.maskFiles++;
      bar?.tick(1);
      continue;
    }
    const prev = stems.get(stem);
    if (prev) problems.push(`${f}: same name as ${path.basename(prev)} (two formats of one image? count it once by choosing an extension)`);
    stems.set(stem, f);
    try {
      const info = await imageInfo(f);
      if (opts.decode) {
        const img = await decodeImage(f, { channels: "native" });
        if (img.missingCount) {
          problems.push(`${f}: ${img.missingCount} of ${img.width * img.height} pixels are NaN/Inf (no value); they are treated as missing (never foreground)`);
        }
      }
      r.count++;
      r.formats[info.format] = (r.formats[info.format] ?? 0) + 1;
      const sz = `${info.width}x${info.height}`;
      r.sizes[sz] = (r.sizes[sz] ?? 0) + 1;
      const grey = info.channels <= 2 || info.space === "b-w" || info.space === "grey16";
      const dk = `${info.bits}-bit ${grey ? "grey" : info.channels >= 4 ? "rgba" : "rgb"}`;
      r.depths[dk] = (r.depths[dk] ?? 0) + 1;
      if (info.width < 32 || info.height < 32) problems.push(`${f}: tiny image ${sz}`);
      try {
        const c = await readCalibrationReport(f);
        r.calibrations[path.basename(f)] = c.calibration;
        if (!c.calibration && c.reason && !c.reason.startsWith("no calibration metadata")) {
          r.unusableCalibrations[path.basename(f)] = c.reason;
          problems.push(`${f}: calibration metadata present but unusable, measured in px unless --nm-per-px is given: ${c.reason}`);
        }
      } catch (e) {
        problems.push(`${f}: calibration metadata could not be read: ${(e as Error).message}`);
      }
    } catch (e) {
      problems.push(`${f}: unreadable: ${unreadableReason(f, e instanceof ImageDecodeError ? e.reason : (e as Error).message)}`);
    }
    bar?.tick(1);
  }
  if (r.maskFiles) problems.push(`${dir}: ${r.maskFiles} mask file(s) (*_label/*_mask) mixed in with the images; they are not counted as images`);
  if (r.count === 0) problems.push(`${dir}: class folder holds no readable images`);
  return r;
}

function countImages(dir: string): number {
  return walkFiles(dir, { skipDir: (n) => n.startsWith(".") || n.startsWith("_"), keepFile: isImageFile }).length;
}

async function foldersReport(dir: string, problems: string[], opts: InspectOptions, bar: Progress | null): Promise<ClassReport[]> {
  const classes = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => entryKind(dir, e) === "dir" && !e.name.startsWith(".") && !e.name.startsWith("_")).map((e) => e.name).sort();
  const out: ClassReport[] = [];
  for (const c of classes) out.push(await classReport(c, path.join(dir, c), problems, opts, bar));
  const counts = out.filter((r) => r.count > 0).map((r) => r.count);
  if (counts.length > 1 && Math.max(...counts) > 3 * Math.min(...counts)) problems.push(`${dir}: classes are unbalanced (${Math.min(...counts)} to ${Math.max(...counts)} images)`);
  const loose = imagesIn(dir);
  if (loose.length && classes.length) problems.push(`${dir}: ${loose.length} image(s) directly in the folder, outside any class folder`);
  return out;
}

/**
 * Inspect a dataset folder: layout (class folders, split folders or a flat folder of images), classes,
 * counts, formats, sizes and bit depths (from headers, so a folder of 2048×2048 JPEGs is quick), the
 * pixel size each file's metadata states (microscope formats, TIFF tags), and
 * problems (unreadable or duplicate files, masks mixed with images, empty or unbalanced classes, a
 * class missing from a split). Throws only when `dir` is not a folder.
 */
export async function inspectDir(dir: string, opts: InspectOptions = {}): Promise<InspectReport> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`data inspect: ${dir} is not a directory`);
  const problems: string[] = [];
  const total = countImages(dir);
  const bar = total > 50 ? new Progress({ label: "inspect", total, unit: "img" }) : null;
  const splitDirs = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => entryKind(dir, e) === "dir" && (SPLIT_NAMES.includes(e.name) || e.name === "val")).map((e) => e.name).sort();
  const report: InspectReport = { dir, layout: "flat", splits: {}, total: 0, problems, synthetic: fs.existsSync(path.join(dir, "dataset.json")) };
  if (splitDirs.length) {
    report.layout = "split-folders";
    for (const s of splitDirs) report.splits[s] = await foldersReport(path.join(dir, s), problems, opts, bar);
    const all = new Set(Object.values(report.splits).flatMap((rs) => rs.map((r) => r.name)));
    for (const [s, rs] of Object.entries(report.splits)) {
      const have = new Set(rs.map((r) => r.name));
      for (const c of all) if (!have.has(c)) problems.push(`${path.join(dir, s)}: class '${c}' is missing from this split`);
    }
  } else {
    const sub = await foldersReport(dir, problems, opts, bar);
    if (sub.length) {
      report.layout = "class-folders";
      report.splits[""] = sub;
    } else {
      const r = await classReport("(all)", dir, problems, opts, bar);
      report.splits[""] = [r];
    }
  }
  bar?.finish();
  report.total = Object.values(report.splits).flat().reduce((a, r) => a + r.count, 0);
  if (report.total === 0) problems.push(`${dir}: no readable images found`);
  return report;
}

function fmt(rec: Record<string, number>): string {
  return Object.entries(rec).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`).join(", ");
}

/**
 * Calibration lines of a class: one per calibrated file (nm/px and its source), one per file whose
 * calibration fields are unusable (with the reason), then a count of files without any.
 */
function calibrationLines(c: ClassReport, pad: string): string[] {
  const entries = Object.entries(c.calibrations ?? {});
  const found = entries.filter(([, v]) => v !== null);
  const out = found.map(([f, v]) => `${pad}calibration ${f}: ${formatCalibration(v)}`);
  const bad = Object.entries(c.unusableCalibrations ?? {});
  out.push(...bad.map(([f, why]) => `${pad}calibration ${f}: none (unusable: ${why})`));
  const none = entries.length - found.length - bad.length;
  if (none && (found.length || bad.length)) out.push(`${pad}calibration: none in the metadata of ${none} other file(s)`);
  else if (none) out.push(`${pad}calibration: none in file metadata (measure with --nm-per-px or a scale bar)`);
  return out;
}

/** Human-readable text of an inspect report (what `nanomorph data inspect` prints). */
export function formatInspectReport(r: InspectReport): string {
  const lines = [`${r.dir}: ${r.layout}${r.synthetic ? " (synthetic set, dataset.json present)" : ""}, ${r.total} images`];
  for (const [split, classes] of Object.entries(r.splits)) {
    if (split) lines.push(`  ${split}/`);
    for (const c of classes) {
      const pad = split ? "    " : "  ";
      lines.push(`${pad}${c.name.padEnd(16)} ${String(c.count).padStart(6)}  formats: ${fmt(c.formats) || "-"}  sizes: ${fmt(c.sizes) || "-"}  depth: ${fmt(c.depths) || "-"}${c.maskFiles ? `  masks: ${c.maskFiles}` : ""}`);
      lines.push(...calibrationLines(c, `${pad}  `));
    }
  }
  lines.push(r.problems.length ? `problems (${r.problems.length}):` : "problems: none");
  for (const p of r.problems) lines.push(`  - ${p}`);
  return lines.join("\n");
}
