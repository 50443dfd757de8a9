import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { reproduce } from "../lib/notebook/runner";
import { findJupyterPython } from "../lib/notebook/jupyter";
import { POST_STEPS } from "../lib/notebook/post_steps";
import { makeScratchProject, type ScratchProject } from "./scratch_project";
import { ParameterError } from "../lib/notebook/parameters";
import type { RunReport } from "../lib/notebook/run_report";


describe("notebook/runner: reproduce end to end in a scratch project", function () {
  this.timeout(300_000);
  const jp = findJupyterPython();
  let scratch: ScratchProject | undefined;
  let tmp: string;
  before(function () {
    if (!jp.python) {
      console.log(`      skipped: no Python with nbclient (${jp.tried.join("; ")})`);
      this.skip();
    }
    scratch = makeScratchProject("reproduce-");
    tmp = scratch.dir;
    fs.writeFileSync(path.join(tmp, "notebooks", "src", "00-smoke.ts"), [
      "// %% [markdown]", "// # smoke",
      "// %%", 'import { show, lineWithBands } from "./dist/lib/plots/index";',
      '// %% tags=["parameters"]', 'let greeting: string = "hi"; // what to print', "let xs: number[] = [1, 2, 3];",
      "// %%", 'show(lineWithBands([{ name: "s", x: xs, y: [3, 1, 2] }], { title: "smoke", width: 400, height: 300 }), "00-smoke");',
      "// %%", 'console.log(`profile=${process.env.NANOMORPH_PROFILE}`);', 'console.log(`greeting=${greeting} xs=${xs.join(",")}`);',
    ].join("\n"));
  });
  after(() => scratch?.remove());

  it("registers the kernelspec, builds, runs, saves one Plotly bundle (+PNG), renders the figure, records timings", async () => {
    const lines: string[] = [];
    const prevEcho = process.env.NANOMORPH_ECHO_CHARS;
    process.env.NANOMORPH_ECHO_CHARS = "0";
    let res;
    try {
      res = await reproduce({ root: tmp, profile: "laptop", inlinePng: true, log: (l) => lines.push(l) });
    } finally {
      if (prevEcho === undefined) delete process.env.NANOMORPH_ECHO_CHARS;
      else process.env.NANOMORPH_ECHO_CHARS = prevEcho;
    }
    assert.equal(res.ok, true, `${res.failure}\n${lines.join("\n")}`);
    assert.ok(fs.existsSync(path.join(tmp, ".jupyter", "kernels", "tslab", "kernel.json")));
    assert.ok(fs.existsSync(path.join(tmp, "notebooks", "00-smoke.ipynb")), "built from src");
    const nb = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "00-smoke.ipynb"), "utf8")) as {
      cells: { outputs?: { output_type: string; data?: Record<string, unknown>; text?: string | string[] }[] }[];
    };
    const displays = nb.cells[3].outputs?.filter((o) => o.output_type === "display_data") ?? [];
    assert.equal(displays.length, 1, "one display_data bundle for one show()");
    assert.deepEqual(Object.keys(displays[0].data ?? {}).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/html", "text/plain"]);
    assert.ok(String((displays[0].data ?? {})["text/html"]).includes("window.Plotly"), "HTML draws via window.Plotly");
    assert.ok(String((displays[0].data ?? {})["text/html"]).length > 3_000_000, "first figure inlines plotly.js");
    assert.match((nb.cells[4].outputs ?? []).map((o) => [o.text ?? ""].flat().join("")).join(""), /profile=laptop\ngreeting=hi xs=1,2,3/);
    for (const ext of ["json", "png", "svg"]) assert.ok(fs.existsSync(path.join(tmp, "figures", `00-smoke.${ext}`)), `figures/00-smoke.${ext}`);
    const rec = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "run.json"), "utf8")) as RunReport;
    assert.equal(rec.ok, true);
    assert.equal(rec.profile, "laptop");
    assert.equal(rec.notebooks.length, 1);
    assert.ok(rec.notebooks[0].wallSec > 0);
    assert.equal(rec.notebooks[0].status, "ok");
    assert.deepEqual(rec.notebooks[0].parameters, {});
    assert.deepEqual(rec.notebooks[0].cells.map((c) => [c.number, c.status]), [[2, "ok"], [3, "ok"], [4, "ok"], [5, "ok"]], "code cells by 1-based number");
    assert.ok(rec.notebooks[0].cells.every((c) => c.peakMb === null || c.peakMb > 10), JSON.stringify(rec.notebooks[0].cells));
    if (process.platform === "linux") assert.ok(rec.notebooks[0].cells.every((c) => typeof c.peakMb === "number") && (rec.notebooks[0].peakMb ?? 0) >= Math.max(...rec.notebooks[0].cells.map((c) => c.peakMb ?? 0)), "peak memory per cell and overall on Linux");
    assert.ok(rec.history.laptop["00-smoke.ipynb"].wallSec > 0, "history keeps the timing for estimates");
    assert.deepEqual(rec.postSteps.map((p) => p.name), POST_STEPS.map((p) => p.name));
    assert.ok(lines.some((l) => /✓ 00-smoke\.ipynb +\d+\.\d s/.test(l)), lines.join("\n"));
  });

  it("injects -p values after the parameters cell, records them, keys the cache on them, prints an estimate", async () => {
    const quiet = { NANOMORPH_ECHO_CHARS: "0" } as Record<string, string>;
    const prev = process.env.NANOMORPH_ECHO_CHARS;
    Object.assign(process.env, quiet);
    const go = async (cli: { key: string; raw: string }[]) => {
      const lines: string[] = [];
      const res = await reproduce({ root: tmp, profile: "laptop", inlinePng: false, postSteps: [], parameters: { cli, file: [] }, log: (l) => lines.push(l) });
      return { res, lines };
    };
    try {
      const a = await go([{ key: "greeting", raw: "yo" }, { key: "xs", raw: "1,2,5" }]);
      assert.equal(a.res.ok, true, `${a.res.failure}\n${a.lines.join("\n")}`);
      assert.ok(a.lines.some((l) => /^estimate if nothing is reused \(last runs, profile laptop\): 00 \d+ s · about \d+ s$/.test(l)), a.lines.join("\n"));
      assert.ok(a.lines.some((l) => /inputs changed: .*parameters/.test(l)), "the parameters changed the key");
      const nb = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "00-smoke.ipynb"), "utf8")) as {
        metadata: { papermill?: { parameters: unknown } }; cells: { metadata: { tags?: string[] }; source: string | string[]; outputs?: { text?: string | string[] }[] }[];
      };
      assert.deepEqual(nb.cells[2].metadata.tags, ["parameters"]);
      assert.deepEqual(nb.cells[3].metadata.tags, ["injected-parameters"]);
      assert.deepEqual(nb.metadata.papermill?.parameters, { greeting: "yo", xs: [1, 2, 5] });
      assert.match((nb.cells[5].outputs ?? []).map((o) => [o.text ?? ""].flat().join("")).join(""), /greeting=yo xs=1,2,5/);
      const rec = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "run.json"), "utf8")) as RunReport;
      assert.deepEqual(rec.notebooks[0].parameters, { greeting: "yo", xs: [1, 2, 5] });
      assert.equal(rec.notebooks[0].status, "ok");

      const b = await go([{ key: "xs", raw: "1,2,5" }, { key: "greeting", raw: "yo" }]);
      assert.deepEqual(b.res.runs.map((r) => !!r.cached), [true], "same values: reused");
      const c = await go([]);
      assert.deepEqual(c.res.runs.map((r) => !!r.cached), [false], "back to the defaults: runs again");

      await assert.rejects(go([{ key: "greting", raw: "x" }]), (e: Error) => e instanceof ParameterError && /unknown parameter 'greting'.*greeting \(string\), xs \(number\[\]\)/.test(e.message));
      await assert.rejects(go([{ key: "xs", raw: "a" }]), /parameter 'xs' is a number\[\], got 'a'/);
    } finally {
      if (prev === undefined) delete process.env.NANOMORPH_ECHO_CHARS;
      else process.env.NANOMORPH_ECHO_CHARS = prev;
    }
  });
});
