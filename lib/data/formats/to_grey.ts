/**
 * Map a microscope image's native samples to the 8/16-bit grey that the loaders use. uint8 stays
 * 8-bit and uint16 stays 16-bit (values unchanged); every other type (int8/16/32, uint32, float32/64)
 * has no fixed full scale and is stretched per image, min → 0 and max → 65535, as float TIFFs are in
 * lib/data/decode.ts. Non-finite samples map to 0; a constant image maps to 0.
 */
import { MicroscopeImage } from "./types";

/** 8/16-bit grey samples, row-major, one channel. */
export interface GreyImage {
  data: Uint8Array | Uint16Array;
  depth: 8 | 16;
}

/** Grey samples of `m` (see the module comment). Never throws. */
export function microscopeToGrey(m: MicroscopeImage): GreyImage {
  const d = m.data;
  if (d instanceof Uint8Array) return { data: d, depth: 8 };
  if (d instanceof Uint16Array) return { data: d, depth: 16 };
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Uint16Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    out[i] = Number.isFinite(v) && hi >= lo ? Math.round(((v - lo) / span) * 65535) : 0;
  }
  return { data: out, depth: 16 };
}
