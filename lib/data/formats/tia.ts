/**
 * Images from FEI/Thermo TIA series files (.ser; the .emi beside it holds the instrument metadata and
 * points to `<name>_1.ser`, which holds the pixels). Written from the published SER layout:
 * little-endian header `ByteOrder(0x4949) SeriesID(0x0197) SeriesVersion(0x0210 | 0x0220)
 * DataTypeID(0x4120 1-D, 0x4122 2-D) TagTypeID TotalNumberElements ValidNumberElements
 * OffsetArrayOffset NumberDimensions`, offsets 4 bytes in version 0x0210 and 8 in 0x0220; at
 * OffsetArrayOffset one data offset per element. A 2-D element is `CalibrationOffsetX/DeltaX (f64)
 * CalibrationElementX (i32)`, the same for Y, `DataType (i16) ArraySizeX ArraySizeY (i32)`, then the
 * samples, x fastest, bottom row first (TIA's y axis points up): rows are flipped so row 0 is the top,
 * as TIA displays the image and hyperspy reads it. TIA calibrates image axes in metres.
 */
import * as fs from "fs";
import * as path from "path";
import { SampleArray, emptySamples, FormatError, MicroscopeImage, pickSlice, ReadImageOptions, readSamples } from "./types";

/** SER DataType codes → numpy dtype names (9, 10 are complex: rejected). */
const SER_DTYPE: Record<number, string> = { 1: "uint8", 2: "uint16", 3: "uint32", 4: "int8", 5: "int16", 6: "int32", 7: "float32", 8: "float64" };

/** Reverse the row order of a row-major `width`×`height` image, in place. */
function flipRows<T extends SampleArray>(a: T, width: number, height: number): T {
  const tmp = a.slice(0, width) as T;
  for (let r = 0; r < height >> 1; r++) {
    const top = r * width, bot = (height - 1 - r) * width;
    tmp.set(a.subarray(top, top + width));
    a.copyWithin(top, bot, bot + width);
    a.set(tmp, bot);
  }
  return a;
}

/**
 * The .ser file that holds the pixels of `file`: `file` itself for a .ser, `<stem>_1.ser` for a .emi.
 * Throws {@link FormatError} naming the missing .ser for an .emi without one.
 */
export function serFileFor(file: string): string {
  if (path.extname(file).toLowerCase() !== ".emi") return file;
  const ser = path.join(path.dirname(file), `${path.basename(file, path.extname(file))}_1.ser`);
  if (!fs.existsSync(ser)) throw new FormatError(file, `a TIA .emi file keeps its pixels in ${path.basename(ser)}, which is not beside it; copy the .ser with the .emi`);
  return ser;
}

/**
 * Read one 2-D image of a TIA .ser series (or the .ser of an .emi). A series of several images needs
 * `opts.stackSlice`. Throws {@link FormatError} naming the file for: not SER, truncated, 1-D spectra,
 * complex data, a series without a slice.
 */
export function readSer(file: string, opts: ReadImageOptions = {}): MicroscopeImage {
  const ser = serFileFor(file);
  const buf = fs.readFileSync(ser);
  const name = ser === file ? file : `${file} (${path.basename(ser)})`;
  const need = (pos: number, n: number, what: string): void => {
    if (pos + n > buf.length) throw new FormatError(name, `truncated: the ${what} needs byte ${pos + n} but the file has ${buf.length} bytes`);
  };
  need(0, 30, "SER header");
  if (buf.readUInt16LE(0) !== 0x4949 || buf.readUInt16LE(2) !== 0x0197) throw new FormatError(name, "not a TIA .ser file (no 0x4949/0x0197 signature)");
  const version = buf.readUInt16LE(4);
  const wide = version >= 0x0220;
  const dataTypeId = buf.readUInt32LE(6);
  const total = buf.readUInt32LE(14);
  const valid = buf.readUInt32LE(18);
  const offsetArray = wide ? Number(buf.readBigUInt64LE(22)) : buf.readUInt32LE(22);
  if (dataTypeId === 0x4120) throw new FormatError(name, `holds ${valid} 1-D spectra (TIA data type 0x4120), not an image`);
  if (dataTypeId !== 0x4122) throw new FormatError(name, `unknown TIA data type 0x${dataTypeId.toString(16)} (expected 0x4122 for images)`);
  if (valid < 1) throw new FormatError(name, "TIA series holds no image (ValidNumberElements is 0)");
  if (valid > total) throw new FormatError(name, `corrupt TIA header: ${valid} valid of ${total} elements`);
  const slice = pickSlice(name, valid, `TIA series of ${valid} images`, opts);
  const ow = wide ? 8 : 4;
  need(offsetArray, 2 * ow * total, "offset arrays");
  const at = wide ? Number(buf.readBigUInt64LE(offsetArray + ow * slice)) : buf.readUInt32LE(offsetArray + ow * slice);
  need(at, 50, "image element header");
  const offX = buf.readDoubleLE(at), deltaX = buf.readDoubleLE(at + 8), elemX = buf.readInt32LE(at + 16);
  const offY = buf.readDoubleLE(at + 20), deltaY = buf.readDoubleLE(at + 28), elemY = buf.readInt32LE(at + 36);
  const code = buf.readInt16LE(at + 40);
  const width = buf.readInt32LE(at + 42), height = buf.readInt32LE(at + 46);
  const dtype = SER_DTYPE[code];
  if (dtype === undefined) throw new FormatError(name, `TIA sample type ${code === 9 || code === 10 ? "complex" : `code ${code}`} is not supported (only real-valued images)`);
  if (width < 1 || height < 1) throw new FormatError(name, `corrupt TIA image size ${width}×${height}`);
  // the element's tag (time stamp, 6 bytes; time + stage position, 22 bytes) follows the data: a file
  // cut before it lost part of the series
  const tagType = buf.readUInt32LE(10);
  const tagAt = wide ? Number(buf.readBigUInt64LE(offsetArray + ow * (total + slice))) : buf.readUInt32LE(offsetArray + ow * (total + slice));
  if (tagAt > 0) need(tagAt, tagType === 0x4142 ? 22 : 6, "element tag after the image data");
  need(at + 50, width * height * ({ uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 }[dtype] as number), "image data");
  const data = opts.headerOnly ? emptySamples(dtype) : flipRows(readSamples(name, buf, at + 50, width * height, dtype, true), width, height);
  return {
    width, height, data, dtype, format: "ser",
    x: { scale: deltaX, unit: "m", origin: offX - elemX * deltaX },
    y: { scale: deltaY, unit: "m", origin: offY - elemY * deltaY },
    detail: "TIA .ser element calibration (CalibrationDeltaX/Y, metres)",
    slices: valid,
  };
}
