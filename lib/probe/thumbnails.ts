/**
 * Small RGB thumbnails of image files as RawImage (for t-SNE figures), via lib/data's loader.
 */
import { loadImages } from "../data/images";
import type { RawImage } from "../plots/png";

/** Thumbnails of `files` at `size`×`size` px (float RGB in [0,1]). Throws naming an unreadable file. */
export async function loadThumbnails(files: string[], size = 48): Promise<RawImage[]> {
  if (files.length === 0) return [];
  const x = await loadImages(files, size, { progressAbove: Infinity });
  try {
    const data = x.dataSync() as Float32Array;
    const per = size * size * 3;
    return files.map((_, i) => ({ width: size, height: size, channels: 3 as const, data: data.slice(i * per, (i + 1) * per) }));
  } finally {
    x.dispose();
  }
}
