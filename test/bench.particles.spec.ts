import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initBackend } from "../lib/backend/index";
import { runPeer, throughputOf, timeWorkload } from "../bench/harness";
import { OTSU_ROUTE, particleBenchData, particlesWorkload } from "../bench/workloads/particles";
import { pythonMissing } from "./python_oracle";

describe("bench/workloads/particles", function () {
  this.timeout(120_000);
  const saved = process.env.NANOMORPH_EMPS_DIR;
  const cache = process.env.NANOMORPH_CACHE;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-bench-particles-"));
  before(() => { process.env.NANOMORPH_EMPS_DIR = path.join(tmp, "no-emps"); process.env.NANOMORPH_CACHE = path.join(tmp, "cache"); });
  after(() => {
    if (saved === undefined) delete process.env.NANOMORPH_EMPS_DIR; else process.env.NANOMORPH_EMPS_DIR = saved;
    if (cache === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = cache;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("gives items/s for ours and the peer from the medians", () => {
    assert.deepEqual(throughputOf({ count: 50, unit: "images" }, 10_000, 20_000), { unit: "images/s", perRun: 50, ours: 5, peer: 2.5 });
    assert.equal(throughputOf({ count: 50, unit: "images" }, 10_000, null)!.peer, null);
    assert.equal(throughputOf(undefined, 1, 1), undefined);
  });

  it("falls back to synthetic 512-px images without EMPS and says why", async () => {
    const d = await particleBenchData(2);
    assert.equal(d.source, "synthetic");
    assert.equal(d.files.length, 2);
    assert.match(d.note, /no-emps.* not found: 2 synthetic 512-px particle images/);
  });

  it("times the pipeline on the images, reports the data used, and its scikit-image peer finds about as many particles", async function () {
    const backend = await initBackend();
    const w = particlesWorkload(OTSU_ROUTE, { images: 2 });
    assert.equal(w.name, "particles-otsu-2");
    assert.match(w.description, /synthetic 512-px particle images \(EMPS not found\)/);
    const r = await timeWorkload({ ...w, warmup: 0 }, backend, 1, () => undefined);
    assert.equal(r.leakedTensors, 0);
    assert.deepEqual(r.items, { count: 2, unit: "images" });
    const info = r.info as { data: string; images: number; particlesKept: number; particlesFound: number };
    assert.equal(info.data, "synthetic");
    // 60 particles drawn per image, some touching the border or merged: most are found and kept
    assert.ok(info.particlesKept > 60 && info.particlesKept <= 120, `kept ${info.particlesKept}`);
    const why = pythonMissing(["skimage", "scipy", "PIL"]);
    if (why) { console.log(`      (peer part skipped: ${why})`); return; }
    const root = path.resolve(__dirname, "..");
    const p = runPeer(w, 1, 0, root)!;
    assert.ok(p.ms !== null, `peer ran: ${p.skipped}`);
    const kept = p.info!.particlesKept as number;
    assert.ok(Math.abs(kept - info.particlesKept) <= 0.15 * info.particlesKept, `peer kept ${kept}, ours ${info.particlesKept}: the same recipe finds about as many`);
  });
});
