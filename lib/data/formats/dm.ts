/**
 * Images from Gatan DigitalMicrograph .dm3/.dm4 files. The tag tree (see dm_tags.ts) holds an
 * `ImageList` of images; each has `ImageData/{Data, DataType, Dimensions, Calibrations/Dimension}`.
 * `Dimensions[0]` is the width (x, fastest-varying), `[1]` the height, `[2]` the stack depth; each
 * `Calibrations/Dimension[i]` gives `Scale`, `Units` and `Origin` (in pixels) of axis i.
 * Choice of image: DM writes a small thumbnail as the first entry when it stores more than one, so the
 * first entry is skipped when there are several, RGB entries are skipped, and the largest remaining
 * image (by sample count, the last on ties) is read.
 */
import * as fs from "fs";
import { asGroup, dmGet, DmArray, DmFile, DmGroup, dmText, parseDm } from "./dm_tags";
import { AxisScale, emptySamples, FormatError, MicroscopeImage, pickSlice, ReadImageOptions, readSamples } from "./types";

/** DM `DataType` codes → numpy dtype names; complex and RGB have no entry (rejected). */
const DM_DTYPE: Record<number, string> = { 1: "int16", 2: "float32", 6: "uint8", 7: "int32", 9: "int8", 10: "uint16", 11: "uint32", 12: "float64", 14: "uint8" };
const DM_DTYPE_NAME: Record<number, string> = { 3: "complex64", 13: "complex128", 23: "RGB", 4: "packed complex", 5: "packed complex", 8: "RGB" };

interface DmImageEntry {
  index: number;
  dims: number[];
  dataType: number;
  data: DmArray;
  cal: AxisScale[];
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

function entries(f: DmFile, file: string): DmImageEntry[] {
  const list = asGroup(dmGet(f.root, "ImageList"));
  if (!list || list.entries.length === 0) throw new FormatError(file, "DigitalMicrograph file without an ImageList (no image in it)");
  const out: DmImageEntry[] = [];
  list.entries.forEach((e, index) => {
    const g = asGroup(e.value);
    if (!g) return;
    const dimsG = asGroup(dmGet(g, "ImageData/Dimensions"));
    const data = dmGet(g, "ImageData/Data");
    const dataType = num(dmGet(g, "ImageData/DataType"));
    if (!dimsG || !data || typeof data !== "object" || Array.isArray(data) || data.kind !== "array" || dataType === undefined) return;
    const dims = dimsG.entries.map((d) => num(d.value) ?? 0);
    const calG = asGroup(dmGet(g, "ImageData/Calibrations/Dimension"));
    const cal: AxisScale[] = dims.map((_, i) => {
      const c = calG ? asGroup(calG.entries[i]?.value) : undefined;
      const scale = c ? num(dmGet(c, "Scale")) ?? 1 : 1;
      const originPx = c ? num(dmGet(c, "Origin")) ?? 0 : 0;
      const unit = c ? dmText(f, dmGet(c, "Units")) : "";
      // DM's Origin is the pixel index of coordinate 0; the first pixel's coordinate is -Origin·Scale
      return { scale, unit, origin: -originPx * scale };
    });
    out.push({ index, dims, dataType, data, cal });
  });
  if (out.length === 0) throw new FormatError(file, "DigitalMicrograph ImageList holds no image data");
  return out;
}

function pick(all: DmImageEntry[]): DmImageEntry {
  let cands = all.length > 1 ? all.filter((e) => e.index !== all[0].index) : all;
  const notRgb = cands.filter((e) => e.dataType !== 23 && e.dataType !== 8);
  if (notRgb.length) cands = notRgb;
  let best = cands[0];
  const size = (e: DmImageEntry): number => e.dims.reduce((a, b) => a * b, 1);
  for (const e of cands) if (size(e) >= size(best)) best = e;
  return best;
}

/** Drop axes of length 1 (DM stores a spectrum as 2048×1), as hyperspy does. */
function squeeze(e: DmImageEntry): DmImageEntry {
  const keep = e.dims.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  if (keep.length === e.dims.length || keep.length === 0) return e;
  return { ...e, dims: keep.map((i) => e.dims[i]), cal: keep.map((i) => e.cal[i]) };
}

function describeAxis(a: AxisScale, n: number): string {
  return `${n} × ${Number(a.scale.toPrecision(7))} ${a.unit || "(no unit)"}`;
}

/**
 * Read the main image of a DigitalMicrograph .dm3/.dm4 file. A 3-D stack needs `opts.stackSlice`.
 * Throws {@link FormatError} naming the file for: not DM, truncated, a 1-D spectrum (names its axis),
 * a 4-D dataset, complex or RGB data, a stack without a slice.
 */
export function readDm(file: string, opts: ReadImageOptions = {}): MicroscopeImage {
  const buf = fs.readFileSync(file);
  const f = parseDm(file, buf);
  const e = squeeze(pick(entries(f, file)));
  const format = `dm${f.version}`;
  if (e.dims.length === 1) {
    throw new FormatError(file, `holds a 1-D signal (${describeAxis(e.cal[0], e.dims[0])}: a spectrum such as EELS/EDS), not an image`);
  }
  if (e.dims.length > 3) {
    throw new FormatError(file, `holds a ${e.dims.length}-D dataset (${e.dims.join("×")}, e.g. 4D-STEM or a spectrum image), not an image`);
  }
  const dtype = DM_DTYPE[e.dataType];
  if (dtype === undefined) throw new FormatError(file, `image data type ${DM_DTYPE_NAME[e.dataType] ?? `code ${e.dataType}`} is not supported (only real-valued grey images)`);
  const [w, h] = e.dims;
  const depth = e.dims.length === 3 ? e.dims[2] : 1;
  const slice = pickSlice(file, depth, `${format} volume ${w}×${h}×${depth}, z ${describeAxis(e.cal[2] ?? { scale: 1, unit: "", origin: 0 }, depth)}`, opts);
  const bytesPer = { uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 }[dtype] as number;
  if (e.data.length * e.data.elemBytes !== w * h * depth * bytesPer) {
    throw new FormatError(file, `image data holds ${e.data.length * e.data.elemBytes} bytes but ${w}×${h}×${depth} ${dtype} needs ${w * h * depth * bytesPer}`);
  }
  const data = opts.headerOnly ? emptySamples(dtype) : readSamples(file, buf, e.data.offset + slice * w * h * bytesPer, w * h, dtype, f.littleEndian);
  return {
    width: w, height: h, data, dtype, format,
    x: e.cal[0], y: e.cal[1],
    detail: `${format} ImageList[${e.index}]/ImageData/Calibrations/Dimension`,
    slices: depth,
  };
}

/** The tag tree of a DM file, for callers that want other metadata (microscope, voltage). Throws like {@link readDm}. */
export function readDmTags(file: string): DmGroup {
  return parseDm(file, fs.readFileSync(file)).root;
}
