import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { startCli, runCli, tmpDir, waitFor, writeClassFolder, writeGreyPng } from "./faults_helpers";
import { readJson } from "../lib/util/fsx";
import { command as pretrainCommand } from "../lib/cli/pretrain";
import { writeSizedParticleSet } from "../lib/data/synth/sized_particles";

/**
 * Real processes, real signals: Ctrl-C / SIGTERM during `pretrain` writes a checkpoint and exits
 * 130 / 143 within seconds, and `--resume` then replays the uninterrupted run exactly.
 */
describe("faults: SIGINT/SIGTERM during pretrain (real processes)", function () {
  this.timeout(120000);
  let dir: string;
  let data: string;
  before(async () => {
    dir = tmpDir("signals");
    data = path.join(dir, "data");
    await writeClassFolder(data, ["a", "b"], 20); // 40 images, ci batch 16 → 2 steps per epoch
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const args = (out: string, extra: string[] = []): string[] =>
    ["pretrain", "--method", "simclr", "--data", data, "--out", out, "--epochs", "12", ...extra];

  /** Start a run, send `sig` once its first epoch is logged; return the outcome and ms from signal to exit. */
  async function interrupt(out: string, sig: NodeJS.Signals, meanwhile?: (pid: number) => Promise<void>): Promise<{ code: number; err: string; ms: number }> {
    const p = startCli(args(out));
    await waitFor(() => /epoch 1 loss/.test(p.err()) || p.child.exitCode !== null, "the first epoch");
    if (meanwhile) await meanwhile(p.child.pid!);
    const t0 = Date.now();
    p.child.kill(sig);
    const r = await p.done;
    return { code: r.code, err: r.err, ms: Date.now() - t0 };
  }

  it("Ctrl-C (SIGINT) checkpoints and exits 130; --resume continues to the same losses as an uninterrupted run", async () => {
    const full = path.join(dir, "full");
    // The uninterrupted reference runs in this process (same backend and settings, no start-up cost).
    const log = console.log, err = console.error;
    console.log = () => undefined; console.error = () => undefined;
    try {
      assert.equal(await pretrainCommand.run(args(full).slice(1)), 0);
    } finally {
      console.log = log; console.error = err;
    }
    const out = path.join(dir, "cut");
    const r = await interrupt(out, "SIGINT");
    assert.equal(r.code, 130, r.err);
    assert.ok(r.ms < 10000, `exited ${r.ms} ms after SIGINT`);
    assert.match(r.err, /interrupted by SIGINT: checkpoint at step \d+ .*--resume/);
    const latest = readJson<{ step: number }>(path.join(out, "latest.json"));
    assert.ok(latest.step >= 2 && latest.step < 8, `checkpoint at step ${latest.step}`);
    const resumed = await runCli(args(out, ["--resume"]));
    assert.equal(resumed.code, 0, resumed.err);
    assert.equal(fs.readFileSync(path.join(out, "loss.csv"), "utf8"), fs.readFileSync(path.join(full, "loss.csv"), "utf8"));
    assert.deepEqual(readJson<{ epochs: { meanLoss: number }[] }>(path.join(out, "log.json")).epochs.map((e) => e.meanLoss),
      readJson<{ epochs: { meanLoss: number }[] }>(path.join(full, "log.json")).epochs.map((e) => e.meanLoss));
  });

  it("SIGTERM (a cluster's time limit) checkpoints and exits 143", async () => {
    const out = path.join(dir, "term");
    const r = await interrupt(out, "SIGTERM");
    assert.equal(r.code, 143, r.err);
    assert.ok(r.ms < 10000, `exited ${r.ms} ms after SIGTERM`);
    const latest = readJson<{ checkpoint: string; step: number }>(path.join(out, "latest.json"));
    assert.ok(fs.existsSync(path.join(out, latest.checkpoint, "manifest.json")), latest.checkpoint);
    assert.ok(latest.step < 8);
  });

  it("SIGHUP (terminal closed) checkpoints like SIGTERM and exits 129; --resume on a folder without a checkpoint refuses unless --fresh", async () => {
    const out = path.join(dir, "hup");
    const r = await interrupt(out, "SIGHUP", async (pid) => {
      // Meanwhile a second pretrain (here: a --resume) on the same --out is refused, naming the live run.
      await assert.rejects(pretrainCommand.run(args(out, ["--resume"]).slice(1)), new RegExp(`in use by nanomorph pretrain \\(pid ${pid}`));
    });
    assert.equal(r.code, 129, r.err);
    assert.match(r.err, /interrupted by SIGHUP: checkpoint at step \d+/);
    const latest = readJson<{ checkpoint: string; step: number }>(path.join(out, "latest.json"));
    assert.ok(fs.existsSync(path.join(out, latest.checkpoint, "manifest.json")), latest.checkpoint);
    // In this process: the refusal comes before any training.
    const empty = path.join(dir, "no-run-here");
    await assert.rejects(pretrainCommand.run(args(empty, ["--resume"]).slice(1)), /--resume: .*no-run-here holds no checkpoint .*nothing was run.*--fresh/);
    assert.ok(!fs.existsSync(path.join(empty, "latest.json")));
    assert.ok(!fs.existsSync(path.join(out, ".nanomorph.lock")), "the interrupted run released its lock");
  });

  it("--resume with another --data folder is refused, naming what differs", async () => {
    const out = path.join(dir, "term"); // the interrupted run of the previous test, or a fresh one
    if (!fs.existsSync(path.join(out, "latest.json"))) assert.equal((await interrupt(out, "SIGTERM")).code, 143);
    const other = path.join(dir, "other");
    await writeClassFolder(other, ["a"], 6, 40, 9);
    // In this process (no CLI start-up): the refusal comes before any training step.
    const resume = (d: string): Promise<number> => pretrainCommand.run(args(out, ["--resume"]).slice(1).map((a) => (a === data ? d : a)));
    await assert.rejects(resume(other), /cannot resume .*its data differs.*40 files.*now: 6 files/);
    // One file changed in place: also refused, naming the file.
    const changed = path.join(dir, "changed");
    fs.cpSync(data, changed, { recursive: true });
    fs.copyFileSync(path.join(changed, "a", "1.png"), path.join(changed, "a", "0.png"));
    await assert.rejects(resume(changed), /1 file\(s\) with other contents \(a\/0\.png\)/);
  });

  it("particles stops between images on SIGINT (exit 130, the earlier run in --out as it was) and the same command resumes to the uninterrupted result", async () => {
    const imgs = path.join(dir, "particles", "images");
    await writeSizedParticleSet(path.join(dir, "particles"), [{ name: "a", spec: { size: 384, count: 30, medianDiameter: 14, sigmaLog: 0.2 } }], 40, 9);
    const out = path.join(dir, "particles-out");
    // An earlier, finished run on one image of the folder.
    const one = path.join(dir, "particles-one");
    fs.mkdirSync(one);
    fs.copyFileSync(path.join(imgs, "a", fs.readdirSync(path.join(imgs, "a")).sort()[0]), path.join(one, "first.png"));
    const first = await runCli(["particles", "--images", one, "--nm-per-px", "1", "--out", out]);
    assert.equal(first.code, 0, first.err);
    const before = fs.readFileSync(path.join(out, "particles.json"), "utf8");
    const args = ["particles", "--images", imgs, "--nm-per-px", "1", "--out", out];
    // Progress on (NANOMORPH_QUIET 0): its first line says an image is done.
    const p = startCli(args, { NANOMORPH_QUIET: "0" });
    await waitFor(() => /particles \[#* *-*\] ([1-9]|[1-3]\d)\/40/.test(p.err()) || p.child.exitCode !== null, "particles to analyse an image");
    const t0 = Date.now();
    p.child.kill("SIGINT");
    const r = await p.done;
    assert.equal(r.code, 130, r.err);
    assert.ok(Date.now() - t0 < 10000);
    const done = Number(/interrupted by SIGINT: particles stopped after (\d+) of 40 images; the analysed images are kept in .*\.particles-resume: the same command continues from there/.exec(r.err)?.[1]);
    assert.ok(done >= 1 && done < 40, r.err);
    assert.equal(fs.readFileSync(path.join(out, "particles.json"), "utf8"), before);
    // The same command continues from the kept images and ends as an uninterrupted run does.
    const again = await runCli(args);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, new RegExp(`particles: resuming: ${done} image\\(s\\) analysed by the stopped run`));
    assert.ok(!fs.existsSync(path.join(out, ".particles-resume")), "the kept images are removed once the run has finished");
    const whole = path.join(dir, "particles-whole");
    assert.equal((await runCli(["particles", "--images", imgs, "--nm-per-px", "1", "--out", whole])).code, 0);
    assert.equal(fs.readFileSync(path.join(out, "particles.csv"), "utf8"), fs.readFileSync(path.join(whole, "particles.csv"), "utf8"));
    for (const f of fs.readdirSync(whole).filter((n) => n.endsWith("_instances.png"))) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(whole, f))), f);
  });

  it("segment (training) and grid (between cells) also stop within seconds of SIGTERM / SIGINT, non-zero", async () => {
    const images = path.join(dir, "seg", "images"), masks = path.join(dir, "seg", "masks");
    for (let i = 0; i < 3; i++) {
      await writeGreyPng(path.join(images, `p${i}.png`), 64, 64, (k) => (k * 5 + i) % 256);
      await writeGreyPng(path.join(masks, `p${i}.png`), 64, 64, (k) => (k % 64 < 32 ? 255 : 0));
    }
    const seg = startCli(["segment", "--images", images, "--masks", masks, "--encoder", "resnet8", "--size", "64", "--epochs", "100000", "--train", "2", "--out", path.join(dir, "seg-out")]);
    await waitFor(() => /segment: 3 pairs/.test(seg.err()) || seg.child.exitCode !== null, "segment to start training");
    const t0 = Date.now();
    seg.child.kill("SIGTERM");
    const s = await seg.done;
    assert.ok(s.code === 143 || s.signal === "SIGTERM", `segment ended with code ${s.code} signal ${s.signal}: ${s.err}`);
    assert.ok(Date.now() - t0 < 10000);

    const g = path.join(dir, "g.json");
    fs.writeFileSync(g, JSON.stringify({ name: "sig", task: "poly", base: { a: 1, b: 0 }, axes: { a: [1, 2, 3, 4, 5, 6] } }));
    const results = path.join(dir, "grid");
    const grid = startCli(["grid", "run", g, "--tasks", path.join(__dirname, "fixtures", "grid_tasks.ts"), "--results", results],
      { NANOMORPH_CACHE: path.join(dir, "cache"), GRID_TEST_SLEEP_MS: "1500" });
    await waitFor(() => fs.existsSync(path.join(results, "sig")) && fs.readdirSync(path.join(results, "sig")).some((f) => f.endsWith(".lock")), "a grid cell to start");
    grid.child.kill("SIGINT");
    const r = await grid.done;
    assert.equal(r.code, 130, r.err);
    // The interrupted cell's lock is released, so the next run takes it at once.
    assert.deepEqual(fs.readdirSync(path.join(results, "sig")).filter((f) => f.endsWith(".lock")), []);
  });
});
