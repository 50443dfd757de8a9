import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli, startCli, tmpDir, waitFor, writeGreyPng } from "./faults_helpers";
import { readJson } from "../lib/util/fsx";
import { OutputRun, LOCK_FILE, type OutputRunStatus } from "../lib/util/output_run";
import { InterruptedError } from "../lib/util/interrupt";
import { command as segmentCommand } from "../lib/cli/segment";

/** Every file under `dir` (relative path → contents), hidden files included. */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else m.set(path.relative(dir, p), fs.readFileSync(p).toString("base64"));
    }
  };
  walk(dir);
  return m;
}

/** The snapshot without the run-status note (which a failed run is meant to write). */
function outputsOf(dir: string): Map<string, string> {
  const m = snapshot(dir);
  for (const k of [...m.keys()]) if (/\.status\.json$/.test(k)) m.delete(k);
  return m;
}

describe("faults: a run's outputs replace the earlier run's only when it succeeds (OutputRun)", function () {
  this.timeout(120000);
  let dir: string;
  before(() => { dir = tmpDir("outputs"); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("commit swaps this command's outputs in, keeps other files, and writes a complete note", () => {
    const out = path.join(dir, "unit");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "old_pred.png"), "old");
    fs.writeFileSync(path.join(out, "x.json"), "old-x");
    fs.writeFileSync(path.join(out, "notes.txt"), "user's");
    const run = OutputRun.begin(out, { option: "t --out", command: "t", outputs: /^(.+_pred\.png|x\.json)$/ });
    fs.writeFileSync(run.path("x.json"), "new-x");
    fs.writeFileSync(run.path("a_pred.png"), "new-a");
    assert.equal(fs.readFileSync(path.join(out, "x.json"), "utf8"), "old-x", "nothing changes before commit");
    assert.ok(fs.existsSync(path.join(out, LOCK_FILE)));
    run.commit();
    assert.deepEqual(fs.readdirSync(out).sort(), ["a_pred.png", "notes.txt", "t.status.json", "x.json"]);
    assert.equal(fs.readFileSync(path.join(out, "x.json"), "utf8"), "new-x");
    assert.equal(fs.readFileSync(path.join(out, "notes.txt"), "utf8"), "user's");
    const st = readJson<OutputRunStatus>(path.join(out, "t.status.json"));
    assert.equal(st.state, "complete");
    assert.deepEqual(st.outputs, ["a_pred.png", "x.json"]);
  });

  it("abort keeps the earlier outputs byte for byte and notes why; a second run into a locked folder is refused", () => {
    const out = path.join(dir, "unit2");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "x.json"), "old-x");
    const run = OutputRun.begin(out, { option: "t --out", command: "t", outputs: /^x\.json$/ });
    assert.throws(() => OutputRun.begin(out, { option: "t --out", command: "t" }), /t --out .* is in use by nanomorph t \(pid \d+/);
    fs.writeFileSync(run.path("x.json"), "half");
    const note = run.abort(new InterruptedError("SIGTERM"));
    assert.match(note, /interrupted; nothing of this run was kept .*earlier run's outputs there are unchanged/);
    assert.deepEqual(fs.readdirSync(out).sort(), ["t.status.json", "x.json"]);
    assert.equal(fs.readFileSync(path.join(out, "x.json"), "utf8"), "old-x");
    const st = readJson<OutputRunStatus>(path.join(out, "t.status.json"));
    assert.equal(st.state, "interrupted");
    assert.match(st.reason!, /SIGTERM/);
  });

  it("a stale lock (its process is gone) and a killed run's staging folder are cleaned up by the next run", () => {
    const out = path.join(dir, "stale");
    fs.mkdirSync(path.join(out, ".staging-999999-abcd"), { recursive: true });
    fs.writeFileSync(path.join(out, ".staging-999999-abcd", "x.json"), "half");
    // A commit killed half-way: the earlier x.json moved aside, the new one never placed.
    fs.mkdirSync(path.join(out, ".previous-999999-abcd"));
    fs.writeFileSync(path.join(out, ".previous-999999-abcd", "x.json"), "old-x");
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: 999999, host: os.hostname(), command: "t", started: "then" }));
    const run = OutputRun.begin(out, { option: "t --out", command: "t", outputs: /^x\.json$/ });
    assert.equal(run.notes.length, 3, run.notes.join("\n"));
    assert.match(run.notes.join("\n"), /took over the lock .*pid 999999/);
    assert.equal(fs.readFileSync(path.join(out, "x.json"), "utf8"), "old-x");
    run.abort("test");
    assert.deepEqual(fs.readdirSync(out).sort(), ["t.status.json", "x.json"]);
  });

  it("a lock held by another host is refused, naming the host and the lock file", () => {
    const out = path.join(dir, "remote");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: 1, host: "elsewhere.example", command: "segment", started: "then" }));
    assert.throws(() => OutputRun.begin(out, { option: "t --out", command: "t" }), /in use by nanomorph segment \(pid 1 on host elsewhere\.example.*delete .*\.nanomorph\.lock/);
  });

  it("a literal '~' in --out is refused (the shell did not expand it)", () => {
    assert.throws(() => OutputRun.begin("~/x", { option: "t --out", command: "t" }), /'~\/x' starts with '~'.*\$HOME\/x/);
    assert.ok(!fs.existsSync(path.join(process.cwd(), "~")));
  });

  it("particles --out equal to (or inside) --images, and a quoted '~/x', are refused before any image is read", async () => {
    const { command: particles } = await import("../lib/cli/particles");
    const images = path.join(dir, "p-images");
    await writeGreyPng(path.join(images, "a.png"), 32, 32, (k) => (k % 7) * 30);
    await assert.rejects(particles.run(["--images", images, "--out", images]), /particles --out .* is the same folder as the input folder/);
    await assert.rejects(particles.run(["--images", images, "--out", path.join(images, "res")]), /is inside the input folder/);
    await assert.rejects(particles.run(["--images", images, "--out", "~/x"]), /'~\/x' starts with '~'/);
    assert.deepEqual(fs.readdirSync(images), ["a.png"]);
  });

  describe("segment (real processes)", () => {
    let images: string, masks: string, out: string;
    let first: Map<string, string>;
    const segArgs = (o: string, extra: string[] = []): string[] =>
      ["segment", "--images", images, "--masks", masks, "--encoder", "resnet8", "--size", "64", "--train", "2", "--out", o, ...extra];
    before(async () => {
      images = path.join(dir, "seg", "images");
      masks = path.join(dir, "seg", "masks");
      for (let i = 0; i < 3; i++) {
        await writeGreyPng(path.join(images, `p${i}.png`), 64, 64, (k) => ((k % 64) < 32 ? 200 : 40) + ((k * 7 + i) % 13));
        await writeGreyPng(path.join(masks, `p${i}.png`), 64, 64, (k) => (k % 64 < 32 ? 255 : 0));
      }
      // The same masks, one of them at another size.
      fs.cpSync(masks, path.join(dir, "seg", "small-masks"), { recursive: true });
      await writeGreyPng(path.join(dir, "seg", "small-masks", "p0.png"), 32, 32, (k) => (k % 32 < 16 ? 255 : 0));
      out = path.join(dir, "seg-out");
      const r = await runCli(segArgs(out, ["--epochs", "1"]));
      assert.equal(r.code, 0, r.err);
      first = outputsOf(out);
      assert.ok([...first.keys()].some((k) => k.startsWith("model/")), [...first.keys()].join(", "));
      assert.equal(readJson<OutputRunStatus>(path.join(out, "segment.status.json")).state, "complete");
    });

    it("a typo (--preprocess bogus, --encoder resnet9, --epochs 1e12, --train -3, a mask of another size) fails before touching the earlier run", async () => {
      // In this process (the CLI's start-up would dominate): the same command object bin/nanomorph runs.
      const quiet = console.error;
      console.error = () => undefined;
      try {
        const cases: Array<[string[], RegExp]> = [
          [["--preprocess", "bogus"], /--preprocess must be unit or caffe/],
          [["--encoder", "resnet9"], /resnet9/],
          [["--epochs", "1e12"], /--epochs must be an integer in 1\.\.100000/],
          [["--train", "-3"], /--train must be an integer in 1\.\.2, got '-3'/],
          [["--masks", path.join(dir, "seg", "small-masks")], /mask .*p0\.png is 32×32 but image .*p0\.png is 64×64/],
        ];
        for (const [extra, re] of cases) {
          const args = segArgs(out, ["--epochs", "1"]).slice(1);
          for (let i = 0; i < extra.length; i += 2) {
            const at = args.indexOf(extra[i]);
            if (at >= 0) args[at + 1] = extra[i + 1]; else args.push(extra[i], extra[i + 1]);
          }
          await assert.rejects(segmentCommand.run(args), re, extra.join(" "));
          assert.deepEqual(outputsOf(out), first, extra.join(" "));
        }
      } finally {
        console.error = quiet;
      }
    });

    it("all-empty, all-foreground or blurred masks get a warning naming the mask and no verdict against Otsu", async () => {
      const zero = path.join(dir, "seg", "zero-masks"), blur = path.join(dir, "seg", "blur-masks");
      for (let i = 0; i < 3; i++) {
        await writeGreyPng(path.join(zero, `p${i}.png`), 64, 64, () => 0);
        // A soft edge 16 px wide: grey levels 0…255 across it.
        await writeGreyPng(path.join(blur, `p${i}.png`), 64, 64, (k) => Math.max(0, Math.min(255, Math.round(((k % 64) - 24) * 16))));
      }
      const { maskProblems } = await import("../lib/data/masks");
      assert.deepEqual(await maskProblems(path.join(masks, "p0.png")), []);
      assert.match((await maskProblems(path.join(zero, "p0.png"))).join(), /p0\.png has no foreground pixel/);
      assert.match((await maskProblems(path.join(zero, "p0.png"), "auto", true)).join(), /p0\.png is foreground everywhere \(after --invert\)/);
      assert.match((await maskProblems(path.join(blur, "p0.png"))).join(), /p0\.png is not binary \(\d+ grey levels.*--rule half/);
      for (const m of [zero, blur]) {
        const lines: string[] = [];
        const log = console.log, err = console.error;
        console.log = (...a: unknown[]) => { lines.push(a.join(" ")); };
        console.error = (...a: unknown[]) => { lines.push(a.join(" ")); };
        try {
          assert.equal(await segmentCommand.run(segArgs(path.join(dir, `seg-${path.basename(m)}`), ["--epochs", "1"]).slice(1).map((a) => (a === masks ? m : a))), 0);
        } finally {
          console.log = log; console.error = err;
        }
        const text = lines.join("\n");
        assert.ok(!/the model beats Otsu/.test(text), text);
        assert.match(text, /no verdict against Otsu/);
        assert.match(text, m === zero ? /warning: mask .*p\d\.png has no foreground pixel/ : /warning: mask .*p\d\.png is not binary/);
        const report = readJson<{ warnings: string[] }>(path.join(dir, `seg-${path.basename(m)}`, "segment.json"));
        assert.equal(report.warnings.length, 3);
      }
    });

    for (const [sig, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
      it(`${sig} during training exits ${code} within seconds, the earlier run whole, a note saying so` +
        `${sig === "SIGTERM" ? "; a second run on the same --out meanwhile is refused" : ""}`, async () => {
        const p = startCli(segArgs(out, ["--epochs", "100000"]), { NANOMORPH_QUIET: "0" });
        await waitFor(() => /segment \[/.test(p.err()) || p.child.exitCode !== null, "segment to train");
        if (sig === "SIGTERM") {
          const second = await runCli(segArgs(out, ["--epochs", "1", "--seed", "7"]));
          assert.notEqual(second.code, 0);
          assert.match(second.err, new RegExp(`in use by nanomorph segment \\(pid ${p.child.pid}`));
        }
        const t0 = Date.now();
        p.child.kill(sig);
        const r = await p.done;
        assert.equal(r.code, code, r.err.slice(-2000));
        assert.ok(Date.now() - t0 < 10000, `${Date.now() - t0} ms`);
        assert.match(r.err, /segment: interrupted; nothing of this run was kept .*earlier run's outputs there are unchanged/);
        assert.deepEqual(outputsOf(out), first);
        const st = readJson<OutputRunStatus>(path.join(out, "segment.status.json"));
        assert.equal(st.state, "interrupted");
        assert.match(st.reason!, new RegExp(sig));
        assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
      });
    }

  });
});
