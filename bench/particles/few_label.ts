/**
 * Few-label fine-tuning on one held-out EMPS look-alike group (`source` in split.json, never trained on
 * by the bundled model): its images are shuffled with a seeded Rng; the first 20 are the labelled pool,
 * the rest the test images. For k = 0, 5, 10, 20 the bundled model is fine-tuned on the first k of the
 * pool (what `nanomorph particles train --init bundled --steps S --crop 128` does) and scored on the test images.
 *
 * usage: npx ts-node --transpile-only bench/particles/few_label.ts EMPS_DIR OUT_JSON [STEPS=60] [K=0,5,10,20]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initBackend } from "../../lib/backend/index";
import { loadParticleModel, bundledModelDir } from "../../lib/particle_model/load";
import { loadLabelledPairs } from "../../lib/particle_model/labelled_set";
import { trainParticleModel } from "../../lib/particle_model/train";
import { readModelFolder, modelFromFolder } from "../../lib/particle_model/model_file";
import { evaluatePredictor, modelPredictor, otsuPredictor, type LabelledPair } from "../../lib/particle_model/evaluate";
import { readJson, writeJsonAtomic } from "../../lib/util/fsx";
import { Rng } from "../../lib/util/rng";

async function main(): Promise<void> {
  const [emps, outJson, stepsArg, ksArg] = process.argv.slice(2);
  if (!emps || !outJson) throw new Error("usage: few_label.ts EMPS_DIR OUT_JSON [STEPS] [K,K,...]");
  const steps = Number(stepsArg ?? 60);
  const ks = (ksArg ?? "0,5,10,20").split(",").map(Number);
  await initBackend();
  const split = readJson<Record<string, string[]>>(path.join(bundledModelDir(), "split.json"));
  const ids = new Rng(0).fork("few-label").shuffle(split.source.slice());
  const pair = (id: string): LabelledPair => ({ id, image: path.join(emps, "images", `${id}.jpg`), labels: path.join(emps, "segmaps", `${id}.png`) });
  const pool = ids.slice(0, 20).map(pair), test = ids.slice(20).map(pair);
  const bundled = loadParticleModel("bundled");
  const rows: Array<Record<string, unknown>> = [];
  rows.push({ labelled: "otsu", ...(await evaluatePredictor(test, otsuPredictor, { label: "otsu" })).summary });
  for (const k of ks) {
    let model = bundled;
    let dir: string | null = null;
    if (k > 0) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `nm-few-${k}-`));
      const set = await loadLabelledPairs(pool.slice(0, k));
      await trainParticleModel(set, dir, { init: bundled, steps, learningRate: 3e-4, crop: { size: 128 }, seed: 0, label: `fine-tune k=${k}` });
      model = modelFromFolder(readModelFolder(dir));
    }
    const r = await evaluatePredictor(test, modelPredictor(model), { label: `k=${k}` });
    rows.push({ labelled: k, steps: k ? steps : 0, ...r.summary });
    console.error(JSON.stringify(rows[rows.length - 1]));
    if (model !== bundled) model.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  bundled.dispose();
  writeJsonAtomic(outJson, { pool: pool.map((p) => p.id), test: test.map((p) => p.id), steps, rows });
  console.log(JSON.stringify(rows, null, 1));
}

main().catch((e) => { console.error(e); process.exit(1); });
