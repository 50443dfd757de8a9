import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { instanceTargets } from "../lib/particle_model/targets";
import { instancesFromLabelMap } from "../lib/particles/instances";
import type { LabelledImage } from "../lib/particle_model/labelled_set";
import { trainParticleModel } from "../lib/particle_model/train";
import { readModelFolder, modelFromFolder, writeModelFolder } from "../lib/particle_model/model_file";
import { predictMaps, predictMapsAtScale, overlapOrigins } from "../lib/particle_model/predict";
import { Adam } from "../lib/nn/adam";
import { ParamStore } from "../lib/nn/params";
import { clearInterrupt } from "../lib/util/interrupt";
import { InterruptedError } from "../lib/util/interrupt";

/** A 48×48 synthetic micrograph: dark discs (two of them touching) on a light background, with its instance map. */
function synthetic(id: string, shift: number): LabelledImage {
  const w = 48, h = 48, grey = new Uint8Array(w * h).fill(200), ids = new Uint16Array(w * h);
  const discs: Array<[number, number, number]> = [[14 + shift, 16, 7], [27 + shift, 16, 7], [24, 36, 6]];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    discs.forEach(([cx, cy, r], k) => { if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r && !ids[y * w + x]) { ids[y * w + x] = k + 1; grey[y * w + x] = 60; } });
  }
  return { id, file: `${id}.png`, width: w, height: h, grey, targets: instanceTargets(instancesFromLabelMap(ids, w, h)) };
}

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "nm-pmodel-"));
const TINY = { steps: 4, batchSize: 2, crop: { size: 32 }, net: { widths: [4, 8] }, checkpointEvery: 2, seed: 3 };

describe("particle_model/train", function () {
  this.timeout(300000);
  before(async () => { await initBackend(); });
  const set = [synthetic("a", 0), synthetic("b", 3)];

  it("fine-tuning (init) keeps batch-norm statistics by default; freezeNorm: false re-estimates them", async () => {
    const base = tmp();
    await trainParticleModel(set, base, TINY);
    const init = modelFromFolder(readModelFolder(base));
    const stats = (dir: string): number[] => {
      const f = readModelFolder(dir);
      return [...f.values.entries()].filter(([k]) => /bn\/moving_(mean|var)$/.test(k)).flatMap(([, v]) => Array.from(v.data));
    };
    const frozen = tmp(), free = tmp();
    // A darker set, so re-estimated statistics would move.
    const dark = set.map((im) => ({ ...im, grey: im.grey.map((v) => Math.round(v / 3)) }));
    await trainParticleModel(dark, frozen, { ...TINY, steps: 2, init });
    await trainParticleModel(dark, free, { ...TINY, steps: 2, init, freezeNorm: false });
    init.dispose();
    assert.deepEqual(stats(frozen), stats(base), "frozen: the generalist's statistics are kept");
    assert.notDeepEqual(stats(free), stats(base), "not frozen: the statistics follow the new crops");
    assert.equal(readModelFolder(frozen).manifest.training.freezeNorm, true);
    // The scale and shift still learn when frozen.
    const affine = (dir: string): number[] => [...readModelFolder(dir).values.entries()].filter(([k]) => /bn\/(gamma|beta)$/.test(k)).flatMap(([, v]) => Array.from(v.data));
    assert.notDeepEqual(affine(frozen), affine(base));
  });

  it("trains with a flat tensor count and writes a model whose sha256 the reader checks", async () => {
    const dir = tmp();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = await trainParticleModel(set, dir, { ...TINY, onStep: () => counts.push(tf.memory().numTensors) });
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    assert.equal(new Set(counts).size, 1, `tensor count per step: ${counts}`);
    assert.equal(r.steps, 4);
    assert.ok(!fs.existsSync(path.join(dir, "checkpoint")), "the checkpoint is removed once the model is written");
    const folder = readModelFolder(dir);
    assert.equal(folder.manifest.step, 4);
    assert.deepEqual(folder.manifest.arch.widths, [4, 8]);
    const m = modelFromFolder(folder);
    const maps = predictMaps(m.net, { width: 40, height: 37, grey: new Float32Array(40 * 37).fill(0.5) });
    assert.equal(maps.background.length, 40 * 37);
    for (let i = 0; i < 40 * 37; i++) assert.ok(Math.abs(maps.background[i] + maps.interior[i] + maps.boundary[i] - 1) < 1e-4);
    // At half scale the network sees 20×19 px; the maps come back on the native 40×37 grid (bilinear keeps the sum).
    const half = predictMapsAtScale(m.net, { width: 40, height: 37, grey: new Float32Array(40 * 37).fill(0.5) }, 0.5);
    assert.deepEqual([half.width, half.height, half.distance.length], [40, 37, 40 * 37]);
    for (let i = 0; i < 40 * 37; i++) assert.ok(Math.abs(half.background[i] + half.interior[i] + half.boundary[i] - 1) < 1e-4);
    assert.throws(() => predictMapsAtScale(m.net, { width: 40, height: 37, grey: new Float32Array(40 * 37) }, 0.2), /under 16 px/);
    m.dispose();
    const wfile = path.join(dir, folder.manifest.weightsFile);
    const bytes = fs.readFileSync(wfile);
    bytes[10] ^= 1;
    fs.writeFileSync(wfile, bytes);
    assert.throws(() => readModelFolder(dir), /sha256 .* does not match/);
    assert.throws(() => readModelFolder(tmp()), /no manifest.json/);
  });

  it("stops on SIGINT with a checkpoint and resumes to the weights of an uninterrupted run", async () => {
    const straight = tmp(), cut = tmp();
    await trainParticleModel(set, straight, TINY);
    let err: unknown;
    try {
      await trainParticleModel(set, cut, { ...TINY, onStep: (s) => { if (s === 1) process.emit("SIGINT", "SIGINT"); } });
    } catch (e) { err = e; } finally { clearInterrupt(); }
    assert.ok(err instanceof InterruptedError, `expected InterruptedError, got ${err}`);
    assert.equal(readModelFolder(path.join(cut, "checkpoint")).manifest.step, 1);
    const r = await trainParticleModel(set, cut, TINY);
    assert.equal(r.resumedFrom, 1);
    const a = readModelFolder(straight), b = readModelFolder(cut);
    for (const [k, v] of a.values) {
      const u = b.values.get(k)!;
      let worst = 0;
      for (let i = 0; i < v.data.length; i++) worst = Math.max(worst, Math.abs(v.data[i] - u.data[i]));
      assert.ok(worst < 1e-4, `${k} differs by ${worst}`);
    }
  });

  it("a SIGHUP (closed terminal) also stops it with a checkpoint, exit code 129", async () => {
    const dir = tmp();
    let err: unknown;
    try {
      await trainParticleModel(set, dir, { ...TINY, onStep: (s) => { if (s === 2) process.emit("SIGHUP", "SIGHUP"); } });
    } catch (e) { err = e; } finally { clearInterrupt(); }
    assert.ok(err instanceof InterruptedError && err.exitCode === 129, `got ${err}`);
    assert.equal(readModelFolder(path.join(dir, "checkpoint")).manifest.step, 2);
  });

  it("refuses bad options naming them", async () => {
    await assert.rejects(trainParticleModel([], tmp(), TINY), /no labelled images/);
    await assert.rejects(trainParticleModel(set, tmp(), { ...TINY, crop: { size: 31 } }), /crop size 31 must be a multiple of 2/);
    await assert.rejects(trainParticleModel(set, tmp(), { ...TINY, steps: 0 }), /steps must be a positive integer/);
  });
});

