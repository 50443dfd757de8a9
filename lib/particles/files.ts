import * as fs from "fs";
import * as path from "path";
import { isImageFile, pairKey } from "../data/folders";
import { walkFiles } from "../util/walk";

/** A micrograph to analyse and its class (the top-level sub-folder it sits in; "" when directly in the folder). */
export interface ClassedImage {
  file: string;
  class: string;
}

/**
 * Every image under `dir` (recursively; folders starting with `_` or `.` skipped), sorted, each with
 * its class = the first folder below `dir` ("" for images directly in `dir`). Throws naming `dir` when
 * it is not a folder or holds no image.
 */
export function listClassedImages(dir: string): ClassedImage[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder of images`);
  // Links to images and to folders are followed; a loop is refused naming the link (util/walk).
  const out: ClassedImage[] = walkFiles(dir, { skipDir: (n) => n.startsWith("_") || n.startsWith("."), keepFile: isImageFile }).map((p) => {
    const rel = path.relative(dir, p).split(path.sep);
    return { file: p, class: rel.length > 1 ? rel[0] : "" };
  });
  if (!out.length) throw new Error(`${dir} holds no image files (${[".png", ".jpg", ".tif", "…"].join(", ")})`);
  return out;
}

/** The pairing key of a mask: `pairKey` (drops _label/_mask/_gt) and also the `_pred` of `nanomorph segment` output. */
export function maskKey(file: string): string {
  return pairKey(file).replace(/_pred$/i, "");
}

/**
 * The mask of each image, found anywhere under `masksDir` by name (`x.jpg` ↔ `x.png`, `x_mask.png`,
 * `x_label.png`, `x_pred.png`). Throws naming the first image without a mask (and how many lack one),
 * or two masks with the same key.
 */
export function pairMasks(images: readonly string[], masksDir: string): string[] {
  if (!fs.existsSync(masksDir) || !fs.statSync(masksDir).isDirectory()) throw new Error(`--masks ${masksDir} is not a folder`);
  const index = new Map<string, string>();
  for (const p of walkFiles(masksDir, { skipDir: (n) => n.startsWith("."), keepFile: isImageFile })) {
    const k = maskKey(p);
    if (index.has(k)) throw new Error(`masks ${index.get(k)} and ${p} both pair with images named '${k}'`);
    index.set(k, p);
  }
  const missing = images.filter((f) => !index.has(pairKey(f)));
  if (missing.length) throw new Error(`no mask in ${masksDir} for ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more images)` : ""}: name masks like the image (x.png, x_mask.png, x_pred.png)`);
  return images.map((f) => index.get(pairKey(f))!);
}
