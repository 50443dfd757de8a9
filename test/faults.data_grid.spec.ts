import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as http from "http";
import { spawnSync } from "child_process";
import type { AddressInfo } from "net";
import * as tf from "@tensorflow/tfjs";
import { tmpDir, writeClassFolder, runCli, root } from "./faults_helpers";
import { command as dataCommand } from "../lib/cli/data";
import { command as gridCommand } from "../lib/cli/grid";
import { removeStaleTemps } from "../lib/util/stale_tmp";
import { writeFileAtomic } from "../lib/util/fsx";
import { initBackend } from "../lib/backend/index";
import { pretrain, type PretrainConfig } from "../lib/ssl/index";
import type { DataManifest } from "../lib/data/manifest";

/** Capture console.log/console.error while `fn` runs. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const log = console.log, err = console.error;
  console.log = (...a: unknown[]) => { lines.push(a.join(" ")); };
  console.error = (...a: unknown[]) => { lines.push(a.join(" ")); };
  try {
    return { code: await fn(), text: lines.join("\n") };
  } finally {
    console.log = log; console.error = err;
  }
}

/** The pid of a process that has exited (for stale locks and temps). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"]).stdout.toString().trim());
}

describe("faults: data checks, grid leftovers, disk full, corrupt checkpoints", function () {
  this.timeout(60000);
  let dir: string;
  before(() => { dir = tmpDir("data-grid"); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("data inspect exits 1 when it lists problems and says why a file is unreadable; 0 on a clean folder", async () => {
    const d = path.join(dir, "inspect");
    await writeClassFolder(d, ["a", "b"], 2, 40);
    assert.equal((await captured(() => dataCommand.run(["inspect", d]))).code, 0);
    fs.writeFileSync(path.join(d, "a", "empty.png"), "");
    fs.writeFileSync(path.join(d, "b", "page.png"), "<html>not found</html>");
    const r = await captured(() => dataCommand.run(["inspect", d]));
    assert.equal(r.code, 1);
    assert.match(r.text, /empty\.png: unreadable: empty file \(0 bytes\)/);
    assert.match(r.text, /page\.png: unreadable: not an image file/);
    assert.ok(!/unsupported image format$/m.test(r.text), r.text);
  });

  it("data verify names a file changed after download (fetch only said 'already present')", async () => {
    const body = Buffer.from("weights v1 ".repeat(1000));
    const server = http.createServer((_req, res) => { res.writeHead(200, { "content-length": body.length }); res.end(body); });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w.bin`;
      const m: DataManifest = { version: 1, defaultDest: "data", entries: [{
        name: "w", description: "test", citation: "test", licence: "test", urls: [url], size: null, checksum: null,
        archive: "none", dest: "w", layout: "w.bin", usedBy: "tests",
      }] };
      const manifest = path.join(dir, "manifest.json");
      fs.writeFileSync(manifest, JSON.stringify(m));
      const dest = path.join(dir, "dest");
      const args = ["--manifest", manifest, "--dest", dest];
      assert.equal((await captured(() => dataCommand.run(["fetch", "w", ...args]))).code, 0);
      const ok = await captured(() => dataCommand.run(["verify", "w", ...args]));
      assert.equal(ok.code, 0, ok.text);
      assert.match(ok.text, /w +ok +1 files match/);
      fs.writeFileSync(path.join(dest, "w", "w.bin"), body.subarray(0, 100)); // cut / changed in place
      const again = await captured(() => dataCommand.run(["fetch", "w", ...args]));
      assert.match(again.text, /already present .*nanomorph data verify w/);
      const bad = await captured(() => dataCommand.run(["verify", ...args]));
      assert.equal(bad.code, 1);
      assert.match(bad.text, /w +changed +contents differ .*1 changed \(w\.bin\).*data fetch w --force/);
    } finally {
      server.close();
    }
  });

  it("grid --help names grid files that exist; --tasks of a missing or broken module is one clear line", async () => {
    const named = gridCommand.help.match(/configs\/grids\/[\w.-]+\.json/g) ?? [];
    assert.ok(named.length > 0);
    for (const f of named) assert.ok(fs.existsSync(path.join(root, f)), `${f} named in grid --help does not exist`);
    const g = path.join(dir, "g.json");
    fs.writeFileSync(g, JSON.stringify({ name: "t", task: "poly", base: { a: 1 }, axes: { a: [1, 2] } }));
    await assert.rejects(gridCommand.run(["run", g, "--tasks", path.join(dir, "missing.js")]), /--tasks .*missing\.js: no such file/);
    const broken = path.join(dir, "broken.js");
    fs.writeFileSync(broken, "require('./not-there-either');\n");
    await assert.rejects(gridCommand.run(["run", g, "--tasks", broken]), (e: Error) =>
      /--tasks .*broken\.js failed to load: Cannot find module '\.\/not-there-either'/.test(e.message) && !/Require stack/.test(e.message));
  });

  it("temp files of killed writers are removed (a live writer's are kept); grid run sweeps the stage cache", async () => {
    const cache = path.join(dir, "cache");
    const stage = path.join(cache, "stages", "s1");
    fs.mkdirSync(stage, { recursive: true });
    const dead = deadPid();
    const staleFile = path.join(stage, `abc.json.tmp-${dead}-0a1b2c3d`);
    const staleDir = path.join(stage, `def.tmp-${dead}-a1b2c3`);
    const live = path.join(stage, `ghi.json.tmp-${process.ppid}-deadbeef`);
    fs.writeFileSync(staleFile, "{");
    fs.mkdirSync(staleDir);
    fs.writeFileSync(live, "{");
    assert.deepEqual(removeStaleTemps(path.join(cache, "stages")).sort(), [staleDir, staleFile].sort());
    assert.ok(fs.existsSync(live));
    fs.writeFileSync(staleFile, "{");
    const g = path.join(dir, "g2.json");
    fs.writeFileSync(g, JSON.stringify({ name: "t2", task: "poly", base: { a: 1, b: 0 }, axes: { a: [1] } }));
    const r = await runCli(["grid", "run", g, "--tasks", path.join(__dirname, "fixtures", "grid_tasks.ts"), "--results", path.join(dir, "res")], { NANOMORPH_CACHE: cache });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /removed 1 temp file\(s\) left by a killed run/);
    assert.ok(!fs.existsSync(staleFile));
  });

  it("an interrupted synth --force leaves a temp folder that the next synth into the same parent removes", async () => {
    const parent = path.join(dir, "synth-parent");
    const dead = deadPid();
    const left = path.join(parent, `set.tmp-${dead}-0badc0de`);
    fs.mkdirSync(path.join(left, "a"), { recursive: true });
    fs.writeFileSync(path.join(left, "a", "half.png"), "x");
    const { writeAtomically } = await import("../lib/data/synth/common");
    await writeAtomically(path.join(parent, "set"), true, async (tmp) => { fs.writeFileSync(path.join(tmp, "ok.txt"), "ok"); });
    assert.deepEqual(fs.readdirSync(parent), ["set"]);
  });

  it("disk full (ENOSPC injected into the writer): the error names the file, the old contents stay, no temp is left", () => {
    const f = path.join(dir, "disk", "results.json");
    writeFileAtomic(f, "old");
    // The CommonJS module object is what lib/util/fsx reads through its import binding.
    const fsModule = require("fs") as { writeSync: unknown };
    const orig = fsModule.writeSync;
    fsModule.writeSync = () => { throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }); };
    try {
      assert.throws(() => writeFileAtomic(f, "new"), (e: Error) => e.message.includes(`could not write ${f}`) && /ENOSPC/.test(e.message));
    } finally {
      fsModule.writeSync = orig;
    }
    assert.equal(fs.readFileSync(f, "utf8"), "old");
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ["results.json"]);
  });

  it("a corrupt checkpoint stops --resume with the file named", async () => {
    await initBackend();
    const cfg: Partial<PretrainConfig> = {
      method: "barlow", encoder: "resnet8", imageSize: 32, batchSize: 4, epochs: 2, projection: [16, 8, 32], checkpointEvery: 1,
      lr: { initial: 0.05, spanRun: true }, monitorEvery: 0,
    };
    const images = tf.randomUniform([8, 32, 32, 3], 0, 1, "float32", 3) as tf.Tensor4D;
    const out = path.join(dir, "ck");
    try {
      const r = await pretrain(cfg, images, { out, stopAfterEpochs: 1 });
      r.encoder.dispose(); r.head.dispose();
      const ck = path.join(out, "checkpoints", "epoch-0001");
      const weights = fs.readdirSync(ck).find((f) => f !== "manifest.json")!;
      const wf = path.join(ck, weights);
      const buf = fs.readFileSync(wf);
      buf[10] ^= 0xff;
      fs.writeFileSync(wf, buf);
      await assert.rejects(pretrain(cfg, images, { out, resume: true }), (e: Error) => e.message.includes(wf) && /checkpoint corrupt/.test(e.message));
    } finally {
      images.dispose();
    }
  });
});
