import { decodeImage } from "../data/decode";

/** Grey values of a micrograph at native size: row-major, in [0,1] (colour averaged). */
export interface GreyImage {
  width: number;
  height: number;
  grey: Float32Array;
  /** Pixels with no value (NaN/Inf in a float file; 1 = missing), absent when none: never foreground. */
  missing?: Uint8Array;
}

/** Decode an image file to grey at native size. Throws `ImageDecodeError` naming the file. */
export async function readGrey(file: string): Promise<GreyImage> {
  const img = await decodeImage(file, { channels: "native" });
  const full = img.depth === 16 ? 65535 : 255;
  const n = img.width * img.height, c = img.channels;
  const grey = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += img.data[i * c + k];
    grey[i] = s / (c * full);
  }
  if (img.missing) {
    // Missing pixels get the mean of the others, so they pull neither the threshold nor the smoothing.
    let sum = 0, k = 0;
    for (let i = 0; i < n; i++) if (!img.missing[i]) { sum += grey[i]; k++; }
    const fill = k ? sum / k : 0;
    for (let i = 0; i < n; i++) if (img.missing[i]) grey[i] = fill;
    return { width: img.width, height: img.height, grey, missing: img.missing };
  }
  return { width: img.width, height: img.height, grey };
}
