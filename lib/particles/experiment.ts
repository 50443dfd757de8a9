/**
 * The particle analysis behind `nanomorph particles`, callable from notebooks: a folder of micrographs
 * (class = sub-folder) → foreground from masks, a segment U-Net or Otsu's threshold, split by the
 * watershed, or instances from a particle model → per-particle measurements in nm (calibrated per image:
 * lib/particles/calibrate) or px, statistics per image, class and overall; with `out`, the JSON/CSV
 * tables and what a user checks by eye (instance maps, overlays, particles.html), written as one output
 * run (all files or none).
 */
import * as fs from "fs";
import * as path from "path";
import { analyseFolder } from "./analyse_folder";
import { parseScaleBarArg } from "./calibrate";
import type { ParsedLabel } from "../data/scalebar/parse_label";
import { imageRecord, summariseImages, summaryRows, particleRows, type ImageRecord } from "./records";
import { imageOutputNames, writeCheckOutputs } from "./outputs";
import type { MaskRule } from "../data/masks";
import type { ParticlePolarity } from "./otsu_foreground";
import type { Segmenter, InstanceModelRoute } from "./image_particles";
import { writeJsonAtomic, writeFileAtomic } from "../util/fsx";
import { toCsv } from "../util/csv";
import { checkOutputDir } from "../util/output_dir";
import { withOutputRun } from "../util/output_run";
import { BUNDLED_OBJECT_FILTER, loadObjectFilter, type ObjectFilter } from "./object_filter";
import { UsageError } from "../util/errors";
import { EDGE_GROWTH_DEFAULTS } from "./edge_growth";
import { BUNDLED_OUTLINE_REFINER, loadOutlineRefiner, type OutlineRefiner } from "./outline_refiner";
import { BUNDLED_OBJECT_JUDGE, judgeFromOption } from "./object_judge";
import { contentHash } from "../util/hash";
import { nmPerPxProblem } from "../data/pixel_size";
import { watchInterrupts, InterruptedError } from "../util/interrupt";
import { ResumeStore } from "../util/resume_store";
import { walkFiles } from "../util/walk";
import { projectRoot } from "../util/paths";
import type { FolderItem } from "./analyse_folder";

/** What a particles run writes at the top of `out` (an earlier run's are replaced together). */
export const PARTICLES_OUTPUTS = /^(particles\.json|particles\.csv|particles_summary\.csv|particles\.html|.*_(instances|overlay)\.png)$/;

/** Options of {@link runParticlesExperiment} (CLI names in brackets). */
export interface ParticlesExperimentOptions {
  /** Micrographs, optionally in class sub-folders (--images). */
  images: string;
  /** Foreground masks paired by name (--masks). */
  masks?: string;
  /** A `segment --out` folder whose U-Net gives the foreground (--segment). */
  segment?: string;
  /** Probability threshold of the segment model's output (default: the model's own; --threshold). */
  segmentThreshold?: number;
  /**
   * A particle model as the route (--model): `particleModelRoute("bundled" | DIR)` from
   * lib/particle_model/route.ts, built by the caller; it is disposed when the analysis ends.
   */
  model?: InstanceModelRoute;
  /** Mask foreground rule (default "auto"). */
  rule?: MaskRule;
  /** Otsu foreground side [filter (the side whose objects the object filter prefers) when a filter runs, else border]. */
  polarity?: ParticlePolarity | "filter";
  /** Pixel size, nm (--nm-per-px); wins over everything found in the files. */
  nmPerPx?: number;
  /** The label every image's scale bar carries, e.g. "100nm" (--scale-bar). */
  scaleBar?: string;
  /** Drop particles under this many pixels (default 10). */
  minArea?: number;
  /** Watershed marker dynamic, px (default 2). */
  h?: number;
  /** One particle per connected component (no watershed). */
  noSplit?: boolean;
  /** Keep particles touching the image border. */
  keepBorder?: boolean;
  /**
   * Object filter (object_filter.ts): "bundled", "none" or a JSON file [bundled with Otsu's threshold,
   * whose objects it was fitted on; none with --masks, --segment and --model].
   */
  objectFilter?: string;
  /** The most px each particle of the default route grows out to its edge (--grow-edges; default 4, 0 = none; edge_growth.ts). */
  growEdges?: number;
  /** Where the edge lies between a particle's surround (0) and its inside (1) for that growth (--edge-level; default 0.15; `particles fit-edges` picks it from labelled images). */
  edgeLevel?: number;
  /**
   * Outline refiner growing the default route's particles on after that growth (outline_refiner.ts):
   * "bundled", "none" or a JSON file [bundled on the default route with --grow-edges > 0].
   */
  edgeRefiner?: string;
  /**
   * Object judge picking the default route's particles among several segmentations (object_judge.ts):
   * "bundled", "none" or a JSON file [bundled on the default route].
   */
  objectJudge?: string;
  /** Histogram bins (default Sturges). */
  bins?: number;
  /** Output folder (checked before any work). */
  out?: string;
  /** Notes (default stderr). */
  log?: (line: string) => void;
}

