import * as tf from "@tensorflow/tfjs";
import type { ParticleNet } from "./net";
import type { ParticleMaps } from "./decode";
import { decodeInstances, type DecodeOptions } from "./decode";
import { readGrey, type GreyImage } from "../particles/grey_image";
import type { InstanceLabels } from "../particles/instances";
import type { ParticleModel } from "./model_file";
import { resampleBilinear } from "../image/resample";

/** Options of {@link predictMaps}. */
export interface PredictOptions {
  /** Images with more pixels than this are cut into overlapping tiles. Default 1,200,000 (≈ 1100²). */
  maxPixels?: number;
  /** Tile side when tiling, px (rounded up to the network's multiple). Default 768. */
  tile?: number;
  /** Overlap of neighbouring tiles, px; each tile's outer half-overlap is discarded. Default 96. */
  overlap?: number;
}

/** Window starts of length `tile` covering `length` with at least `overlap` shared px (last flush with the end). */
export function overlapOrigins(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = tile - overlap;
  if (!(stride > 0)) throw new Error(`overlapOrigins: overlap ${overlap} must be smaller than the tile ${tile}`);
  const out: number[] = [];
  for (let o = 0; o + tile < length; o += stride) out.push(o);
  out.push(length - tile);
  return out;
}

/** Run the net on a grey window (edge-padded up to multiples of the net's `multiple`) → 4 maps of the window. */
function runWindow(net: ParticleNet, g: GreyImage, x0: number, y0: number, ww: number, wh: number): Float32Array[] {
  const m = net.multiple;
  const pw = Math.ceil(ww / m) * m, ph = Math.ceil(wh / m) * m;
  const buf = new Float32Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const sy = y0 + Math.min(y, wh - 1);
    for (let x = 0; x < pw; x++) buf[y * pw + x] = g.grey[sy * g.width + x0 + Math.min(x, ww - 1)];
  }
  const out = tf.tidy(() => {
    const logits = net.forward(tf.tensor4d(buf, [1, ph, pw, 1]), false);
    const p = tf.softmax(tf.slice(logits, [0, 0, 0, 0], [1, ph, pw, 3]));
    const d = tf.sigmoid(tf.slice(logits, [0, 0, 0, 3], [1, ph, pw, 1]));
    return tf.concat([p, d], 3);
  });
  const all = out.dataSync() as Float32Array;
  out.dispose();
  const maps = [0, 1, 2, 3].map(() => new Float32Array(ww * wh));
  for (let y = 0; y < wh; y++) for (let x = 0; x < ww; x++) {
    const s = (y * pw + x) * 4, t = y * ww + x;
    for (let c = 0; c < 4; c++) maps[c][t] = all[s + c];
  }
  return maps;
}

/**
 * The network's maps of a grey image at native size. Small images go through in one piece (edge-padded);
 * larger ones in overlapping tiles, each pixel taken from the tile where it lies farthest from a cut edge.
 */
export function predictMaps(net: ParticleNet, g: GreyImage, opts: PredictOptions = {}): ParticleMaps {
  const { width: w, height: h } = g;
  const maxPixels = opts.maxPixels ?? 1_200_000;
  let maps: Float32Array[];
  if (w * h <= maxPixels) {
    maps = runWindow(net, g, 0, 0, w, h);
  } else {
    const tile = Math.ceil((opts.tile ?? 768) / net.multiple) * net.multiple, ov = opts.overlap ?? 96;
    maps = [0, 1, 2, 3].map(() => new Float32Array(w * h));
    const best = new Float32Array(w * h).fill(-1);
    for (const oy of overlapOrigins(h, tile, ov)) for (const ox of overlapOrigins(w, tile, ov)) {
      const tw = Math.min(tile, w - ox), th = Math.min(tile, h - oy);
      const part = runWindow(net, g, ox, oy, tw, th);
      for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) {
        // Distance to the nearest cut edge (image edges are not cuts).
        const dx = Math.min(ox === 0 ? Infinity : x, ox + tw >= w ? Infinity : tw - 1 - x);
        const dy = Math.min(oy === 0 ? Infinity : y, oy + th >= h ? Infinity : th - 1 - y);
        const score = Math.min(dx, dy, 1e9), q = (oy + y) * w + ox + x;
        if (score > best[q]) { best[q] = score; for (let c = 0; c < 4; c++) maps[c][q] = part[c][y * tw + x]; }
      }
    }
  }
  return { width: w, height: h, background: maps[0], interior: maps[1], boundary: maps[2], distance: maps[3] };
}

/**
 * {@link predictMaps} with the micrograph resampled by `scale` first (bilinear) and the four maps
 * resampled back to its native size, so decoding and measuring stay on the native grid. `scale` 1 is
 * `predictMaps` itself. Throws on a scale outside (0, 4] or an image that would shrink below 16 px.
 */
export function predictMapsAtScale(net: ParticleNet, g: GreyImage, scale: number, opts: PredictOptions = {}): ParticleMaps {
  if (!(scale > 0 && scale <= 4)) throw new Error(`predictMapsAtScale: scale must be in (0, 4], got ${scale}`);
  if (scale === 1) return predictMaps(net, g, opts);
  const { width: w, height: h } = g;
  const W = Math.round(w * scale), H = Math.round(h * scale);
  if (W < 16 || H < 16) throw new Error(`predictMapsAtScale: ${w}x${h} at scale ${scale} is ${W}x${H}, under 16 px`);
  const m = predictMaps(net, { width: W, height: H, grey: resampleBilinear(g.grey, w, h, W, H) }, opts);
  const back = (a: Float32Array): Float32Array => resampleBilinear(a, W, H, w, h);
  return { width: w, height: h, background: back(m.background), interior: back(m.interior), boundary: back(m.boundary), distance: back(m.distance) };
}

/**
 * Particle instances of one micrograph file with a loaded model: grey at native size → maps → instances
 * by the model's decode settings (overridable). Returns labels -1 (background) / 0..count-1.
 * Throws naming the file when it cannot be decoded.
 */
export async function predictInstances(model: ParticleModel, image: string | GreyImage, decode: DecodeOptions = {}, opts: PredictOptions = {}): Promise<InstanceLabels> {
  const g = typeof image === "string" ? await readGrey(image) : image;
  const d = { ...model.manifest.decode, ...decode };
  return decodeInstances(predictMapsAtScale(model.net, g, d.scale ?? 1, opts), d);
}
