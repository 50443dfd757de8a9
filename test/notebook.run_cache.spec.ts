import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkReuse, contentDigest, listingDigest, notebookKeys, readRecord, recordPath, recordRun, snapshot, writtenBetween, type RunSettings } from "../lib/notebook/run_cache";
import { reproduce } from "../lib/notebook/runner";
import { findJupyterPython } from "../lib/notebook/jupyter";
import { makeScratchProject, type ScratchProject } from "./scratch_project";


function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe("notebook/run_cache: keys, records and reuse checks", () => {
  let tmp: string;
  const settings = (env: NodeJS.ProcessEnv = {}): RunSettings => ({ profile: "ci", inlinePng: true, env });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-runcache-"));
    write(path.join(tmp, "lib", "a.ts"), "export const a = 1;\n");
    write(path.join(tmp, "lib", "sub", "b.ts"), "export const b = 2;\n");
    write(path.join(tmp, "configs", "probe.json"), '{"ci": {"splits": 3}}\n');
    write(path.join(tmp, "package-lock.json"), "{}\n");
    write(path.join(tmp, "README.md"), "readme\n");
    for (const n of ["00-a", "01-b", "02-c"]) write(path.join(tmp, "notebooks", `${n}.ipynb`), `{"cells": ["${n}"]}\n`);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const nbs = (): string[] => ["00-a", "01-b", "02-c"].map((n) => path.join(tmp, "notebooks", `${n}.ipynb`));
  const keys = (env?: NodeJS.ProcessEnv): string[] => {
    const m = notebookKeys(tmp, nbs(), settings(env));
    return nbs().map((nb) => m.get(nb)?.key ?? "");
  };

  it("contentDigest hashes paths and contents; listingDigest sees added files; both say absent for nothing", () => {
    const d1 = contentDigest(path.join(tmp, "lib"));
    fs.renameSync(path.join(tmp, "lib", "sub", "b.ts"), path.join(tmp, "lib", "sub", "c.ts"));
    assert.notEqual(contentDigest(path.join(tmp, "lib")), d1, "a rename changes the digest");
    assert.equal(contentDigest(path.join(tmp, "nothing")), "absent");
    assert.equal(listingDigest(path.join(tmp, "nothing")), "absent");
    const l1 = listingDigest(path.join(tmp, "lib"));
    write(path.join(tmp, "lib", "new.txt"), "x");
    assert.notEqual(listingDigest(path.join(tmp, "lib")), l1);
  });

  it("a change in lib/ or configs/ changes every key; a README edit none; the same inputs give the same keys", () => {
    const k0 = keys();
    assert.equal(new Set(k0).size, 3, "three distinct keys");
    assert.deepEqual(keys(), k0, "deterministic");
    write(path.join(tmp, "README.md"), "edited\n");
    assert.deepEqual(keys(), k0, "README is not an input");
    write(path.join(tmp, "lib", "sub", "b.ts"), "export const b = 3;\n");
    const k1 = keys();
    k1.forEach((k, i) => assert.notEqual(k, k0[i], `lib edit changes key ${i}`));
    write(path.join(tmp, "configs", "probe.json"), '{"ci": {"splits": 4}}\n');
    keys().forEach((k, i) => assert.notEqual(k, k1[i], `config edit changes key ${i}`));
  });

  it("keys chain: editing notebook 01 changes 01 and 02, not 00", () => {
    const k0 = keys();
    write(path.join(tmp, "notebooks", "01-b.ipynb"), '{"cells": ["edited"]}\n');
    const k1 = keys();
    assert.equal(k1[0], k0[0]);
    assert.notEqual(k1[1], k0[1]);
    assert.notEqual(k1[2], k0[2]);
  });

  it("NANOMORPH_* settings and real-data folders are inputs; console-only settings are not", () => {
    const k0 = keys({});
    assert.deepEqual(keys({ NANOMORPH_ECHO_CHARS: "0", NANOMORPH_QUIET: "1", HOME: "/elsewhere" }), k0);
    assert.notEqual(keys({ NANOMORPH_BACKEND: "cpu" })[0], k0[0]);
    const data = path.join(tmp, "real");
    write(path.join(data, "bundle", "x.png"), "png");
    const withData = keys({ NANOMORPH_NANOWIRE_DIR: data });
    assert.notEqual(withData[0], k0[0]);
    write(path.join(data, "bundle", "y.png"), "png");
    assert.notEqual(keys({ NANOMORPH_NANOWIRE_DIR: data })[0], withData[0], "a new image in the real-data folder");
  });

  it("a record is reused only with the same key and intact files, else the reason names what changed", () => {
    const nb = nbs()[0];
    const out = path.join(tmp, "notebooks", "executed", "00-a.ipynb");
    const figs = path.join(tmp, "figures");
    write(out, "executed\n");
    const fig = path.join(figs, "00-plot.json");
    const table = path.join(tmp, "results", "table.csv");
    const before = snapshot([figs, path.join(tmp, "results")]);
    write(fig, '{"data": []}');
    write(table, "a,b\n1,2\n");
    const written = writtenBetween(before, snapshot([figs, path.join(tmp, "results")]));
    assert.deepEqual(written, [fig, table].sort());
    const k = notebookKeys(tmp, nbs(), settings()).get(nb);
    assert.ok(k);
    recordRun({ notebook: nb, output: out, key: k, wallSec: 3, cells: [{ number: 1, seconds: 3 }], written, figuresDir: figs });
    assert.ok(fs.existsSync(recordPath(out)));
    assert.deepEqual(Object.keys(readRecord(out)?.outputs ?? {}).sort(), [fig, table].sort());

    const ok = checkReuse(out, k, tmp);
    assert.equal(ok.reuse, true);

    // Same content rewritten (new mtime): still reusable (content digest); other content of the same size: not.
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(table, t, t);
    assert.equal(checkReuse(out, k, tmp).reuse, true);
    fs.writeFileSync(table, "a,b\n1,3\n");
    const changed = checkReuse(out, k, tmp);
    assert.equal(changed.reuse, false);
    assert.match((changed as { reason: string }).reason, /output results\/table\.csv changed/);
    fs.writeFileSync(table, "a,b\n1,2\n");

    fs.rmSync(fig);
    assert.match((checkReuse(out, k, tmp) as { reason: string }).reason, /output figures\/00-plot\.json missing/);
    write(fig, '{"data": []}');

    write(path.join(tmp, "configs", "probe.json"), '{"ci": {"splits": 9}}\n');
    const k2 = notebookKeys(tmp, nbs(), settings()).get(nb);
    assert.ok(k2);
    assert.match((checkReuse(out, k2, tmp) as { reason: string }).reason, /inputs changed: configs$/);
  });

  it("a re-run that rewrote nothing still owns its NN-*.json figure specs, what its last record listed and what it declared", () => {
    const nb = nbs()[1];
    const out = path.join(tmp, "notebooks", "executed", "01-b.ipynb");
    const figs = path.join(tmp, "figures");
    write(out, "executed\n");
    const ckpt = path.join(tmp, "results", "pretrain", "weights.bin");
    write(ckpt, "weights");
    write(path.join(figs, "01-curve.json"), "{}");
    write(path.join(figs, "00-other.json"), "{}");
    const k = notebookKeys(tmp, nbs(), settings()).get(nb);
    assert.ok(k);
    const reused = path.join(tmp, "results", "reused");
    write(path.join(reused, "a.bin"), "a");
    write(path.join(reused, "deep", "b.bin"), "b");
    recordRun({ notebook: nb, output: out, key: k, wallSec: 1, cells: [], written: [ckpt], figuresDir: figs });
    const again = recordRun({ notebook: nb, output: out, key: k, wallSec: 1, cells: [], written: [], declared: [reused], figuresDir: figs });
    assert.deepEqual(Object.keys(again.outputs).sort(),
      [path.join(figs, "01-curve.json"), ckpt, path.join(reused, "a.bin"), path.join(reused, "deep", "b.bin")].sort());
  });
});