describe("nn/adam", () => {
  it("matches tfjs's AdamOptimizer over three steps (oracle: tf.train.adam, same defaults)", () => {
    const w0 = [0.5, -1, 2];
    const grads = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.1, 0.2]];
    const store = new ParamStore("t");
    const v = store.add("w", tf.tensor1d(w0));
    const adam = new Adam(new Map([["w", v]]));
    const ref = tf.variable(tf.tensor1d(w0));
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      adam.apply(new Map([["w", gt]]), 0.01);
      opt.applyGradients([{ name: ref.name, tensor: gt }]);
      gt.dispose();
    }
    const a = v.dataSync(), b = ref.dataSync();
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `w[${i}] ${a[i]} vs ${b[i]}`);
    assert.equal(adam.step, 3);
    adam.dispose(); store.dispose(); ref.dispose(); opt.dispose();
  });

  it("writeModelFolder and the tiling helper behave at the edges", () => {
    assert.deepEqual(overlapOrigins(100, 100, 10), [0]);
    assert.deepEqual(overlapOrigins(250, 100, 20), [0, 80, 150]);
    assert.throws(() => overlapOrigins(250, 100, 100), /overlap 100 must be smaller/);
    const s = new ParamStore("x");
    s.add("k", tf.tensor1d([1, 2, 3]));
    const dir = tmp();
    const m = writeModelFolder(dir, { net: s }, { arch: { widths: [4, 8], outputs: 4 }, decode: {}, step: 0, training: {} });
    assert.equal(readModelFolder(dir).values.get("net/k")!.data[2], 3);
    assert.match(m.weightsFile, /^weights-[0-9a-f]{12}\.bin$/);
    s.dispose();
  });
});
