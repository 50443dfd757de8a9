/**
 * One labelling from many candidate objects (candidate_objects.ts) and the judge's probability of
 * each: the likeliest first, each taken unless it lies mostly on what was taken before. A merged pair
 * and its two halves, a particle and its fragments, the same particle from five segmentations: the
 * one the judge trusts most wins, and the rest give way.
 */
import { fillHoles } from "../image/fill_holes";
import { classifyInstances } from "./extract";
import type { InstanceLabels } from "./instances";
import { BASE_VARIANT, filterSide, sameVariant, type CandidateSet } from "./candidate_objects";

/** Settings of {@link pickObjects}. */
export interface PickOptions {
  /** Candidates with a probability under this are never taken. */
  threshold: number;
  /** A candidate is skipped when more than this fraction of its pixels is taken already. */
  maxOverlap: number;
}

/** What {@link pickObjects} returns. */
export interface PickedObjects {
  /** The picked particles (ids 0…k−1 in the order taken), then the base segmentation's border objects. */
  instances: InstanceLabels;
  /** Picked particles (the first ids); the objects after them touch the border. */
  picked: number;
  /** The side most of the picks' probability lies on (the object filter's side when nothing was picked). */
  polarity: "dark" | "bright";
}

/**
 * Pick particles from `sets` with probabilities `probs` (one array per set, in its `kept` order):
 * candidates at or over `threshold`, likeliest first (ties: earlier set, lower id), each taking its
 * pixels not taken yet unless more than `maxOverlap` of them are. Then, so the foreground is whole
 * where particles leave the field, the base segmentation's objects on the chosen side that the image
 * border or the `missing` pixels cut keep their untaken pixels when those still touch the border or
 * the missing pixels; and holes enclosed by the picked foreground go to the particle beside them (the
 * candidates without hole filling leave holes in textured particles). Pixels of `missing` are never
 * taken. Throws when `probs` does not fit `sets`.
 */
export function pickObjects(sets: readonly CandidateSet[], probs: readonly Float64Array[], opts: PickOptions, missing?: Uint8Array): PickedObjects {
  if (!sets.length) throw new Error("pickObjects: no candidate sets");
  if (probs.length !== sets.length || probs.some((p, s) => p.length !== sets[s].kept.length)) throw new Error("pickObjects: one probability per candidate of every set is needed");
  const { width: w, height: h } = sets[0].instances, n = w * h;
  const cands: Array<{ s: number; k: number; p: number }> = [];
  probs.forEach((ps, s) => ps.forEach((p, k) => { if (p >= opts.threshold) cands.push({ s, k, p }); }));
  cands.sort((a, b) => b.p - a.p || a.s - b.s || sets[a.s].kept[a.k] - sets[b.s].kept[b.k]);
  const pixels = candidatePixels(sets, cands);
  const labels = new Int32Array(n).fill(-1);
  let count = 0, darkWeight = 0;
  for (const c of cands) {
    const px = pixels.get(c.s)!.get(sets[c.s].kept[c.k])!;
    let taken = 0;
    for (const i of px) if (labels[i] >= 0) taken++;
    if (taken > opts.maxOverlap * px.length) continue;
    for (const i of px) if (labels[i] < 0) labels[i] = count;
    count++;
    darkWeight += sets[c.s].side === "dark" ? c.p : -c.p;
  }
  const picked = count;
  const polarity = darkWeight > 0 ? "dark" : darkWeight < 0 ? "bright" : filterSide(sets);
  count = addCutObjects(sets, polarity, labels, count, missing);
  fillEnclosedHoles(labels, w, h, missing);
  return { instances: { width: w, height: h, labels, count }, picked, polarity };
}

