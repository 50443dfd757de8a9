import { calibrationColumns, calibrationProvenance, meanNmPerPx, type Calibration } from "../data/calibration";
import type { ParticleMeasure } from "./measure";
import type { DropReason, DropReport } from "./extract";
import type { ImageParticles } from "./image_particles";
import { distributionStats, type DistributionStats } from "./size_stats";
import { instanceIdOf } from "./instance_map";

/**
 * Flat, self-describing records of particle measurements for JSON and CSV: every length field name
 * ends in its unit (`equivalentDiameterNm` / `equivalentDiameterPx`, `areaNm2` / `areaPx2`), so a
 * table never mixes nm and px under one name. Unitless shape factors keep plain names.
 */
export type ParticleRecord = Record<string, number | string>;

/** Measurements that have a length unit: record name stem → field. Areas get the squared suffix. */
const LENGTHS: Array<[string, keyof ParticleMeasure]> = [
  ["equivalentDiameter", "equivalentDiameter"], ["feretMax", "feretMax"], ["feretMin", "feretMin"],
  ["perimeter", "perimeter"], ["majorAxis", "majorAxis"], ["minorAxis", "minorAxis"],
];
const AREAS: Array<[string, keyof ParticleMeasure]> = [["area", "area"], ["convexArea", "convexArea"]];
const SHAPES: Array<keyof ParticleMeasure> = ["aspectRatio", "circularity", "solidity", "eccentricity", "orientation", "feretAngle"];

/** Record name of a length measurement in a unit: ("feretMax", "nm") → "feretMaxNm". */
export function lengthName(stem: string, unit: "nm" | "px"): string {
  return stem + (unit === "nm" ? "Nm" : "Px");
}

/** Record name of an area measurement: ("area", "nm") → "areaNm2". */
export function areaName(stem: string, unit: "nm" | "px"): string {
  return stem + (unit === "nm" ? "Nm2" : "Px2");
}

/**
 * One particle as a record (orientation and feretAngle in degrees; centroid always in px). `id` is the
 * 0-based index in the labelling; `instanceId` (= id + 1) is the particle's value in its image's
 * 16-bit instance map `<stem>_instances.png` and the number written on its overlay.
 */
export function particleRecord(m: ParticleMeasure): ParticleRecord {
  const r: ParticleRecord = { id: m.id, instanceId: instanceIdOf(m.id) };
  for (const [stem, k] of LENGTHS) r[lengthName(stem, m.unit)] = m[k] as number;
  for (const [stem, k] of AREAS) r[areaName(stem, m.unit)] = m[k] as number;
  for (const k of SHAPES) r[k] = m[k] as number;
  r.areaPixels = m.areaPixels;
  r.centroidXPx = m.centroid[0];
  r.centroidYPx = m.centroid[1];
  return r;
}

/** The JSON form of one analysed image. */
export interface ImageRecord {
  file: string;
  class: string;
  width: number;
  height: number;
  /** Mean nm per pixel (√(x·y)), or null when uncalibrated. */
  nmPerPx: number | null;
  calibration: Calibration | null;
  /** Where `nmPerPx` came from in one phrase ("file: <tag>", "sidecar: …", "scalebar: … (confidence c)", "user: --nm-per-px", "none"). */
  calibrationFrom: string;
  /** "nm" or "px": the unit of every length in `particles`. */
  unit: "nm" | "px";
  maskSource: string;
  dropped: DropReport;
  /** Every instance left out, by its `instanceId` in the instance map, with the reason (so each non-zero value of the map is either here or in `particles`); always set by `imageRecord`. */
  droppedInstances?: Array<{ instanceId: number; reason: DropReason }>;
  /** Files written beside the tables by `particles --out` (paths relative to that folder), when written. */
  outputs?: { instances: string; overlay: string };
  particles: ParticleRecord[];
}

/** JSON form of an analysed image. */
export function imageRecord(r: ImageParticles): ImageRecord {
  return {
    file: r.file, class: r.class, width: r.width, height: r.height,
    nmPerPx: r.calibration ? meanNmPerPx(r.calibration) : null, calibration: r.calibration, calibrationFrom: calibrationProvenance(r.calibration),
    unit: r.calibration ? "nm" : "px", maskSource: r.maskSource, dropped: r.extracted.dropped,
    droppedInstances: r.extracted.status.flatMap((s, id) => (s === "kept" ? [] : [{ instanceId: instanceIdOf(id), reason: s }])),
    particles: r.extracted.particles.map(particleRecord),
  };
}

