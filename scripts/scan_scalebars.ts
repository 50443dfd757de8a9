/**
 * Read the scale bar of every image in a folder and print one JSON line per image (file, nm/px, label,
 * reader, or the refusal), to compare two versions of the reader on images without a truth table.
 * Usage: ts-node --transpile-only scripts/scan_scalebars.ts DIR > out.jsonl
 */
import * as fs from "fs";
import * as path from "path";
import { decodeImage } from "../lib/data/decode";
import { toGrey8 } from "../lib/data/scalebar/calibrate";
import { findScaleBar } from "../lib/data/scalebar/find_scale_bar";
import { createLabelReader } from "../lib/data/scalebar/read_label";

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2);
  if (!dir) throw new Error("usage: scan_scalebars.ts DIR");
  const files = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g|tiff?|bmp)$/i.test(f)).sort();
  const reader = await createLabelReader({});
  try {
    for (const f of files) {
      const img = toGrey8(await decodeImage(path.join(dir, f), { channels: "native" }));
      const r = await findScaleBar(img, { reader });
      console.log(JSON.stringify(r.found
        ? { file: f, nmPerPx: r.nmPerPx, label: r.labelText, lengthPx: r.lengthPx, readBy: r.readBy }
        : { file: f, nmPerPx: null, reason: r.reason.slice(0, 300) }));
    }
  } finally {
    await reader.terminate();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
