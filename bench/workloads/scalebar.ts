/**
 * `scalebar-2048`: calibration from a burnt-in scale bar on a 2048×2048 JPEG export laid out like the
 * JEOL TEM exports of issue 22 (solid black bar bottom right, 491×28 px, label `100.0nm` left of it):
 * find the bar candidates, locate the text lines beside them and read those lines, the template reader
 * first (fast_label.ts), tesseract only when it is not sure (one worker, created once in setup and reused,
 * as `particles` does; on this image it must never start: setup checks the template reader decided).
 * The image is decoded once, untimed. Warm-up 10 runs: the steady state of a folder run, where the engine
 * has optimised the scan loops (measured: the first call in a process costs ~200 ms, the next ~8 calls
 * 20–60 ms while the engine tiers up, then ~10–15 ms).
 * Peer: decoding the very same file with `decodeImage` (bench/peers/decode_image.ts), so the ratio is
 * calibration / decode; issue 22's target is ≤ 0.5.
 */
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import type { Workload, WorkloadRunner } from "../workload";
import { cacheDir } from "../../lib/util/paths";
import { writeFileAtomic } from "../../lib/util/fsx";
import { Rng } from "../../lib/util/rng";
import { decodeImage } from "../../lib/data/decode";
import { toGrey8 } from "../../lib/data/scalebar/calibrate";
import { findScaleBar } from "../../lib/data/scalebar/find_scale_bar";
import { createLabelReader } from "../../lib/data/scalebar/read_label";

const SIZE = 2048;

/**
 * The bench image (written once to cacheDir("bench", "scalebar")): grey 170 with noise ±25 and 300 dark
 * particles 110 levels darker, as noisy (seed 22), the bar and its label drawn in black; 8-bit grey JPEG,
 * quality 90. Returns its path.
 */
export async function benchScaleBarImage(): Promise<string> {
  const file = path.join(cacheDir("bench", "scalebar"), "jeol_2048_v2.jpg");
  if (fs.existsSync(file)) return file;
  const rng = new Rng(22);
  const px = Buffer.alloc(SIZE * SIZE);
  for (let i = 0; i < px.length; i++) px[i] = 170 + Math.round(rng.uniform(-25, 25));
  for (let k = 0; k < 300; k++) {
    const cx = rng.uniform(0, SIZE), cy = rng.uniform(0, SIZE - 200), r = rng.uniform(8, 40);
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(SIZE, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(SIZE, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) px[y * SIZE + x] = px[y * SIZE + x] - 110;
      }
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}">` +
    `<rect x="1334" y="1990" width="491" height="28" fill="black"/>` +
    `<text x="1310" y="2022" font-family="DejaVu Sans" font-size="44" text-anchor="end" fill="black">100.0nm</text></svg>`;
  const jpg = await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 1 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).toColourspace("b-w").jpeg({ quality: 90 }).toBuffer();
  writeFileAtomic(file, jpg);
  return file;
}

export const workloads: Workload[] = [
  {
    name: "scalebar-2048",
    description: "scale-bar calibration (bars, text lines, template reader / OCR of the lines) of a 2048² JEOL-style JPEG; peer: decoding it",
    warmup: 10,
    async setup(): Promise<WorkloadRunner> {
      const file = await benchScaleBarImage();
      const img = toGrey8(await decodeImage(file, { channels: "native" }));
      const reader = await createLabelReader();
      // Check once, untimed, that the workload measures a successful read (a refusal would be cheaper).
      const r = await findScaleBar(img, { reader });
      if (!r.found || Math.abs(r.nmPerPx - 100 / 491) / (100 / 491) > 0.02 || r.readBy !== "templates") {
        await reader.terminate();
        throw new Error(`scalebar-2048: the bench image's bar was not read right by the template reader (${r.found ? `${r.nmPerPx} nm/px by ${r.readBy}` : r.reason})`);
      }
      return {
        async run() { await findScaleBar(img, { reader }); },
        dispose() { void reader.terminate(); },
      };
    },
    peer: {
      name: "decodeImage-same-file",
      command: [process.execPath, "-r", "ts-node/register/transpile-only", "bench/peers/decode_image.ts"],
    },
  },
];
