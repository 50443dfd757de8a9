import { listClassedImages, pairMasks } from "./files";
import { analyseImage, type AnalyseImageOptions, type ImageParticles, type InstanceSegmenter, type MaskSource, type Segmenter } from "./image_particles";
import type { ParticlePolarity } from "./otsu_foreground";
import { calibrateImage } from "./calibrate";
import type { ParsedLabel } from "../data/scalebar/parse_label";
import { createLabelReader, type LabelReader } from "../data/scalebar/read_label";
import type { MaskRule } from "../data/masks";
import { Progress } from "../util/progress";
import { ImageDecodeError } from "../data/decode";
import { interruptPoint } from "../util/interrupt";
import type { ResumeStore } from "../util/resume_store";
import { sidecarFile } from "../data/formats/sidecar";
import * as fs from "fs";

/** Options of {@link analyseFolder}. */
export interface AnalyseFolderOptions extends AnalyseImageOptions {
  /** Folder of masks paired with the images by name; when absent the images are thresholded (Otsu). */
  masksDir?: string;
  /** Foreground from a model instead (e.g. a trained U-Net); not together with `masksDir`. */
  segmenter?: Segmenter;
  /** Particles from a model that separates them itself (no watershed); not together with `masksDir` or `segmenter`. */
  instanceSegmenter?: InstanceSegmenter;
  /** Mask foreground rule (lib/data `MaskRule`). Default "auto". */
  rule?: MaskRule;
  /** Otsu foreground side when thresholding. Default "border" (see `borderPolarity`). */
  polarity?: ParticlePolarity | "filter";
  /** User pixel size, nm/px (see `calibrateImage`). */
  nmPerPx?: number;
  /** Read burnt-in scale bars (calibration fallback, and their pixels excluded) and find data strips (excluded). Default true. */
  scaleBars?: boolean;
  /** The folder's bar label stated by the user (`--scale-bar`, see `calibrateImage`). */
  scaleBarLabel?: ParsedLabel;
  /** Where calibration warnings and the list of uncalibrated images go. Default: stderr. */
  warn?: (line: string) => void;
  /** Progress bar on stderr. Default true. */
  progress?: boolean;
  /**
   * Called for each file that cannot be read as an image (a spectrum, a corrupt or truncated file:
   * `ImageDecodeError`), which is then skipped so one stray file does not undo the folder's work.
   * Absent: such a file throws.
   */
  onUnreadable?: (file: string, reason: string) => void;
  /**
   * Finished images of an earlier, stopped run with the same settings (lib/util/resume_store): an
   * image found there (same path, size and modification time, and its mask's and sidecar's) is not analysed again,
   * and every image analysed is stored. Absent: nothing is kept.
   */
  resume?: ResumeStore<FolderItem>;
}

/** One analysed image as a resumed run keeps it: the result and what calibration said of it. */
export interface FolderItem {
  result: ImageParticles;
  warnings: string[];
  /** Why the image has no calibration (null: it has one). */
  why: string | null;
}

/** What identifies an image's analysis within one run's settings: the path, size and modification time of its file, its mask and its calibration sidecar. */
function itemKey(file: string, mask: string | null): unknown {
  const id = (f: string): [string, number, number] => { const st = fs.statSync(f); return [f, st.size, st.mtimeMs]; };
  const sidecar = sidecarFile(file);
  return { image: id(file), mask: mask ? id(mask) : null, sidecar: sidecar ? id(sidecar) : null };
}

/**
 * Analyse every micrograph under `imagesDir` (class = sub-folder): calibration per image through
 * `calibrateImage` (user > file metadata > stated or read scale bar; every found bar's box is excluded;
 * warnings and, when some images stay uncalibrated, their names and why go to `warn`), foreground from the paired mask, the segmenter or Otsu, watershed, drop report, measurements.
 * Throws naming the folder, an image without a mask, or an unreadable file (unless `onUnreadable` takes it);
 * `InterruptedError` between images once a signal came while interrupts are watched (lib/util/interrupt).
 */
export async function analyseFolder(imagesDir: string, opts: AnalyseFolderOptions = {}): Promise<ImageParticles[]> {
  if ([opts.masksDir, opts.segmenter, opts.instanceSegmenter].filter(Boolean).length > 1) throw new Error("analyseFolder: give one of masksDir, segmenter or instanceSegmenter");
  const images = listClassedImages(imagesDir);
  const masks = opts.masksDir ? pairMasks(images.map((i) => i.file), opts.masksDir) : null;
  const bar = opts.progress === false ? null : new Progress({ label: "particles", total: images.length, unit: "img" });
  const out: ImageParticles[] = [];
  const scaleBars = opts.scaleBars ?? true;
  // One OCR worker for the whole folder (starting one costs about a second).
  const reader: LabelReader | undefined = scaleBars ? await createLabelReader() : undefined;
  const warnings: string[] = [];
  const uncalibrated: string[] = [];
  try {
    for (let i = 0; i < images.length; i++) {
      // Where a watcher is installed (the CLI), SIGINT/SIGTERM/SIGHUP stop here between images.
      await interruptPoint(`particles stopped after ${i} of ${images.length} images`);
      const { file, class: cls } = images[i];
      const source: MaskSource = masks ? { kind: "mask", file: masks[i], rule: opts.rule }
        : opts.segmenter ? { kind: "model", model: opts.segmenter }
          : opts.instanceSegmenter ? { kind: "instances", model: opts.instanceSegmenter } : { kind: "otsu", polarity: opts.polarity };
      try {
        const key = opts.resume ? itemKey(file, masks ? masks[i] : null) : null;
        let item = opts.resume?.get(key);
        if (!item) {
          const cal = await calibrateImage(file, { nmPerPx: opts.nmPerPx, scaleBars, reader, scaleBarLabel: opts.scaleBarLabel });
          const result = await analyseImage(file, cls, source, cal.calibration, { ...opts, exclude: [...(opts.exclude ?? []), ...cal.exclude] });
          item = { result, warnings: cal.warnings, why: cal.why };
          opts.resume?.put(key, item);
        }
        warnings.push(...item.warnings);
        if (item.why !== null) uncalibrated.push(`${file}: ${item.why}`);
        out.push(item.result);
      } catch (e) {
        if (!(e instanceof ImageDecodeError) || !opts.onUnreadable) throw e;
        opts.onUnreadable(e.file, e.reason);
      }
      bar?.tick(1);
    }
  } finally {
    await reader?.terminate();
  }
  bar?.finish();
  // Said out loud: which images stay in pixels and why (their statistics are kept apart from nm ones).
  const warn = opts.warn ?? ((l: string) => console.error(l));
  for (const w of warnings) warn(`particles: warning: ${w}`);
  if (uncalibrated.length > 0 && uncalibrated.length < out.length) {
    warn(`particles: ${uncalibrated.length} of ${out.length} images have no calibration; their lengths are in px and summarised apart from the nm ones:`);
    for (const u of uncalibrated) warn(`  ${u}`);
  } else if (uncalibrated.length > 0) {
    warn(`particles: no image has a calibration, all lengths are in px (give --nm-per-px, or --scale-bar LABEL when the images carry a bar), e.g. ${uncalibrated[0]}`);
  }
  return out;
}
