/**
 * File-level scale-bar calibration: decode an image, find and read its scale bar, and turn it into a
 * {@link Calibration} with source "scalebar" — the fallback for files without calibration metadata.
 */
import { decodeImage } from "../decode";
import type { DecodedImage } from "../decode";
import type { Calibration } from "../calibration";
import type { GreyImage } from "./find_bar";
import { findScaleBar } from "./find_scale_bar";
import { findDataStrip, type DataStrip } from "./data_strip";
import type { FindScaleBarOptions, ScaleBarResult } from "./find_scale_bar";

/** 8-bit grey version of a decoded image: luminance (Rec. 601) for colour, top byte for 16-bit. */
export function toGrey8(d: DecodedImage): GreyImage {
  const n = d.width * d.height;
  const out = new Uint8Array(n);
  const shift = d.depth === 16 ? 257 : 1;
  for (let i = 0; i < n; i++) {
    const v = d.channels >= 3
      ? 0.299 * d.data[i * d.channels] + 0.587 * d.data[i * d.channels + 1] + 0.114 * d.data[i * d.channels + 2]
      : d.data[i * d.channels];
    out[i] = Math.round(v / shift);
  }
  return { data: out, width: d.width, height: d.height };
}

/**
 * Find and read the scale bar of an image file (see {@link findScaleBar}). Throws `ImageDecodeError`
 * naming the file when it cannot be decoded; a file without a readable bar gives `found: false`.
 */
export async function readScaleBar(file: string, opts: FindScaleBarOptions = {}): Promise<ScaleBarResult> {
  return findScaleBar(await readGrey8(file), opts);
}

/** The file decoded as {@link toGrey8} sees it. Throws `ImageDecodeError` naming the file. */
async function readGrey8(file: string): Promise<GreyImage> {
  return toGrey8(await decodeImage(file, { channels: "native" }));
}

/**
 * Everything burnt into an image file that is not sample: its scale bar ({@link findScaleBar}) and its
 * data strip ({@link findDataStrip}, null when none), from one decoding. Throws as {@link readScaleBar}.
 */
export async function readBurntIn(file: string, opts: FindScaleBarOptions = {}): Promise<{ bar: ScaleBarResult; strip: DataStrip | null }> {
  const img = await readGrey8(file);
  return { bar: await findScaleBar(img, opts), strip: findDataStrip(img) };
}

/**
 * The calibration a file's burnt-in scale bar gives: square pixels of `nmPerPx`, source "scalebar",
 * detail = the label text read (e.g. "scale bar '100 nm' = 74.9 px"), confidence from findScaleBar.
 * Returns null when no scale bar was found (call {@link readScaleBar} for the reason). Throws as
 * readScaleBar does for an unreadable file. Shape matches the `fallback` of `resolveCalibration`.
 */
export async function scaleBarCalibration(file: string, opts: FindScaleBarOptions = {}): Promise<Calibration | null> {
  const r = await readScaleBar(file, opts);
  if (r.found === false) return null;
  return {
    nmPerPxX: r.nmPerPx,
    nmPerPxY: r.nmPerPx,
    source: "scalebar",
    detail: `scale bar '${r.labelText}' = ${r.lengthPx.toFixed(1)} px`,
    confidence: r.confidence,
  };
}
