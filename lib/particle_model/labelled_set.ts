import * as path from "path";
import { decodeImage } from "../data/decode";
import { readGrey } from "../particles/grey_image";
import { listClassedImages, pairMasks } from "../particles/files";
import { instanceTargets, instancesFromLabelImage, type InstanceTargets } from "./targets";
import type { InstanceLabels } from "../particles/instances";

/** One labelled micrograph held in memory: grey as uint8 (0..255) and its {@link InstanceTargets}. */
export interface LabelledImage {
  id: string;
  file: string;
  width: number;
  height: number;
  grey: Uint8Array;
  targets: InstanceTargets;
}

/** Read a label image (instance map or binary mask, see `instancesFromLabelImage`). Throws naming the file. */
export async function readLabelImage(file: string): Promise<InstanceLabels> {
  const img = await decodeImage(file, { channels: "native" });
  const c = img.channels;
  const v = c === 1 ? img.data : Array.from({ length: img.width * img.height }, (_, i) => img.data[i * c]);
  return instancesFromLabelImage(v, img.width, img.height);
}

/**
 * Load pairs of images and label images (instance maps or binary masks). Throws naming an image whose
 * label image has another size.
 */
export async function loadLabelledPairs(pairs: ReadonlyArray<{ id: string; image: string; labels: string }>): Promise<LabelledImage[]> {
  const out: LabelledImage[] = [];
  for (const p of pairs) {
    const g = await readGrey(p.image);
    const inst = await readLabelImage(p.labels);
    if (inst.width !== g.width || inst.height !== g.height) {
      throw new Error(`label image ${p.labels} is ${inst.width}x${inst.height} but image ${p.image} is ${g.width}x${g.height}`);
    }
    const grey = new Uint8Array(g.grey.length);
    for (let i = 0; i < grey.length; i++) grey[i] = Math.round(255 * g.grey[i]);
    out.push({ id: p.id, file: p.image, width: g.width, height: g.height, grey, targets: instanceTargets(inst) });
  }
  return out;
}

/**
 * Pair every image under `imagesDir` with its label image under `labelsDir` (same name rules as
 * `--masks`: x.png, x_mask.png, x_label.png). Throws naming the first image without labels.
 */
export function pairLabelFolders(imagesDir: string, labelsDir: string): Array<{ id: string; image: string; labels: string }> {
  const images = listClassedImages(imagesDir).map((i) => i.file);
  const labels = pairMasks(images, labelsDir);
  return images.map((image, i) => ({ id: path.basename(image).replace(/\.[^.]+$/, ""), image, labels: labels[i] }));
}
