/**
 * Peer of bench/workloads/scalebar.ts: times `decodeImage` of the same 2048² JPEG (native channels, as
 * readScaleBar decodes it). Args `--repeats K --warmup W`; prints one JSON line `{"ms": median}`.
 */
import { parseArgs } from "util";
import { decodeImage } from "../../lib/data/decode";
import { benchScaleBarImage } from "../workloads/scalebar";

(async () => {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { repeats: { type: "string" }, warmup: { type: "string" } } });
  const repeats = Number(values.repeats ?? 5), warmup = Number(values.warmup ?? 2);
  const file = await benchScaleBarImage();
  const ms: number[] = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const t0 = process.hrtime.bigint();
    await decodeImage(file, { channels: "native" });
    if (i >= warmup) ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(JSON.stringify({ ms: ms[ms.length >> 1], file: "jeol_2048_v2.jpg (2048² grey JPEG q90)" }));
})().catch((e) => { console.error(e); process.exit(1); });