/** What {@link runParticlesExperiment} returns. */
export interface ParticlesExperimentResult {
  records: ImageRecord[];
  summary: ReturnType<typeof summariseImages>;
  /** The JSON document written to particles.json. */
  report: { images: ImageRecord[]; skipped: Array<{ file: string; reason: string }>; summary: ReturnType<typeof summariseImages>; settings: Record<string, unknown> };
  /** The output folder, when written. */
  out: string | undefined;
}

/**
 * Analyse a folder of micrographs.
 * @throws UsageError naming the option for a folder that is not there, a bad scale-bar label, an
 * unusable output folder, or an unreadable model
 */
export async function runParticlesExperiment(o: ParticlesExperimentOptions): Promise<ParticlesExperimentResult> {
  const sources = [o.model !== undefined && "--model", o.masks && "--masks", o.segment !== undefined && "--segment"].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`give one of --model, --masks or --segment (or none, for Otsu), not ${sources.join(" and ")}`);
  if (o.model !== undefined && (o.noSplit || o.h !== undefined)) throw new UsageError("--h and --no-split tune the watershed of --masks/--segment/--otsu; the particle model separates particles itself");
  const images = path.resolve(o.images);
  if (!fs.existsSync(images) || !fs.statSync(images).isDirectory()) throw new UsageError(`--images ${images} is not a folder`);
  const masksDir = o.masks ? path.resolve(o.masks) : undefined;
  if (masksDir && (!fs.existsSync(masksDir) || !fs.statSync(masksDir).isDirectory())) throw new UsageError(`--masks ${masksDir} is not a folder`);
  const rule: MaskRule = o.rule ?? "auto";
  const nm = o.nmPerPx;
  if (nm !== undefined && nmPerPxProblem(nm)) throw new UsageError(`--nm-per-px: ${nmPerPxProblem(nm)}`);
  let scaleBarLabel: ParsedLabel | undefined;
  if (o.scaleBar !== undefined) {
    try { scaleBarLabel = parseScaleBarArg(o.scaleBar); } catch (e) { throw new UsageError((e as Error).message); }
  }
  const minArea = o.minArea ?? 10, h = o.h ?? 2, bins = o.bins;
  const growEdges = o.growEdges ?? EDGE_GROWTH_DEFAULTS.maxPx;
  if (!(Number.isInteger(growEdges) && growEdges >= 0)) throw new UsageError(`--grow-edges must be a whole number of px ≥ 0, got ${growEdges}`);
  const edgeLevel = o.edgeLevel ?? EDGE_GROWTH_DEFAULTS.level;
  if (!(edgeLevel >= 0 && edgeLevel <= 1)) throw new UsageError(`--edge-level must be a fraction of the contrast in [0, 1], got ${edgeLevel}`);
  const out = o.out ? path.resolve(o.out) : undefined;
  const log = o.log ?? ((l: string) => console.error(l));
  const outOptions = { option: "particles --out", command: "particles", inputs: [images, ...(masksDir ? [masksDir] : [])], outputs: PARTICLES_OUTPUTS };
  if (out) {
    try {
      checkOutputDir(o.out as string, outOptions); // as typed: a quoted ~ must be seen before resolving
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }

  const filterSpec = o.objectFilter ?? (masksDir || o.segment !== undefined || o.model !== undefined ? "none" : BUNDLED_OBJECT_FILTER);
  let objectFilter: ObjectFilter | undefined;
  if (filterSpec !== "none") {
    try { objectFilter = loadObjectFilter(filterSpec); } catch (e) { throw new UsageError(`--filter: ${(e as Error).message}`); }
  }

  const polarity = o.polarity ?? (objectFilter ? "filter" : "border");
  if (polarity === "filter" && !objectFilter) throw new UsageError("--polarity filter chooses the side by the object filter; it cannot run with --filter none");
  const defaultRoute = polarity === "filter" && !masksDir && o.segment === undefined && o.model === undefined;
  if ((o.growEdges !== undefined || o.edgeLevel !== undefined || o.edgeRefiner !== undefined) && !defaultRoute) throw new UsageError(`${o.growEdges !== undefined ? "--grow-edges" : o.edgeLevel !== undefined ? "--edge-level" : "--edge-refiner"} sets how the particles of the default route (Otsu, the side chosen by the object filter) grow to their edges; leave it out with --masks, --segment, --model, --filter none or another --polarity`);
  const refinerSpec = o.edgeRefiner ?? (defaultRoute && growEdges > 0 ? BUNDLED_OUTLINE_REFINER : "none");
  if (refinerSpec !== "none" && growEdges === 0) throw new UsageError("--edge-refiner grows the particles on after --grow-edges; with --grow-edges 0 leave it out (or give none)");
  let refiner: OutlineRefiner | null = null;
  if (refinerSpec !== "none") {
    try { refiner = loadOutlineRefiner(refinerSpec); } catch (e) { throw new UsageError(`--edge-refiner: ${(e as Error).message}`); }
  }
  if (o.objectJudge !== undefined && o.objectJudge !== "none" && !defaultRoute) throw new UsageError("--judge picks the default route's particles (Otsu, the object filter); leave it out with --masks, --segment, --model, --filter none or another --polarity");
  const judgeSpec = o.objectJudge ?? (defaultRoute ? BUNDLED_OBJECT_JUDGE : "none");
  const judge = judgeFromOption(judgeSpec);

  // The model is read before any image (a wrong folder fails fast); tensors only on this route.
  let model: import("../seg/model_file").SegmentModel | undefined;
  let segmenter: Segmenter | undefined;
  if (o.segment !== undefined) {
    const { loadSegmentModel, resolveSegmentModelDir } = await import("../seg/model_file");
    const { segmentImageWithModel } = await import("../seg/apply");
    try {
      resolveSegmentModelDir(o.segment);
    } catch (e) {
      throw new UsageError(`--segment: ${(e as Error).message}`);
    }
    model = await loadSegmentModel(o.segment);
    const m = model;
    segmenter = { name: m.dir, mask: (file) => segmentImageWithModel(m, file, o.segmentThreshold ?? m.settings.threshold) };
    log(`particles: foreground from segment model ${m.dir} (encoder ${m.settings.encoderSpec}, ${m.settings.fit} ${m.settings.size}px, threshold ${o.segmentThreshold ?? m.settings.threshold})`);
  }
  const route = o.model;
  const instanceSegmenter = route?.segmenter;
  if (route) log(`particles: particle model ${route.name} (${route.design} design, trained ${route.steps} steps)`);
  let analysed: Awaited<ReturnType<typeof analyseFolder>>;
  // A stray spectrum or a truncated file is skipped, named here and in particles.json: one such file
  // must not undo the work on every other image.
  const skipped: Array<{ file: string; reason: string }> = [];
  // With --out, every analysed image is kept in OUT/.particles-resume until the run has written its
  // outputs: a stopped run (Ctrl-C, a time limit, a full disk) continues where it was when run again with
  // the same settings. Everything that decides an image's result is in the stamp, down to the models' files.
  const lostResume = (e: Error): void => log(`particles: warning: the analysed images cannot be kept for resuming (${e.message}); going on without`);
  const resume = out ? openResume(path.join(out, RESUME_DIR), {
    version: packageVersion(), images, masksDir: masksDir ?? null, rule, polarity, nmPerPx: nm ?? null, scaleBar: o.scaleBar ?? null, minArea, h,
    noSplit: o.noSplit === true, keepBorder: o.keepBorder === true, filter: objectFilter ?? null, growth: { maxPx: growEdges, level: edgeLevel },
    refiner: refiner ? contentHash(refiner, 64) : null, judge: judge ? contentHash(judge, 64) : null,
    segment: model ? { dir: model.dir, files: folderStamp(model.dir), threshold: o.segmentThreshold ?? model.settings.threshold } : null,
    model: route ? { name: route.name, design: route.design, weights: route.fingerprint } : null,
  }, lostResume) : undefined;
  if (resume?.resumed) log(`particles: resuming: ${resume.resumed} image(s) analysed by the stopped run kept in ${resume.dir}`);
  // Ctrl-C (or SIGTERM/SIGHUP) stops between images; an earlier run's outputs in --out stay as they were.
  const stopWatching = watchInterrupts();
  try {
    analysed = await analyseFolder(images, {
      masksDir, segmenter, instanceSegmenter, rule, polarity, nmPerPx: nm, scaleBarLabel, minArea, h, noSplit: o.noSplit === true, dropBorder: o.keepBorder !== true, objectFilter,
      growth: { maxPx: growEdges, level: edgeLevel }, refiner, judge,
      onUnreadable: (file, reason) => { skipped.push({ file: path.relative(images, file) || path.basename(file), reason }); },
      resume,
    });
  } catch (e) {
    if (e instanceof InterruptedError) throw new InterruptedError(e.signal, `${e.detail}; ${resume?.usable ? `the analysed images are kept in ${resume.dir}: the same command continues from there` : "nothing was kept"}${out ? ` (an earlier run's outputs in ${out} are as they were)` : ""}`);
    throw e;
  } finally {
    stopWatching();
    model?.dispose();
    route?.dispose();
  }
  if (skipped.length) {
    log(`particles: warning: skipped ${skipped.length} file(s) that are not readable images (move them out of ${images}, or convert them):`);
    for (const s of skipped) log(`  ${s.file}: ${s.reason}`);
    if (!analysed.length) throw new UsageError(`--images ${images}: no file could be read as an image (${skipped.length} skipped, listed above)`);
  }
  const records: ImageRecord[] = analysed.map(imageRecord).map((r) => ({ ...r, file: path.relative(images, r.file) || path.basename(r.file) }));
  if (out) imageOutputNames(records.map((r) => r.file)).forEach((names, i) => { records[i].outputs = names; });
  const summary = summariseImages(records, bins);
  const report = { images: records, skipped, summary, settings: { masks: masksDir ?? null, segment: model ? { model: model.dir, threshold: o.segmentThreshold ?? model.settings.threshold, size: model.settings.size, fit: model.settings.fit } : null, threshold: masksDir || model || route ? null : "otsu", model: route ? { model: route.name, design: route.design } : null, objectFilter: objectFilter ? { filter: filterSpec, threshold: objectFilter.threshold } : null, polarity, growEdges: defaultRoute ? growEdges : null, edgeLevel: defaultRoute && growEdges > 0 ? edgeLevel : null, edgeRefiner: refiner ? refinerSpec : null, objectJudge: judge ? { judge: judgeSpec, threshold: judge.threshold } : null, rule, minArea, h, split: o.noSplit !== true, dropBorder: o.keepBorder !== true } };
  if (out) {
    // Every file or none: written into a staging folder, swapped in together (a full disk or a
    // signal leaves the earlier run's files as they were).
    await withOutputRun(out, outOptions, async (run) => {
      writeJsonAtomic(run.path("particles.json"), report);
      writeFileAtomic(run.path("particles.csv"), toCsv(particleRows(records)));
      writeFileAtomic(run.path("particles_summary.csv"), toCsv(summaryRows(summary)));
      await writeCheckOutputs(run.staging, analysed, records, summary, { settings: report.settings, skipped });
    });
    resume?.remove();
  }
  return { records, summary, report, out };
}

/** The folder, inside --out, where a stopped run keeps its analysed images (lib/util/resume_store). */
export const RESUME_DIR = ".particles-resume";

/** Version of the package, part of the resume stamp (another release may analyse differently). */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/** Every file of a model folder with its size and modification time: a retrained model is another model. */
function folderStamp(dir: string): Array<[string, number, number]> {
  return walkFiles(dir).sort().map((f) => { const st = fs.statSync(f); return [path.relative(dir, f), st.size, st.mtimeMs]; });
}

/** A resume store, or none when even its folder cannot be written (a full disk: the run goes on, the final write reports it). */
function openResume(dir: string, settings: unknown, onFailure: (e: Error) => void): ResumeStore<FolderItem> | undefined {
  try {
    return ResumeStore.open<FolderItem>(dir, settings, onFailure);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    onFailure(e as Error);
    return undefined;
  }
}
