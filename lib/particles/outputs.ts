import * as path from "path";
import sharp from "sharp";
import { writeFileAtomic } from "../util/fsx";
import { readGrey } from "./grey_image";
import type { ImageParticles } from "./image_particles";
import { encodeInstancePng } from "./instance_map";
import { renderParticleOverlay, type OverlayOptions } from "./overlay";
import { particlesHtml } from "./html_report";
import type { ImageRecord, ParticlesSummary } from "./records";

/** Per-image files of `particles --out`, relative to the output folder. */
export interface ImageOutputNames {
  /** 16-bit instance map (`instanceIdMap`). */
  instances: string;
  /** Outlines and ids over the micrograph (`renderParticleOverlay`). */
  overlay: string;
}

/**
 * Output names for images given relative to the analysed folder: `<sub-folders>/<stem>_instances.png`
 * and `<sub-folders>/<stem>_overlay.png` (class sub-folders kept, so equal names in two classes do not
 * collide); images that would share a stem in one folder (`x.png` and `x.jpg`) keep their extension
 * in it (`x.png_overlay.png`). Forward slashes whatever the platform.
 */
export function imageOutputNames(relFiles: readonly string[]): ImageOutputNames[] {
  const stemOf = (f: string): string => f.replace(/\\/g, "/").replace(/\.[^./]*$/, "");
  const counts = new Map<string, number>();
  for (const f of relFiles) counts.set(stemOf(f), (counts.get(stemOf(f)) ?? 0) + 1);
  return relFiles.map((f) => {
    const s = counts.get(stemOf(f))! > 1 ? f.replace(/\\/g, "/") : stemOf(f);
    return { instances: `${s}_instances.png`, overlay: `${s}_overlay.png` };
  });
}

/** Options of {@link writeCheckOutputs}. */
export interface CheckOutputOptions extends OverlayOptions {
  /** Thumbnail width in the HTML page, px. Default 260. */
  thumbnailWidth?: number;
  /** Page title. Default "nanomorph particles". */
  title?: string;
  /** Run settings shown at the end of the page. */
  settings?: unknown;
  /** Files skipped as unreadable, listed at the top of the page. */
  skipped?: ReadonlyArray<{ file: string; reason: string }>;
}

/**
 * Write what a user checks by eye into `outDir`: per image its instance map and overlay (at the names
 * in `records[i].outputs`), then `particles.html` (self-contained; thumbnails of the overlays, the
 * histogram per class, the particle table). `analysed[i]` and `records[i]` describe the same image.
 * Each micrograph is decoded again for its overlay. Throws naming an image whose record has no
 * `outputs`, whose size changed, or a file that cannot be written.
 */
export async function writeCheckOutputs(outDir: string, analysed: readonly ImageParticles[], records: readonly ImageRecord[],
  summary: ParticlesSummary, opts: CheckOutputOptions = {}): Promise<void> {
  if (analysed.length !== records.length) throw new Error(`writeCheckOutputs: ${analysed.length} analysed images but ${records.length} records`);
  const thumbW = opts.thumbnailWidth ?? 260;
  const thumbnails: Record<string, string> = {};
  for (let i = 0; i < analysed.length; i++) {
    const a = analysed[i], r = records[i];
    if (!r.outputs) throw new Error(`writeCheckOutputs: the record of ${r.file} has no output names (imageOutputNames)`);
    const grey = await readGrey(a.file);
    if (grey.width !== a.width || grey.height !== a.height) throw new Error(`writeCheckOutputs: ${a.file} is now ${grey.width}x${grey.height}, it was analysed at ${a.width}x${a.height}`);
    writeFileAtomic(path.join(outDir, r.outputs.instances), encodeInstancePng(a.extracted.instances));
    const ov = renderParticleOverlay(grey, a.extracted, a.exclude ?? [], opts);
    const raw = (): ReturnType<typeof sharp> => sharp(Buffer.from(ov.image.data.buffer, ov.image.data.byteOffset, ov.image.data.byteLength), { raw: { width: a.width, height: a.height, channels: 3 } });
    writeFileAtomic(path.join(outDir, r.outputs.overlay), await raw().png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer());
    const thumb = await raw().resize({ width: Math.min(thumbW, a.width) }).png().toBuffer();
    thumbnails[r.file] = `data:image/png;base64,${thumb.toString("base64")}`;
  }
  writeFileAtomic(path.join(outDir, "particles.html"), particlesHtml({ title: opts.title, images: records, summary, thumbnails, settings: opts.settings, skipped: opts.skipped }));
}
