import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { loadParticleModel, bundledModelDir } from "../lib/particle_model/load";
import { evaluatePredictor, modelPredictor, otsuPredictor } from "../lib/particle_model/evaluate";
import { readJson } from "../lib/util/fsx";

const EMPS = path.join(__dirname, "..", "..", "shared", "data", "emps-train");

describe("particle_model: the bundled model on held-out real EMPS images", function () {
  this.timeout(600000);
  const present = fs.existsSync(path.join(EMPS, "segmaps"));
  before(async function () {
    if (!present) { console.log(`      (skipped: ${EMPS} is absent)`); this.skip(); }
    await initBackend();
  });

  it("loads with its sha256 checked, names its training data and held-out split", () => {
    const m = loadParticleModel("bundled");
    try {
      assert.equal(m.dir, bundledModelDir());
      assert.ok(m.manifest.training.command && String(m.manifest.training.command).includes("particles train"));
      const split = readJson<Record<string, string[]>>(path.join(bundledModelDir(), "split.json"));
      const trained = new Set((m.manifest.training.data as { ids: string[] }).ids);
      for (const part of ["validation", "tune", "source"]) for (const id of split[part]) assert.ok(!trained.has(id), `${part} image ${id} was trained on`);
    } finally {
      m.dispose();
    }
  });

  it("beats Otsu + watershed in F1 at IoU ≥ 0.5 on 4 validation images, without leaking tensors", async () => {
    const split = readJson<Record<string, string[]>>(path.join(bundledModelDir(), "split.json"));
    // every 16th validation id: 4 images spread over the sorted list
    const ids = split.validation.filter((_, i) => i % 16 === 0).slice(0, 4);
    const pairs = ids.map((id) => ({ id, image: path.join(EMPS, "images", `${id}.jpg`), labels: path.join(EMPS, "segmaps", `${id}.png`) }));
    const m = loadParticleModel("bundled");
    const before = tf.memory().numTensors;
    const ours = await evaluatePredictor(pairs, modelPredictor(m), { progress: false });
    assert.equal(tf.memory().numTensors, before);
    m.dispose();
    const otsu = await evaluatePredictor(pairs, otsuPredictor, { progress: false });
    assert.ok(ours.summary.f1 > otsu.summary.f1, `model F1 ${ours.summary.f1.toFixed(3)} vs Otsu ${otsu.summary.f1.toFixed(3)}`);
    assert.ok(ours.summary.medianDice > otsu.summary.medianDice - 0.02, `Dice ${ours.summary.medianDice} vs Otsu ${otsu.summary.medianDice}`);
  });
});