/** Pixel indices of each candidate in `cands`, per set and instance id (one pass over each set). */
function candidatePixels(sets: readonly CandidateSet[], cands: ReadonlyArray<{ s: number; k: number }>): Map<number, Map<number, number[]>> {
  const out = new Map<number, Map<number, number[]>>();
  for (const c of cands) {
    let m = out.get(c.s);
    if (!m) out.set(c.s, (m = new Map()));
    m.set(sets[c.s].kept[c.k], []);
  }
  for (const [s, m] of out) {
    const labels = sets[s].instances.labels;
    for (let i = 0; i < labels.length; i++) { const a = labels[i] >= 0 ? m.get(labels[i]) : undefined; if (a) a.push(i); }
  }
  return out;
}

/**
 * The base segmentation's objects on `side` that the image border or `missing` pixels (an excluded scale
 * bar or data strip) cut, where their untaken pixels still touch the border or a missing pixel: the
 * foreground stays whole where particles leave the field, and the drop rules report them (`border`,
 * `scaleBar`). Only objects the drop rules left out of the candidates are added. Returns the new count.
 */
function addCutObjects(sets: readonly CandidateSet[], side: "dark" | "bright", labels: Int32Array, count: number, missing?: Uint8Array): number {
  const base = basePickSet(sets, side);
  if (!base) return count;
  const { width: w, height: h } = base.instances, n = w * h;
  const candidate = new Set(base.kept);
  const cut = (i: number): boolean => {
    const x = i % w, y = (i - x) / w;
    return x === 0 || y === 0 || x === w - 1 || y === h - 1 || (missing !== undefined && neighbours(i, w, n).some((j) => missing[j] === 1));
  };
  const free = new Map<number, number[]>();
  base.instances.labels.forEach((l, i) => { if (l >= 0 && !candidate.has(l) && labels[i] < 0) { let a = free.get(l); if (!a) free.set(l, (a = [])); a.push(i); } });
  for (const px of free.values()) {
    if (!px.some(cut)) continue;
    for (const i of px) labels[i] = count;
    count++;
  }
  return count;
}

/** Background pixels enclosed by the foreground go, flooding in from its edge, to the object beside them (not `missing` ones). */
function fillEnclosedHoles(labels: Int32Array, w: number, h: number, missing?: Uint8Array): void {
  const n = w * h, fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = labels[i] >= 0 ? 1 : 0;
  const filled = fillHoles({ width: w, height: h, data: fg }).data;
  const hole = (j: number): boolean => filled[j] === 1 && labels[j] < 0 && !(missing && missing[j]);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (fg[i] && neighbours(i, w, n).some(hole)) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    for (const j of neighbours(i, w, n)) if (hole(j)) { labels[j] = labels[i]; queue.push(j); }
  }
}

/** 4-neighbours of pixel i in a w-wide image of n pixels. */
function neighbours(i: number, w: number, n: number): number[] {
  const x = i % w, out: number[] = [];
  if (x > 0) out.push(i - 1);
  if (x < w - 1) out.push(i + 1);
  if (i >= w) out.push(i - w);
  if (i + w < n) out.push(i + w);
  return out;
}

/**
 * The candidates the judge turned down, for the overlays: the objects of `base` (the base segmentation
 * on the picks' side, {@link basePickSet}) that the drop rules keep (its `kept`) and of which less than
 * half lies on `labels` (the route's final labelling, after any growth), each as the list of its pixel
 * indices not on `labels`: what the filter's route would have shown as `notParticle` when the judge took
 * none of it.
 */
export function rejectedCandidates(base: Pick<CandidateSet, "instances" | "kept">, labels: Int32Array): number[][] {
  const free = new Map<number, number[]>(), size = new Map<number, number>();
  for (const id of base.kept) { free.set(id, []); size.set(id, 0); }
  base.instances.labels.forEach((l, i) => {
    const a = free.get(l);
    if (!a) return;
    size.set(l, size.get(l)! + 1);
    if (labels[i] < 0) a.push(i);
  });
  return [...free].filter(([id, px]) => px.length > size.get(id)! / 2).map(([, px]) => px);
}

/** The base segmentation's set on `side` (undefined when `sets` has none). */
export function basePickSet(sets: readonly CandidateSet[], side: "dark" | "bright"): CandidateSet | undefined {
  return sets.find((s) => s.side === side && sameVariant(s.variant, BASE_VARIANT));
}
