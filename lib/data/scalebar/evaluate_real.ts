/**
 * Score the scale-bar reader against a table of real images labelled by eye (test/fixtures/real_scalebars.json
 * layout): per set, how many bars were read with nm/px within the tolerance, how many gave a wrong number,
 * and how many bar-less or label-less images were (wrongly) given one.
 */
import * as fs from "fs";
import * as path from "path";
import { decodeImage } from "../decode";
import { toGrey8 } from "./calibrate";
import { findScaleBar } from "./find_scale_bar";
import type { FindScaleBarOptions } from "./find_scale_bar";
import { createLabelReader } from "./read_label";

/** One labelled image: the label as printed, its length in nm, the bar's length in pixels. */
export interface LabelledBar {
  file: string;
  label: string;
  barNm: number;
  lengthPx: number;
  note?: string;
}

/** One set of the truth table: a folder (relative to the data root), bars, and images that must be refused. */
export interface LabelledSet {
  dir: string;
  images: LabelledBar[];
  noLabel?: string[];
  noBar?: string[];
}

/** One image's outcome. `relError` is |read − true| / true nm/px, null when nothing was read. */
export interface RealBarTrial {
  file: string;
  expected: number | null;
  read: number | null;
  relError: number | null;
  /** Label text read, or the reason for refusing. */
  note: string;
  /** Which reader decided the label (null when refused). */
  readBy: "templates" | "tesseract" | null;
  ms: number;
}

/** A set's score: `read` counts readings within `tolerance`; `wrong` counts any other number given. */
export interface RealSetScore {
  withBar: number;
  read: number;
  wrong: number;
  refusedOk: number;
  refusable: number;
  maxRelError: number;
  trials: RealBarTrial[];
}

/**
 * Run findScaleBar on every image of `set` under `root` with one shared OCR worker. A bar reading counts
 * as read when its nm/px is within `tolerance` (fraction, default 0.02) of barNm / lengthPx, and as wrong
 * otherwise; any reading on a `noLabel`/`noBar` image is wrong. Throws naming the file when an image is missing.
 */
export async function scoreRealSet(root: string, set: LabelledSet, opts: FindScaleBarOptions & { tolerance?: number } = {}): Promise<RealSetScore> {
  const tol = opts.tolerance ?? 0.02;
  const reader = opts.reader ?? (await createLabelReader(opts));
  const trials: RealBarTrial[] = [];
  const all: [string, number | null][] = [
    ...set.images.map((b): [string, number | null] => [b.file, b.barNm / b.lengthPx]),
    ...[...(set.noLabel ?? []), ...(set.noBar ?? [])].map((f): [string, number | null] => [f, null]),
  ];
  try {
    for (const [file, expected] of all) {
      const p = path.join(root, set.dir, file);
      if (!fs.existsSync(p)) throw new Error(`scoreRealSet: ${p} is missing`);
      const t0 = Date.now();
      const img = toGrey8(await decodeImage(p, { channels: "native" }));
      const r = await findScaleBar(img, { ...opts, reader });
      const read = r.found ? r.nmPerPx : null;
      trials.push({
        file, expected, read,
        relError: read !== null && expected !== null ? Math.abs(read - expected) / expected : null,
        readBy: r.found ? r.readBy : null,
        note: r.found ? `'${r.labelText}' (${r.readBy}) over ${r.lengthPx.toFixed(1)} px, confidence ${r.confidence.toFixed(2)}` : r.reason,
        ms: Date.now() - t0,
      });
    }
  } finally {
    if (!opts.reader) await reader.terminate();
  }
  const bars = trials.filter((t) => t.expected !== null);
  const others = trials.filter((t) => t.expected === null);
  const errs = bars.filter((t) => t.relError !== null).map((t) => t.relError as number);
  return {
    withBar: bars.length,
    read: errs.filter((e) => e <= tol).length,
    wrong: errs.filter((e) => e > tol).length + others.filter((t) => t.read !== null).length,
    refusedOk: others.filter((t) => t.read === null).length,
    refusable: others.length,
    maxRelError: errs.length ? Math.max(...errs) : NaN,
    trials,
  };
}
