import type { InstanceLabels } from "../lib/particles/instances";

/** A labelling from rows of characters: '.' background, a digit the object of that id. */
export function labelling(rows: string[]): InstanceLabels {
  const w = rows[0].length, h = rows.length;
  const labels = new Int32Array(w * h);
  let count = 0;
  rows.forEach((r, y) => [...r].forEach((ch, x) => { const v = ch === "." ? -1 : Number(ch); labels[y * w + x] = v; count = Math.max(count, v + 1); }));
  return { width: w, height: h, labels, count };
}

/** The rows of characters of a labelling ({@link labelling} inverted). */
export const draw = (l: InstanceLabels): string[] => Array.from({ length: l.height }, (_, y) => Array.from({ length: l.width }, (_, x) => { const v = l.labels[y * l.width + x]; return v < 0 ? "." : String(v); }).join(""));
