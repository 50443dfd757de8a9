import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { kernelSpec, registerKernelSpec, checkKernelSpec, kernelSpecPath } from "../lib/notebook/kernelspec";
import { listNotebooks, describeFailure, runNotebook, defaultCellTimeout, reproduce, partialNotebookPath, type NotebookRun } from "../lib/notebook/runner";
import { findJupyterPython, jupyterEnv } from "../lib/notebook/jupyter";
import { buildNotebook } from "../lib/notebook/build";
import { POST_STEPS, addPostStep, renderFiguresStep } from "../lib/notebook/post_steps";

const root = path.join(__dirname, "..");

describe("notebook/kernelspec", () => {
  it("runs tslab from the project root through sh, with the connection file as $0", () => {
    const spec = kernelSpec("/some/proj");
    assert.deepEqual(spec.argv, [
      "/bin/sh", "-c", `cd '/some/proj' && exec '${process.execPath}' '/some/proj/lib/notebook/kernel.js' --config-path "$0"`, "{connection_file}",
    ]);
    assert.equal(spec.language, "typescript");
    assert.throws(() => kernelSpec("/it's/here"), /single quote/);
  });

  it("registers into <root>/.jupyter/kernels/tslab and detects a stale or missing spec", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-ks-"));
    try {
      fs.mkdirSync(path.join(tmp, "node_modules", ".bin"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "node_modules", ".bin", "tslab"), "");
      assert.match(checkKernelSpec(tmp).problem ?? "", /missing/);
      const file = registerKernelSpec(tmp);
      assert.equal(file, path.join(tmp, ".jupyter", "kernels", "tslab", "kernel.json"));
      assert.deepEqual(checkKernelSpec(tmp), { ok: true, file });
      fs.writeFileSync(file, JSON.stringify({ ...kernelSpec("/elsewhere") }));
      assert.match(checkKernelSpec(tmp).problem ?? "", /stale/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("notebook/runner: selection and messages", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-nbs-"));
    for (const f of ["01-b.ipynb", "00-a.ipynb", "10-c.ipynb", "notes.ipynb", "02-d.txt"]) fs.writeFileSync(path.join(dir, f), "{}");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists NN-*.ipynb in order and filters by --only numbers", () => {
    assert.deepEqual(listNotebooks(dir).map((f) => path.basename(f)), ["00-a.ipynb", "01-b.ipynb", "10-c.ipynb"]);
    assert.deepEqual(listNotebooks(dir, ["10", "0"]).map((f) => path.basename(f)), ["00-a.ipynb", "10-c.ipynb"]);
    assert.throws(() => listNotebooks(dir, ["05"]), /no notebook 05/);
  });

  it("describes a failure with notebook, cell number, source line and error text", () => {
    const run: NotebookRun = {
      notebook: path.join(root, "notebooks/03-x.ipynb"), output: "/nonexistent/03-x.ipynb", ok: false, wallSec: 1, cells: [],
      failed: { kind: "error", number: 4, message: "Error: boom\n  at x", sourceHead: "doIt();" },
    };
    assert.equal(describeFailure(run, root), "notebooks/03-x.ipynb, cell 4 (doIt();):\n    Error: boom\n      at x");
  });

  it("without a Python that has nbclient, says how to install it (apt and pip) and runs nothing", async () => {
    const jp = findJupyterPython(["/nonexistent/python3", "false"]);
    assert.equal(jp.python, null);
    assert.match(jp.tried.join("\n"), /\/nonexistent\/python3: not found/);
    await assert.rejects(
      reproduce({ root, profile: "ci", pythonCandidates: ["/nonexistent/python3"], build: false, postSteps: [], log: () => undefined }),
      (e: Error) => /no Python with Jupyter's nbclient/.test(e.message) && /apt-get install .*python3-nbclient/.test(e.message) && /pip install nbclient/.test(e.message),
    );
  });

  it("default cell timeouts per profile", () => {
    assert.deepEqual([defaultCellTimeout("ci"), defaultCellTimeout("laptop"), defaultCellTimeout("paper")], [600, 7200, 0]);
  });

  it("post-steps: figures first; addPostStep appends or replaces by name", () => {
    assert.equal(POST_STEPS[0], renderFiguresStep);
    const n = POST_STEPS.length;
    const step = { name: "test-step", run: async () => undefined };
    addPostStep(step);
    addPostStep({ ...step });
    assert.equal(POST_STEPS.length, n + 1);
    POST_STEPS.splice(POST_STEPS.findIndex((s) => s.name === "test-step"), 1);
  });
});

describe("notebook/runner: a real tslab kernel through nbclient", function () {
  this.timeout(120_000);
  const jp = findJupyterPython();
  let tmp: string;
  before(function () {
    if (!jp.python) {
      console.log(`      skipped: no Python with nbclient (${jp.tried.join("; ")}); apt-get install python3-nbclient jupyter-core`);
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-run-"));
    registerKernelSpec(root);
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it("passes the profile through, stops at the failing cell, names it with tslab's error text, saves outputs", async () => {
    const src = [
      "// %% [markdown]", "// # t",
      "// %%", "import { profileName } from \"./dist/lib/config/index\";", "console.log(`profile=${profileName()}`);",
      "// %%", "const n: number = 2;", "throw new Error(`boom-${n * 21}`);",
      "// %%", "console.log(\"never runs\");",
    ].join("\n");
    const nbFile = path.join(tmp, "98-fail.ipynb");
    fs.writeFileSync(nbFile, JSON.stringify(buildNotebook(src, "98-fail")));
    const out = path.join(tmp, "executed", "98-fail.ipynb");
    // The last complete executed copy, from an earlier run: a failing run must leave it as it is.
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, "{\"complete\": true}");
    const run = await runNotebook(jp.python as string, root, nbFile, out, jupyterEnv(root, { NANOMORPH_PROFILE: "laptop", NANOMORPH_INLINE_PNG: "0", NANOMORPH_ECHO_CHARS: "0" }), 60);
    assert.equal(run.ok, false);
    assert.equal(run.failed?.kind, "error");
    assert.equal(run.failed?.number, 3, "markdown cell 1, import cell 2, failing cell 3");
    assert.match(run.failed?.message ?? "", /boom-42/);
    assert.equal(run.failed?.sourceHead, "const n: number = 2;");
    assert.equal(fs.readFileSync(out, "utf8"), "{\"complete\": true}", "the complete copy is kept");
    assert.equal(run.output, partialNotebookPath(out));
    assert.equal(path.basename(run.output), "98-fail.partial.ipynb");
    const saved = JSON.parse(fs.readFileSync(run.output, "utf8")) as { cells: { outputs?: { text?: string | string[] }[] }[]; metadata: { nanomorph?: { partial: boolean; failed_cell: number } } };
    assert.deepEqual([saved.metadata.nanomorph?.partial, saved.metadata.nanomorph?.failed_cell], [true, 3], "marked partial inside too");
    const text = (c: number) => (saved.cells[c].outputs ?? []).map((o) => [o.text ?? ""].flat().join("")).join("");
    assert.match(text(1), /profile=laptop/);
    assert.equal(text(3), "", "cells after the failure do not run");
    assert.equal(run.cells.length, 2);
  });

  it("reports a type error (tslab compiles cells) and a per-cell timeout", async () => {
    const src = ["// %%", "const s: string = 123;"].join("\n");
    const nbFile = path.join(tmp, "97-type.ipynb");
    fs.writeFileSync(nbFile, JSON.stringify(buildNotebook(src, "97-type")));
    const run = await runNotebook(jp.python as string, root, nbFile, path.join(tmp, "e97.ipynb"), jupyterEnv(root, { NANOMORPH_ECHO_CHARS: "0" }), 60);
    assert.equal(run.failed?.number, 1);
    assert.match(run.failed?.message ?? "", /not assignable to type 'string'/);

    const slow = ["// %%", "console.log('start');", "await new Promise((r) => setTimeout(r, 30000));"].join("\n");
    const slowFile = path.join(tmp, "96-slow.ipynb");
    fs.writeFileSync(slowFile, JSON.stringify(buildNotebook(slow, "96-slow")));
    const t0 = Date.now();
    const r2 = await runNotebook(jp.python as string, root, slowFile, path.join(tmp, "e96.ipynb"), jupyterEnv(root, { NANOMORPH_ECHO_CHARS: "0" }), 3);
    assert.equal(r2.failed?.kind, "timeout");
    assert.equal(r2.failed?.number, 1);
    assert.ok(Date.now() - t0 < 25_000, `timed out after ${Date.now() - t0} ms, long before the 30 s sleep`);
    assert.ok(fs.existsSync(path.join(tmp, "e96.partial.ipynb")), "partial executed copy written on timeout too");
    assert.ok(!fs.existsSync(path.join(tmp, "e96.ipynb")));
  });

  it("SIGINT mid-notebook: InterruptedError, the last complete executed copy untouched, nothing passed off as complete", async () => {
    const slow = ["// %%", "console.log('started');", "await new Promise((r) => setTimeout(r, 60000));"].join("\n");
    const nbFile = path.join(tmp, "95-slow.ipynb");
    fs.writeFileSync(nbFile, JSON.stringify(buildNotebook(slow, "95-slow")));
    const out = path.join(tmp, "executed", "95-slow.ipynb");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, "{\"complete\": true}");
    const { clearInterrupt, InterruptedError } = await import("../lib/util/interrupt");
    // A real signal to this process, once the cell runs; runNotebook's handler catches it and forwards
    // it to the driver (mocha's own process is not stopped: the handler replaces Node's default).
    const timer = setTimeout(() => process.kill(process.pid, "SIGINT"), 12000);
    const t0 = Date.now();
    try {
      await assert.rejects(runNotebook(jp.python as string, root, nbFile, out, jupyterEnv(root, { NANOMORPH_ECHO_CHARS: "0" }), 120),
        (e: Error) => e instanceof InterruptedError && /95-slow\.ipynb was stopped; the last complete executed copy 95-slow\.ipynb is unchanged/.test(e.message));
    } finally {
      clearTimeout(timer);
      clearInterrupt();
    }
    assert.ok(Date.now() - t0 < 40000, `${Date.now() - t0} ms`);
    assert.equal(fs.readFileSync(out, "utf8"), "{\"complete\": true}");
  });

  it("kernelspec under the project's .jupyter is the one Jupyter uses", () => {
    assert.ok(fs.existsSync(kernelSpecPath(root)));
    assert.equal(jupyterEnv(root).JUPYTER_PATH?.split(path.delimiter)[0], path.join(root, ".jupyter"));
  });
});
