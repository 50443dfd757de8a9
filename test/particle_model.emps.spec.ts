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

  it("finds the particles of 4 validation images to the measured level, without leaking tensors", async () => {
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
    console.log(`      bundled F1 ${ours.summary.f1.toFixed(3)}, Dice ${ours.summary.medianDice.toFixed(3)}; Otsu F1 ${otsu.summary.f1.toFixed(3)}, Dice ${otsu.summary.medianDice.toFixed(3)}`);
    // Floors at about 2/3 of what the shipped weights measured on these images (F1 0.144, Dice 0.710 on the wasm backend):
    // a regression guard. Issue 23's goal (beating Otsu's F1 here) is NOT met by these weights; see the README.
    assert.ok(ours.summary.f1 >= 0.09, `model F1 ${ours.summary.f1}`);
    assert.ok(ours.summary.medianDice >= 0.47, `model Dice ${ours.summary.medianDice}`);
  });
});
