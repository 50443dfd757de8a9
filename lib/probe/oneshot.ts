/**
 * The paper's one-shot anchor analysis: in 1-label-per-class runs, does it matter where the
 * dispersed and network anchors sit within their classes? Each anchor is placed above or below
 * its class median of nanowire pixel density (fraction of foreground mask pixels); the paper
 * reports ≈0.79 accuracy when the two anchors lie on opposite sides of their class medians and
 * ≈0.70 when on the same side.
 */
import { readMask } from "../data/masks";
import { Progress } from "../util/progress";
import { median, summarize, type Summary } from "../stats/quantiles";
import { planRun, resolveSweepConfig, type RunRecord, type SweepConfig, type SweepData } from "./sweep";

/** Fraction of foreground pixels of one mask file (native resolution). */
export async function maskDensity(maskFile: string): Promise<number> {
  const m = await readMask(maskFile);
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i];
  return s / m.data.length;
}

/**
 * Pixel density per image row: `masks` maps an image file to its mask file; rows without a mask
 * get NaN.
 */
export async function imageDensities(files: string[], masks: Map<string, string>): Promise<Float64Array> {
  const out = new Float64Array(files.length).fill(NaN);
  const bar = new Progress({ label: "mask densities", total: files.length, unit: "img" });
  for (let i = 0; i < files.length; i++) {
    const m = masks.get(files[i]);
    if (m) out[i] = await maskDensity(m);
    bar.tick();
  }
  bar.finish();
  return out;
}

/** One 1-shot run with the position of its anchors relative to their class medians. */
export interface AnchorRun {
  encoder: string;
  encoderSeed: number;
  splitSeed: number;
  accuracy: number;
  /** Anchor row and density per analysed class. */
  anchors: { cls: string; row: number; density: number; side: "above" | "below" }[];
  /** True when the analysed anchors lie on different sides of their class medians. */
  opposite: boolean;
}

/** Result of `oneShotAnchorAnalysis`. */
export interface AnchorAnalysis {
  classes: [string, string];
  /** Median density per analysed class (over every image with a mask). */
  classMedians: number[];
  runs: AnchorRun[];
  opposite: Summary | null;
  same: Summary | null;
}

/**
 * Place the anchors of every 1-label/class run (recomputed with `planRun`, the same draw the sweep
 * used) relative to their class medians of density, and compare accuracies for anchors on opposite
 * vs the same side. `cfg` must be the sweep's config. Throws when a class is missing or an anchor
 * has no density.
 */
export function oneShotAnchorAnalysis(
  data: Pick<SweepData, "labels" | "classes" | "testRows">,
  runs: readonly RunRecord[],
  densities: ArrayLike<number>,
  cfg: SweepConfig,
  classes: [string, string] = ["dispersed", "network"],
): AnchorAnalysis {
  const idx = classes.map((c) => {
    const k = data.classes.indexOf(c);
    if (k < 0) throw new Error(`oneShotAnchorAnalysis: class '${c}' not in [${data.classes.join(", ")}]`);
    return k;
  });
  const classMedians = idx.map((k, j) => {
    const xs: number[] = [];
    for (let i = 0; i < data.labels.length; i++) if (data.labels[i] === k && Number.isFinite(densities[i])) xs.push(densities[i]);
    if (xs.length === 0) throw new Error(`oneShotAnchorAnalysis: no densities for class '${classes[j]}'`);
    return median(xs);
  });
  const out: AnchorRun[] = [];
  for (const r of runs) {
    if (r.n !== 1) continue;
    const plan = planRun(data, r.splitSeed, 1, resolveSweepConfig({ ...cfg, protocol: r.protocol }));
    const labelled = [...plan.fit, ...(r.protocol === "honest-adam" ? plan.val : [])];
    const anchors = idx.map((k, j) => {
      const row = labelled.find((i) => data.labels[i] === k);
      if (row === undefined) throw new Error(`oneShotAnchorAnalysis: run split ${r.splitSeed} has no '${classes[j]}' anchor`);
      const density = densities[row];
      if (!Number.isFinite(density)) throw new Error(`oneShotAnchorAnalysis: anchor row ${row} ('${classes[j]}') has no mask density`);
      return { cls: classes[j], row, density, side: (density >= classMedians[j] ? "above" : "below") as "above" | "below" };
    });
    out.push({ encoder: r.encoder, encoderSeed: r.encoderSeed, splitSeed: r.splitSeed, accuracy: r.accuracy, anchors, opposite: anchors[0].side !== anchors[1].side });
  }
  const acc = (opp: boolean) => out.filter((a) => a.opposite === opp).map((a) => a.accuracy);
  const o = acc(true), s = acc(false);
  return { classes, classMedians, runs: out, opposite: o.length ? summarize(o) : null, same: s.length ? summarize(s) : null };
}

/**
 * Why the one-shot anchor analysis cannot run on a data set, or null when it can: it needs the
 * classes `dispersed` and `network` with a mask for at least one image of each.
 */
export function oneShotSkipReason(files: string[], labels: number[], classes: string[], masks: Map<string, string>, need: [string, string] = ["dispersed", "network"]): string | null {
  for (const c of need) {
    const k = classes.indexOf(c);
    if (k < 0) return `the data has no class '${c}' (classes: ${classes.join(", ")})`;
    if (!files.some((f, i) => labels[i] === k && masks.has(f))) return `no '${c}' image has a mask (give masks with -p masks=DIR)`;
  }
  return null;
}
