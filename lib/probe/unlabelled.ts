/**
 * Listing a folder of unlabelled images for `nanomorph suggest`: a flat folder of images, or class
 * folders whose names are ignored (so an already sorted set can be re-used as an unlabelled pool).
 */
import * as fs from "fs";
import * as path from "path";
import { isImageFile, isMaskName, IMAGE_EXTENSIONS, entryKind } from "../data/folders";

/** Side-car files that may sit beside images (dataset manifests, notes, tables) and are skipped. */
const SIDECAR = new Set([".json", ".txt", ".csv", ".md", ".yaml", ".yml"]);

/**
 * Image files directly in `dir` and in its sub-folders one level down (folder names ignored), sorted
 * by path. Hidden entries (`.x`), `_`-folders, side-car files (.json .txt .csv .md .yaml) and mask files
 * (`*_label.png` …) are skipped.
 * Throws naming the folder when it is missing or holds no image, and naming the file when a visible
 * file is not an image (so a stray `scan.pdf` or `.dm3` is not silently taken for data).
 */
export function listUnlabelledImages(dir: string, option = "--data"): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${option} ${dir} is not a directory`);
  const out: string[] = [];
  const scan = (d: string, depth: number): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".")) continue;
      const k = entryKind(d, e), p = path.join(d, e.name);
      if (k === "dir") { if (depth === 0 && !e.name.startsWith("_")) scan(p, 1); continue; }
      if (k !== "file") continue;
      if (SIDECAR.has(path.extname(e.name).toLowerCase())) continue;
      if (!isImageFile(e.name)) throw new Error(`${option}: ${p} is not an image (expected ${IMAGE_EXTENSIONS.join(", ")}); move it out of the folder`);
      if (!isMaskName(e.name)) out.push(p);
    }
  };
  scan(dir, 0);
  if (out.length === 0) throw new Error(`${option} ${dir} holds no images (expected ${IMAGE_EXTENSIONS.join(", ")}, directly or in sub-folders)`);
  return out.sort();
}
