import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { reproduce } from "../lib/notebook/runner";
import { findJupyterPython } from "../lib/notebook/jupyter";
import { POST_STEPS } from "../lib/notebook/post_steps";
import { makeScratchProject, type ScratchProject } from "./scratch_project";


describe("notebook/runner: reproduce end to end in a scratch project", function () {
  this.timeout(180_000);
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
      "// %%", 'import { show, lineWithBands } from "./lib/plots/index";',
      'show(lineWithBands([{ name: "s", x: [1, 2, 3], y: [3, 1, 2] }], { title: "smoke", width: 400, height: 300 }), "00-smoke");',
      "// %%", 'console.log(`profile=${process.env.NANOMORPH_PROFILE}`);',
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
    const displays = nb.cells[1].outputs?.filter((o) => o.output_type === "display_data") ?? [];
    assert.equal(displays.length, 1, "one display_data bundle for one show()");
    assert.deepEqual(Object.keys(displays[0].data ?? {}).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/html", "text/plain"]);
    assert.ok(String((displays[0].data ?? {})["text/html"]).includes("window.Plotly"), "HTML draws via window.Plotly");
    assert.ok(String((displays[0].data ?? {})["text/html"]).length > 3_000_000, "first figure inlines plotly.js");
    assert.match([nb.cells[2].outputs?.[0]?.text ?? ""].flat().join(""), /profile=laptop/);
    for (const ext of ["json", "png", "svg"]) assert.ok(fs.existsSync(path.join(tmp, "figures", `00-smoke.${ext}`)), `figures/00-smoke.${ext}`);
    const rec = JSON.parse(fs.readFileSync(path.join(tmp, "notebooks", "executed", "reproduce.json"), "utf8")) as { ok: boolean; profile: string; notebooks: { wallSec: number }[]; postSteps: { name: string }[] };
    assert.equal(rec.ok, true);
    assert.equal(rec.profile, "laptop");
    assert.equal(rec.notebooks.length, 1);
    assert.ok(rec.notebooks[0].wallSec > 0);
    assert.deepEqual(rec.postSteps.map((p) => p.name), POST_STEPS.map((p) => p.name));
    assert.ok(lines.some((l) => /✓ 00-smoke\.ipynb +\d+\.\d s/.test(l)), lines.join("\n"));
  });
});
