import type { Mask } from "../image/mask";
import type { Calibration } from "../data/calibration";
import { separateParticles, type WatershedOptions } from "./watershed";
import { instanceAreas, touchesBorder, type InstanceLabels } from "./instances";
import { measureParticles, type ParticleMeasure } from "./measure";

/** Why an instance was left out of the measurements. */
export type DropReason = "border" | "tooSmall" | "scaleBar" | "notParticle";

/** A pixel box, x0/y0 inclusive, x1/y1 exclusive (the scale-bar reader's `exclude`). */
export interface PixelBox { x0: number; y0: number; x1: number; y1: number }

/** Options of {@link extractParticles}. */
export interface ExtractOptions extends WatershedOptions {
  /** Instances with fewer pixels than this are dropped as `tooSmall`. Default 10 px (below that, shape measures are digitisation noise). */
  minArea?: number;
  /** Drop instances touching the image border (their size is cut off). Default true. */
  dropBorder?: boolean;
  /** Boxes whose pixels are not sample (a burnt-in scale bar and its label, a data strip): instances on one or beside it (within 1 px) are dropped as `scaleBar`. */
  exclude?: PixelBox[];
}

/** What was dropped and why; an instance touching the border is counted as `border` whatever its size. */
export interface DropReport {
  border: number;
  tooSmall: number;
  /** Touching a scale bar, its label or a data strip (see ExtractOptions.exclude). */
  scaleBar: number;
  /** Scored as not a particle by the object filter (object_filter.ts; 0 when no filter ran). */
  notParticle: number;
  /** Instances found before dropping. */
  found: number;
  /** Instances kept and measured. */
  kept: number;
}

/** Particles of one mask: the full labelling, the status of every instance and the measurements of the kept ones. */
export interface ExtractedParticles {
  instances: InstanceLabels;
  /** Per instance id: "kept" or the drop reason. */
  status: Array<"kept" | DropReason>;
  dropped: DropReport;
  /** Measurements of the kept instances, in id order. */
  particles: ParticleMeasure[];
}

/** The default of ExtractOptions.minArea, px. */
export const DEFAULT_MIN_AREA_PX = 10;

/** Which instances to keep: border-touching ones (when asked) and ones under `minArea` pixels are dropped, with counts. */
export function classifyInstances(inst: InstanceLabels, opts: ExtractOptions = {}): { status: Array<"kept" | DropReason>; dropped: DropReport } {
  const minArea = opts.minArea ?? DEFAULT_MIN_AREA_PX;
  if (!(minArea >= 0)) throw new Error(`extractParticles: minArea must be ≥ 0 px, got ${minArea}`);
  const areas = instanceAreas(inst);
  const border = opts.dropBorder === false ? new Array<boolean>(inst.count).fill(false) : touchesBorder(inst);
  const onBar = new Array<boolean>(inst.count).fill(false);
  // Touching = on the box or beside it (a route that leaves the box's pixels out cuts a particle at its edge).
  for (const b of opts.exclude ?? []) {
    for (let y = Math.max(0, b.y0 - 1); y < Math.min(inst.height, b.y1 + 1); y++) {
      for (let x = Math.max(0, b.x0 - 1); x < Math.min(inst.width, b.x1 + 1); x++) {
        const id = inst.labels[y * inst.width + x];
        if (id >= 0) onBar[id] = true;
      }
    }
  }
  const status = Array.from({ length: inst.count }, (_, i): "kept" | DropReason =>
    (onBar[i] ? "scaleBar" : border[i] ? "border" : areas[i] < minArea ? "tooSmall" : "kept"));
  const cnt = (s: string): number => status.filter((x) => x === s).length;
  return { status, dropped: { border: cnt("border"), tooSmall: cnt("tooSmall"), scaleBar: cnt("scaleBar"), notParticle: 0, found: inst.count, kept: cnt("kept") } };
}

/**
 * Separate (watershed, see `separateParticles`), filter and measure the particles of a binary mask.
 * Nothing is dropped silently: `dropped` counts every instance left out, per reason.
 */
export function extractParticles(mask: Mask, calibration: Calibration | null, opts: ExtractOptions = {}): ExtractedParticles {
  return measureInstances(separateParticles(mask, opts), calibration, opts);
}

/** Filter and measure an existing instance labelling (e.g. a ground-truth map) with the same rules as {@link extractParticles}. */
export function measureInstances(inst: InstanceLabels, calibration: Calibration | null, opts: ExtractOptions = {}): ExtractedParticles {
  const { status, dropped } = classifyInstances(inst, opts);
  const keep = status.flatMap((s, i) => (s === "kept" ? [i] : []));
  return { instances: inst, status, dropped, particles: measureParticles(inst, calibration, keep) };
}

/**
 * `ex` with the kept particles for which `drop(q, k)` holds (q its measurement, k its index in
 * `ex.particles`) dropped as `notParticle`: their status changes, the drop report counts them, the
 * others keep their measurements. Returns a new result (`ex` itself when nothing is dropped).
 */
export function dropAsNotParticles(ex: ExtractedParticles, drop: (q: ParticleMeasure, k: number) => boolean): ExtractedParticles {
  const status = ex.status.slice();
  const particles = ex.particles.filter((q, k) => { if (!drop(q, k)) return true; status[q.id] = "notParticle"; return false; });
  const rejected = ex.particles.length - particles.length;
  if (!rejected) return ex;
  return { instances: ex.instances, status, dropped: { ...ex.dropped, notParticle: ex.dropped.notParticle + rejected, kept: particles.length }, particles };
}
