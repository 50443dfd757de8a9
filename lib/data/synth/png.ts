import sharp from "sharp";

/** Encode an 8-bit grey image (row-major) as a 1-channel PNG. Deterministic for the same pixels. */
export async function encodeGreyPng(pixels: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace("b-w")
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** Encode an 8-bit RGB image (row-major, interleaved) as a PNG. */
export async function encodeRgbPng(pixels: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 3 } })
    .toColourspace("srgb")
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/**
 * The paper's mask format: the grey image as RGB with nanowire pixels painted green (0, 255, 0),
 * so a pixel is nanowire exactly where G ≠ B (grey pixels have G = B).
 */
export function paperLabelRgb(image: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(image.length * 3);
  for (let i = 0; i < image.length; i++) {
    if (mask[i]) {
      out[3 * i] = 0;
      out[3 * i + 1] = 255;
      out[3 * i + 2] = 0;
    } else {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = image[i];
    }
  }
  return out;
}

/** A 0/1 mask as 0/255 grey pixels. */
export function binaryMaskPixels(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 255 : 0;
  return out;
}
