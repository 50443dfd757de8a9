/**
 * An instance labelling: every foreground pixel carries the id of the particle it belongs to.
 * Produced by the watershed (`separateParticles`) or read from a ground-truth instance map.
 */
export interface InstanceLabels {
  /** Columns (pixels). */
  readonly width: number;
  /** Rows (pixels). */
  readonly height: number;
  /** `width*height` ids, row-major: 0..count-1 for particles, -1 for background. */
  readonly labels: Int32Array;
  /** Number of instances. */
  readonly count: number;
}

/**
 * Instance labels from a label map (e.g. a 16-bit EMPS segmap: 0 = background, 1…K = one value per
 * particle). Ids are renumbered 0..count-1 in raster order of each value's first pixel; a value's
 * pixels stay one instance even when they are not connected (the map's author said they are one).
 * Throws on a size mismatch.
 */
export function instancesFromLabelMap(values: ArrayLike<number>, width: number, height: number, background = 0): InstanceLabels {
  if (values.length !== width * height) throw new Error(`instancesFromLabelMap: got ${values.length} values for a ${width}x${height} map`);
  const ids = new Map<number, number>();
  const labels = new Int32Array(width * height);
  for (let i = 0; i < labels.length; i++) {
    const v = values[i];
    if (v === background) { labels[i] = -1; continue; }
    let id = ids.get(v);
    if (id === undefined) { id = ids.size; ids.set(v, id); }
    labels[i] = id;
  }
  return { width, height, labels, count: ids.size };
}

/** Pixel count of every instance (length `count`). */
export function instanceAreas(inst: InstanceLabels): Int32Array {
  const a = new Int32Array(inst.count);
  for (let i = 0; i < inst.labels.length; i++) if (inst.labels[i] >= 0) a[inst.labels[i]]++;
  return a;
}

/** Whether each instance has a pixel in the first/last row or column of the image (length `count`). */
export function touchesBorder(inst: InstanceLabels): boolean[] {
  const { width: w, height: h, labels } = inst;
  const out = new Array<boolean>(inst.count).fill(false);
  const mark = (p: number): void => { if (labels[p] >= 0) out[labels[p]] = true; };
  for (let x = 0; x < w; x++) { mark(x); mark((h - 1) * w + x); }
  for (let y = 0; y < h; y++) { mark(y * w); mark(y * w + w - 1); }
  return out;
}
