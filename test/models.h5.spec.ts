import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { loadEncoder, saveKerasH5, readKerasH5, initResNet, RESNET8 } from "../lib/models/index";

const PY = "/usr/bin/python3";

function hasH5py(): string | null {
  if (!fs.existsSync(PY)) return `${PY} not found`;
  const r = spawnSync(PY, ["-c", "import h5py, numpy"], { encoding: "utf8" });
  return r.status === 0 ? null : `h5py/numpy missing: ${r.stderr.trim().split("\n").pop()}`;
}

describe("models: Keras .h5 import/export (h5wasm)", () => {
  let tmp: string;
  before(async () => {
    await initBackend();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-h5-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const layout of [{}, { modelWeightsGroup: true, nestedModel: "resnet8" }] as const) {
    it(`round-trips a resnet8 through a Keras-layout .h5 (${JSON.stringify(layout)})`, async () => {
      const a = await loadEncoder("resnet8", { seed: 11 });
      // Perturb the BN statistics so they are not at their defaults and must really be carried.
      a.params.get("conv3_block1_1_bn/moving_mean").assign(tf.fill([32], 0.25));
      const file = path.join(tmp, `r8-${Object.keys(layout).length}.h5`);
      await saveKerasH5(a.params, file, layout);
      const b = await loadEncoder(file, { seed: 99 });
      assert.equal(b.arch.name, "resnet8");
      assert.deepEqual(b.params.names().sort(), a.params.names().sort());
      for (const n of a.params.names()) {
        assert.deepEqual(Array.from(b.params.get(n).dataSync()), Array.from(a.params.get(n).dataSync()), n);
      }
      const x = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 1) as tf.Tensor4D;
      const fa = a.embed(x);
      const fb = b.embed(x);
      assert.deepEqual(Array.from(fb.dataSync()), Array.from(fa.dataSync()));
      [x, fa, fb].forEach((t) => t.dispose());
      a.dispose(); b.dispose();
    });
  }

  it("rejects an .h5 without a complete ResNet, naming the file", async () => {
    const store = initResNet(RESNET8, 0);
    const names = store.names();
    // Keep only the first half of the layers.
    const half = initResNet(RESNET8, 0);
    const file = path.join(tmp, "partial.h5");
    const { ParamStore } = await import("../lib/nn/params");
    const partial = new ParamStore("partial");
    for (const n of names.slice(0, 20)) partial.add(n, half.get(n));
    await saveKerasH5(partial, file);
    await assert.rejects(loadEncoder(file), (e: Error) => e.message.includes("partial.h5") && e.message.includes("no complete ResNet"));
    store.dispose(); half.dispose(); partial.dispose();
  });

  it("reads an .h5 written by h5py in Keras' save_weights layout, and h5py reads ours", async function () {
    const why = hasH5py();
    if (why) { console.log(`      (oracle part skipped: ${why})`); this.skip(); }
    const store = initResNet(RESNET8, 0);
    const spec = store.names().map((n) => ({ name: n, shape: store.get(n).shape }));
    const specFile = path.join(tmp, "spec.json");
    fs.writeFileSync(specFile, JSON.stringify(spec));
    const pyFile = path.join(tmp, "keras_layout.h5");
    // Python writes weight i as sin(0.001*k + i) (k = flat index): the expected values below use the same formula.
    const script = `
import h5py, numpy as np, json, sys
spec = json.load(open(sys.argv[1]))
with h5py.File(sys.argv[2], "w") as f:
    layers = []
    for i, s in enumerate(spec):
        layer, param = s["name"].split("/")
        if layer not in f:
            f.create_group(layer); layers.append(layer); f[layer].attrs["weight_names"] = np.array([], dtype="S1")
        g = f[layer]
        wn = list(g.attrs["weight_names"]) + [f"{layer}/{param}:0".encode()]
        g.attrs["weight_names"] = np.array(wn)
        n = int(np.prod(s["shape"]))
        g.create_dataset(f"{layer}/{param}:0", data=np.sin(0.001*np.arange(n) + i).reshape(s["shape"]).astype("float32"))
    f.attrs["layer_names"] = np.array([l.encode() for l in layers])
    f.attrs["backend"] = b"tensorflow"
`;
    const r = spawnSync(PY, ["-c", script, specFile, pyFile], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const enc = await loadEncoder(pyFile);
    assert.equal(enc.arch.name, "resnet8");
    spec.forEach((s, i) => {
      const v = enc.params.get(s.name).dataSync();
      for (const k of [0, v.length - 1]) assert.ok(Math.abs(v[k] - Math.sin(0.001 * k + i)) < 1e-6, `${s.name}[${k}]`);
    });
    // Now the other direction: h5py must find our layout (layer_names, weight_names, datasets) and the values.
    const ours = path.join(tmp, "ours.h5");
    await saveKerasH5(enc.params, ours);
    const check = `
import h5py, numpy as np, sys, json
with h5py.File(sys.argv[1], "r") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["layer_names"]]
    wn = [n.decode() if isinstance(n, bytes) else n for n in f["conv1_bn"].attrs["weight_names"]]
    k = f["conv1_conv/conv1_conv/kernel:0"][()]
    print(json.dumps({"layers": names, "wn": wn, "k0": float(k.flat[0]), "shape": list(k.shape)}))
`;
    const r2 = spawnSync(PY, ["-c", check, ours], { encoding: "utf8" });
    assert.equal(r2.status, 0, r2.stderr);
    const out = JSON.parse(r2.stdout);
    assert.equal(out.layers[0], "conv1_conv");
    assert.deepEqual(out.wn, ["conv1_bn/gamma:0", "conv1_bn/beta:0", "conv1_bn/moving_mean:0", "conv1_bn/moving_variance:0"]);
    assert.deepEqual(out.shape, [3, 3, 3, 16]);
    const idx = spec.findIndex((s) => s.name === "conv1_conv/kernel");
    assert.ok(Math.abs(out.k0 - Math.sin(idx)) < 1e-6);
    const back = await readKerasH5(ours);
    assert.equal(back.weights.size, spec.length);
    enc.dispose(); store.dispose();
  });
});