describe("notebook/runner: reproduce reuses unchanged notebooks (scratch project, real kernel)", function () {
  this.timeout(240_000);
  const jp = findJupyterPython();
  let scratch: ScratchProject | undefined;
  let tmp: string;
  const counter = (n: string): number => {
    const f = path.join(tmp, "runs", `${n}.txt`);
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean).length : 0;
  };
  const notebook = (name: string, extra: string): void => write(path.join(tmp, "notebooks", "src", `${name}.ts`), [
    "// %%", 'import * as fs from "fs";',
    'import { show, lineWithBands } from "./dist/lib/plots/index";',
    `fs.mkdirSync("runs", { recursive: true }); fs.appendFileSync("runs/${name}.txt", "ran\\n");`,
    `show(lineWithBands([{ name: "s", x: [1, 2], y: [2, 1] }], { title: "${name}", width: 300, height: 200 }), "${name}");`,
    `fs.mkdirSync("results", { recursive: true }); fs.writeFileSync("results/${name}.csv", "x\\n1\\n");`,
    extra,
  ].join("\n"));
  const run = async (force = false, expectOk = true) => {
    const lines: string[] = [];
    const res = await reproduce({ root: tmp, profile: "ci", inlinePng: false, postSteps: [], force, keepGoing: true, log: (l) => lines.push(l) });
    assert.equal(res.ok, expectOk, `${res.failure}\n${lines.join("\n")}`);
    return { res, lines };
  };
  before(function () {
    if (!jp.python) {
      console.log(`      skipped: no Python with nbclient (${jp.tried.join("; ")})`);
      this.skip();
    }
    scratch = makeScratchProject("runcache-");
    tmp = scratch.dir;
    write(path.join(tmp, "results", "keep", "model.bin"), "weights");
    notebook("00-first", 'import { declareOutputs } from "./dist/lib/util/outputs";\ndeclareOutputs("results/keep");');
    notebook("01-second", 'console.log(fs.readFileSync("results/00-first.csv", "utf8"));');
  });
  after(() => scratch?.remove());

  it("runs both, then reuses both without a kernel, re-runs what changed (and what follows), and --force runs all", async () => {
    const first = await run();
    assert.deepEqual(first.res.runs.map((r) => !!r.cached), [false, false]);
    assert.deepEqual([counter("00-first"), counter("01-second")], [1, 1]);
    const executed = path.join(tmp, "notebooks", "executed", "00-first.ipynb");
    assert.ok(Object.keys(readRecord(executed)?.outputs ?? {}).includes(path.join(tmp, "results", "keep", "model.bin")), "declared output recorded");
    const copy = fs.readFileSync(executed, "utf8");

    const second = await run();
    assert.deepEqual(second.res.runs.map((r) => !!r.cached), [true, true], second.lines.join("\n"));
    assert.deepEqual([counter("00-first"), counter("01-second")], [1, 1], "no kernel ran");
    assert.equal(fs.readFileSync(executed, "utf8"), copy, "executed copy untouched");
    assert.ok(second.lines.some((l) => /^= 00-first\.ipynb +unchanged since .*: reused$/.test(l)), second.lines.join("\n"));
    const rec = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "run.json"), "utf8")) as { notebooks: { cached: unknown }[] };
    assert.ok(rec.notebooks.every((n) => n.cached !== null));

    // A missing output re-runs its notebook only: the re-run has the same key, so 01 is still reused.
    fs.rmSync(path.join(tmp, "figures", "00-first.json"));
    const third = await run();
    assert.deepEqual(third.res.runs.map((r) => !!r.cached), [false, true]);
    assert.ok(third.lines.some((l) => /00-first\.ipynb +\(output figures\/00-first\.json missing\)/.test(l)), third.lines.join("\n"));
    assert.ok(fs.existsSync(path.join(tmp, "figures", "00-first.json")), "restored by the re-run");

    // Editing 00 re-runs 00 and then 01 (it may read what 00 wrote).
    fs.appendFileSync(path.join(tmp, "notebooks", "src", "00-first.ts"), "\nconsole.log('edited');\n");
    const fourth = await run();
    assert.deepEqual(fourth.res.runs.map((r) => !!r.cached), [false, false]);
    assert.ok(fourth.lines.some((l) => /01-second\.ipynb +\(inputs changed: an earlier notebook re-ran\)/.test(l)), fourth.lines.join("\n"));
    assert.deepEqual([counter("00-first"), counter("01-second")], [3, 2]);

    const forced = await run(true);
    assert.deepEqual(forced.res.runs.map((r) => !!r.cached), [false, false]);
    assert.deepEqual([counter("00-first"), counter("01-second")], [4, 3]);

    // With --keep-going, a notebook that ran after a failure is not recorded: it may have missed outputs.
    const src = path.join(tmp, "notebooks", "src", "00-first.ts");
    const good = fs.readFileSync(src, "utf8");
    fs.appendFileSync(src, "\n// %%\nthrow new Error('broken on purpose');\n");
    const failed = await run(false, false);
    assert.deepEqual(failed.res.runs.map((r) => r.ok), [false, true]);
    assert.equal(readRecord(path.join(tmp, "notebooks", "executed", "01-second.ipynb")), null, "01 ran after a failure: no record");
    fs.writeFileSync(src, good);
    const repaired = await run();
    assert.deepEqual(repaired.res.runs.map((r) => !!r.cached), [false, false], repaired.lines.join("\n"));
  });
});
