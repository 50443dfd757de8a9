import * as fs from "fs";
import { createHash } from "crypto";
import * as path from "path";
import type { Encoder } from "../models/encoder";
import { cachedDir } from "../util/stage_cache";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../util/fsx";
import { segmentationSweep, type SegData, type SegRunPredictions, type SegRunRecord, type SegSweepConfig } from "./sweep";

/** Result of {@link cachedSegmentationSweep}. */
export interface CachedSegSweep {
  rows: SegRunRecord[];
  /** Predictions of the last run of split `overlaySeed` (for overlay figures), or null. */
  overlay: SegRunPredictions | null;
  /** True when read back from the stage cache (no training happened). */
  hit: boolean;
}

/**
 * `segmentationSweep` through the stage cache ("seg-sweep"), keyed by the encoder's identity, the
 * image file names, a digest of the image and mask pixels (two folders may use the same names) and
 * the sweep config: a second run with the same inputs reads the scores and the
 * overlay predictions back without loading the encoder or training. `loadEncoder` is called only
 * on a miss, and the encoder it returns is disposed here.
 */
export async function cachedSegmentationSweep(
  encoderKey: unknown, loadEncoder: () => Promise<Encoder>, data: SegData, cfg: Omit<SegSweepConfig, "onPredictions" | "onRun">, overlaySeed: number,
): Promise<CachedSegSweep> {
  const bytes = (t: SegData["images"]): Buffer => { const a = t.dataSync() as Float32Array; return Buffer.from(a.buffer, a.byteOffset, a.byteLength); };
  const pixels = createHash("sha256").update(bytes(data.images)).update(bytes(data.masks)).digest("hex");
  const key = { encoder: encoderKey, files: data.files, labels: data.labels, size: data.images.shape.slice(1), pixels, cfg, overlaySeed };
  const r = await cachedDir("seg-sweep", key, async (dir) => {
    const encoder = await loadEncoder();
    let overlay: SegRunPredictions | null = null;
    try {
      const rows = segmentationSweep(encoder, data, { ...cfg, onPredictions: (p) => { if (p.splitSeed === overlaySeed) overlay = p; } });
      writeJsonAtomic(path.join(dir, "rows.json"), rows);
      const o = overlay as SegRunPredictions | null;
      if (o) {
        writeJsonAtomic(path.join(dir, "overlay.json"), { splitSeed: o.splitSeed, n: o.n, test: o.test, height: o.height, width: o.width });
        writeFileAtomic(path.join(dir, "overlay.f32"), new Uint8Array(o.probs.buffer, o.probs.byteOffset, o.probs.byteLength));
      }
    } finally {
      encoder.dispose();
    }
  });
  const rows = readJson<SegRunRecord[]>(path.join(r.value, "rows.json"));
  let overlay: SegRunPredictions | null = null;
  if (fs.existsSync(path.join(r.value, "overlay.json"))) {
    const meta = readJson<Omit<SegRunPredictions, "probs">>(path.join(r.value, "overlay.json"));
    const buf = fs.readFileSync(path.join(r.value, "overlay.f32"));
    const probs = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (probs.length !== meta.test.length * meta.height * meta.width) {
      throw new Error(`cachedSegmentationSweep: ${r.value}/overlay.f32 holds ${probs.length} values, expected ${meta.test.length}·${meta.height}·${meta.width}`);
    }
    overlay = { ...meta, probs };
  }
  return { rows, overlay, hit: r.hit };
}