/** A row of particles.csv: the image (path relative to the analysed folder), its class and length unit, then {@link particleRecord}'s fields. */
export type ParticleRow = Record<string, number | string>;

/** The rows of particles.csv (and of the HTML report's table): every kept particle of every image, in image then id order. */
export function particleRows(images: readonly ImageRecord[]): ParticleRow[] {
  return images.flatMap((im) => im.particles.map((p) => ({ file: im.file, class: im.class, unit: im.unit, ...calibrationColumns(im.calibration), ...p })));
}

/** The quantities summarised per image and per class (record stems; lengths and areas get unit suffixes). */
export const SUMMARY_LENGTHS = ["equivalentDiameter", "feretMax", "feretMin"] as const;
export const SUMMARY_SHAPES = ["aspectRatio", "circularity", "solidity"] as const;

/** Statistics of a group of images (one image, one class or all). */
export interface GroupSummary {
  images: number;
  particles: number;
  dropped: DropReport;
  /** Distribution statistics by record name (e.g. `equivalentDiameterNm`, `areaNm2`, `aspectRatio`). Names of both units appear when the group mixes calibrated and uncalibrated images, never mixed values. */
  stats: Record<string, DistributionStats>;
}

/** Summary of a set of image records: per image, per class (class "" is reported as "(none)") and overall. */
export interface ParticlesSummary {
  perImage: Record<string, GroupSummary>;
  perClass: Record<string, GroupSummary>;
  overall: GroupSummary;
}

/** Summarise a group of image records (histograms with `bins` bins, default Sturges). */
export function groupSummary(images: readonly ImageRecord[], bins?: number): GroupSummary {
  const dropped: DropReport = { border: 0, tooSmall: 0, scaleBar: 0, notParticle: 0, found: 0, kept: 0 };
  for (const im of images) for (const k of Object.keys(dropped) as Array<keyof DropReport>) dropped[k] += im.dropped[k];
  const names: string[] = [];
  for (const unit of ["nm", "px"] as const) {
    if (!images.some((im) => im.unit === unit)) continue;
    for (const s of SUMMARY_LENGTHS) names.push(lengthName(s, unit));
    names.push(areaName("area", unit));
  }
  names.push(...SUMMARY_SHAPES);
  const stats: Record<string, DistributionStats> = {};
  for (const name of names) {
    const values = images.flatMap((im) => im.particles.map((p) => p[name])).filter((v): v is number => typeof v === "number");
    stats[name] = distributionStats(values, bins);
  }
  return { images: images.length, particles: images.reduce((s, im) => s + im.particles.length, 0), dropped, stats };
}

/** Per-image, per-class and overall summaries. */
export function summariseImages(images: readonly ImageRecord[], bins?: number): ParticlesSummary {
  const perImage: Record<string, GroupSummary> = {};
  for (const im of images) perImage[im.file] = groupSummary([im], bins);
  const perClass: Record<string, GroupSummary> = {};
  const classes = [...new Set(images.map((im) => im.class))];
  for (const c of classes) perClass[c || "(none)"] = groupSummary(images.filter((im) => im.class === c), bins);
  return { perImage, perClass, overall: groupSummary(images, bins) };
}

/** Summary CSV rows: one per (group, quantity) with the distribution statistics and the unit in the quantity name. */
export function summaryRows(s: ParticlesSummary): Array<Record<string, string | number>> {
  const rows: Array<Record<string, string | number>> = [];
  const add = (level: string, name: string, g: GroupSummary): void => {
    for (const [q, st] of Object.entries(g.stats)) {
      rows.push({ level, group: name, quantity: q, count: st.count, mean: st.mean, sd: st.sd, cv: st.cv, median: st.median, q1: st.q1, q3: st.q3, iqr: st.iqr, min: st.min, max: st.max,
        droppedBorder: g.dropped.border, droppedTooSmall: g.dropped.tooSmall, droppedScaleBar: g.dropped.scaleBar, droppedNotParticle: g.dropped.notParticle });
    }
  };
  for (const [k, g] of Object.entries(s.perImage)) add("image", k, g);
  for (const [k, g] of Object.entries(s.perClass)) add("class", k, g);
  add("all", "all", s.overall);
  return rows;
}
