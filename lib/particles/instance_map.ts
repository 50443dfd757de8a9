import { encodeGrey16Png } from "../plots/png";
import type { InstanceLabels } from "./instances";

/** Largest instance id a 16-bit label map can hold. */
export const MAX_INSTANCE_ID = 65535;

/**
 * The id a particle has in its image's instance map and in the tables (`instanceId`): the labelling's
 * 0-based `id` + 1, so 0 stays background as in EMPS-style 16-bit segmaps.
 */
export function instanceIdOf(id: number): number {
  return id + 1;
}

/**
 * The instance labelling as a 16-bit label map, row-major: 0 = background, `instanceIdOf(id)` on
 * every pixel of instance `id`, kept and dropped instances alike (the JSON lists the dropped ones
 * with their reason). Throws when the image has more instances than 16 bits hold.
 */
export function instanceIdMap(inst: InstanceLabels): Uint16Array {
  if (inst.count > MAX_INSTANCE_ID) throw new Error(`instanceIdMap: ${inst.count} instances in one ${inst.width}x${inst.height} image do not fit a 16-bit label map (at most ${MAX_INSTANCE_ID}); raise --min-area or --h`);
  const out = new Uint16Array(inst.labels.length);
  for (let i = 0; i < out.length; i++) out[i] = inst.labels[i] < 0 ? 0 : instanceIdOf(inst.labels[i]);
  return out;
}

/** {@link instanceIdMap} encoded as a 16-bit grey PNG (read back with e.g. sharp `.raw({depth: "ushort"})`, PIL, skimage). */
export function encodeInstancePng(inst: InstanceLabels): Buffer {
  return encodeGrey16Png(inst.width, inst.height, instanceIdMap(inst));
}
