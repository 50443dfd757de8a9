import * as fs from "fs";
import * as path from "path";
import { readGrey, type GreyImage } from "../lib/particles/grey_image";
import { readLabelImage } from "../lib/particle_model/labelled_set";
import type { InstanceLabels } from "../lib/particles/instances";

/** The EMPS training folder (images/, segmaps/): NANOMORPH_EMPS_DIR, else the shared data beside the checkout. */
export const EMPS_DIR = process.env.NANOMORPH_EMPS_DIR ?? path.join(__dirname, "..", "..", "shared", "data", "emps-train");

/**
 * The EMPS images of one part of the bundled model's split (every `every`-th id), each with its true
 * instance map, read one at a time. Skips the calling test, printing why, when EMPS is absent.
 */
export async function* empsPart(ctx: Mocha.Context, part: string, every = 1): AsyncGenerator<{ id: string; grey: GreyImage; truth: InstanceLabels }> {
  if (!fs.existsSync(path.join(EMPS_DIR, "segmaps"))) { console.log(`      (skipped: no EMPS images/ and segmaps/ in ${EMPS_DIR}; set NANOMORPH_EMPS_DIR)`); ctx.skip(); }
  const split = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "models", "particles-emps", "split.json"), "utf8")) as Record<string, string[]>;
  if (!split[part]) throw new Error(`the split has no part "${part}"`);
  for (const id of split[part].filter((_, i) => i % every === 0)) {
    yield { id, grey: await readGrey(path.join(EMPS_DIR, "images", `${id}.jpg`)), truth: await readLabelImage(path.join(EMPS_DIR, "segmaps", `${id}.png`)) };
  }
}
