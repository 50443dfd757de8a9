import * as zlib from "zlib";

/**
 * A raw raster image: `data` holds `height` rows of `width` pixels of `channels` interleaved values,
 * row-major from the top-left. Uint8 data is 0..255; float data is 0..1 (clamped when encoded).
 * channels: 1 = grey, 3 = RGB, 4 = RGBA.
 */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | number[];
}

/** Check a RawImage's shape, naming `where` and the mismatch in the error. */
export function checkImage(img: RawImage, where: string): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new Error(`${where}: bad image size ${img.width}x${img.height}`);
  }
  if (![1, 3, 4].includes(img.channels)) throw new Error(`${where}: channels must be 1, 3 or 4, got ${img.channels}`);
  const n = img.width * img.height * img.channels;
  if (img.data.length !== n) throw new Error(`${where}: data has ${img.data.length} values, expected ${img.width}x${img.height}x${img.channels} = ${n}`);
}

/** Pixel values as bytes: floats (0..1) are scaled by 255, rounded and clamped; bytes pass through. */
export function toBytes(img: RawImage): Uint8Array {
  if (img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray) return new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(Number(img.data[i]) * 255)));
  return out;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * Encode a RawImage as PNG (8-bit grey / RGB / RGBA, no filtering, zlib level 6), synchronously,
 * so figure builders stay pure synchronous functions. Throws on a malformed image.
 */
export function encodePng(img: RawImage): Buffer {
  checkImage(img, "encodePng");
  const { width, height, channels } = img;
  const bytes = toBytes(img);
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    raw.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6; // colour type
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Encode a 16-bit grey image (e.g. an instance label map: 0 = background, 1…K = one value per object)
 * as a PNG of bit depth 16, samples big-endian as PNG requires, synchronously. `values` holds
 * `width*height` row-major values 0..65535 (a Uint16Array, so nothing is scaled or clamped).
 * Throws naming the bad size.
 */
export function encodeGrey16Png(width: number, height: number, values: Uint16Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`encodeGrey16Png: bad image size ${width}x${height}`);
  if (values.length !== width * height) throw new Error(`encodeGrey16Png: ${values.length} values for a ${width}x${height} image (expected ${width * height})`);
  const stride = width * 2;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 0; // filter type None
    for (let x = 0, o = row + 1, i = y * width; x < width; x++, o += 2, i++) { raw[o] = values[i] >> 8; raw[o + 1] = values[i] & 255; }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** `data:image/png;base64,...` of a RawImage (for Plotly image traces / layout images). */
export function pngDataUri(img: RawImage): string {
  return `data:image/png;base64,${encodePng(img).toString("base64")}`;
}

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png.buffer, png.byteOffset, png.length);
  const sig = "89504e470d0a1a0a";
  if (b.length < 24 || b.subarray(0, 8).toString("hex") !== sig || b.subarray(12, 16).toString("ascii") !== "IHDR") {
    throw new Error("pngSize: not a PNG (bad signature or no IHDR first)");
  }
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/**
 * Blend a binary/soft mask over an image: pixel = (1-a·m)·image + a·m·color. Returns RGB float 0..1.
 * `mask` is width*height values in 0..1 (e.g. a segmentation); `color` is RGB in 0..1. Default alpha 0.5.
 */
export function overlayMask(img: RawImage, mask: ArrayLike<number>, color: [number, number, number] = [1, 0, 0], alpha = 0.5): RawImage {
  checkImage(img, "overlayMask");
  const n = img.width * img.height;
  if (mask.length !== n) throw new Error(`overlayMask: mask has ${mask.length} values, image has ${n} pixels`);
  const bytes = img.data instanceof Uint8Array || img.data instanceof Uint8ClampedArray;
  const scale = bytes ? 1 / 255 : 1;
  const out = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    const a = alpha * Math.max(0, Math.min(1, mask[p]));
    for (let c = 0; c < 3; c++) {
      const v = Number(img.data[p * img.channels + (img.channels === 1 ? 0 : c)]) * scale;
      out[p * 3 + c] = (1 - a) * v + a * color[c];
    }
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}
