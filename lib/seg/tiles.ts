/**
 * Tiling for micrographs larger than the network input: an image is cut into `tile`×`tile` windows
 * on a grid whose last row/column is shifted back to end at the image edge (so windows overlap there
 * instead of running off the image), and per-window predictions are stitched back by averaging where
 * windows overlap. Images smaller than a tile are edge-padded (replicating the last row/column).
 */

/** Start offsets of windows of length `tile` covering `length` (last one flush with the end). */
export function tileOrigins(length: number, tile: number): number[] {
  if (!(Number.isInteger(tile) && tile > 0)) throw new Error(`tileOrigins: tile must be a positive integer, got ${tile}`);
  if (length <= tile) return [0];
  const out: number[] = [];
  for (let o = 0; o + tile < length; o += tile) out.push(o);
  out.push(length - tile);
  return out;
}

/** Windows of one image: pixel data per window and their [y, x] origins. */
export interface Tiles {
  tiles: Float32Array[];
  origins: Array<[number, number]>;
  /** Source size. */
  height: number;
  width: number;
  channels: number;
  tile: number;
}

/** Cut an interleaved H×W×C float image into tiles (edge-padded when smaller than a tile). */
export function extractTiles(pixels: Float32Array, height: number, width: number, channels: number, tile: number): Tiles {
  if (pixels.length !== height * width * channels) throw new Error(`extractTiles: ${pixels.length} values for ${height}×${width}×${channels}`);
  const tiles: Float32Array[] = [];
  const origins: Array<[number, number]> = [];
  for (const oy of tileOrigins(height, tile)) {
    for (const ox of tileOrigins(width, tile)) {
      const t = new Float32Array(tile * tile * channels);
      for (let y = 0; y < tile; y++) {
        const sy = Math.min(height - 1, oy + y);
        for (let x = 0; x < tile; x++) {
          const sx = Math.min(width - 1, ox + x);
          for (let c = 0; c < channels; c++) t[(y * tile + x) * channels + c] = pixels[(sy * width + sx) * channels + c];
        }
      }
      tiles.push(t);
      origins.push([oy, ox]);
    }
  }
  return { tiles, origins, height, width, channels, tile };
}

/** Stitch single-channel tile maps back to H×W, averaging overlaps. `maps[i]` belongs to `layout.origins[i]`. */
export function stitchTiles(maps: Float32Array[], layout: Pick<Tiles, "origins" | "height" | "width" | "tile">): Float32Array {
  const { origins, height, width, tile } = layout;
  if (maps.length !== origins.length) throw new Error(`stitchTiles: ${maps.length} maps for ${origins.length} tiles`);
  const sum = new Float32Array(height * width), cnt = new Float32Array(height * width);
  maps.forEach((m, i) => {
    const [oy, ox] = origins[i];
    for (let y = 0; y < tile && oy + y < height; y++) {
      for (let x = 0; x < tile && ox + x < width; x++) {
        sum[(oy + y) * width + ox + x] += m[y * tile + x];
        cnt[(oy + y) * width + ox + x] += 1;
      }
    }
  });
  for (let i = 0; i < sum.length; i++) sum[i] /= cnt[i];
  return sum;
}
