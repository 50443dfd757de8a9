/**
 * A binary mask in memory: row-major, one byte per pixel, 1 = foreground (nanowire), 0 = background.
 * Every function in `lib/quantify` takes this shape, at the image's native resolution.
 */
export interface Mask {
  /** Columns (pixels). */
  readonly width: number;
  /** Rows (pixels). */
  readonly height: number;
  /** `width*height` bytes, row-major, each 0 or 1. */
  readonly data: Uint8Array;
}

/** Make a mask from a predicate or from raw bytes (any nonzero byte becomes 1). Throws on a size mismatch. */
export function makeMask(width: number, height: number, src?: ArrayLike<number> | ((x: number, y: number) => boolean)): Mask {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`makeMask: width and height must be positive integers, got ${width}x${height}`);
  }
  const data = new Uint8Array(width * height);
  if (typeof src === "function") {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = src(x, y) ? 1 : 0;
  } else if (src) {
    if (src.length !== width * height) throw new Error(`makeMask: got ${src.length} values for a ${width}x${height} mask`);
    for (let i = 0; i < data.length; i++) data[i] = src[i] ? 1 : 0;
  }
  return { width, height, data };
}

/** Number of foreground pixels. */
export function foregroundCount(m: Mask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i];
  return n;
}

/** Nanowire pixel density: the fraction of the mask's pixels that are foreground (the paper's measure), in [0,1]. */
export function pixelDensity(m: Mask): number {
  return foregroundCount(m) / (m.width * m.height);
}
