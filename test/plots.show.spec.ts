import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { show, mimeBundle, figureHtml, describeFigure, PLOTLY_MIME } from "../lib/plots/index";
import { scriptSafe, kernelDisplayWriter, plainFigure } from "../lib/plots/show";
import type { Figure } from "../lib/plots/index";

const fig: Figure = { data: [{ type: "scatter", x: [1, 2], y: [3, 4], name: "</script><b>" }], layout: { title: { text: "T" }, height: 321 } };

describe("plots/show: mime bundle", () => {
  it("has Plotly JSON, HTML and text, and a base64 PNG only when given", () => {
    const b = mimeBundle(fig, { includePlotlyJs: false, divId: "d1", name: "00-x" });
    assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
    assert.deepEqual(b[PLOTLY_MIME], { data: fig.data, layout: fig.layout });
    const withPng = mimeBundle(fig, { includePlotlyJs: false, divId: "d1", png: new Uint8Array([1, 2, 3]) });
    assert.equal(withPng["image/png"], "AQID"); // base64 of 01 02 03
  });

  it("inlines plotly.js only when asked; the HTML always draws through window.Plotly", () => {
    const first = figureHtml(fig, "d1", true);
    const later = figureHtml(fig, "d2", false);
    assert.ok(first.length > 3_000_000, `first figure carries plotly.js (${first.length} chars)`);
    assert.ok(later.length < 5_000, `later figures reference window.Plotly only (${later.length} chars)`);
    assert.match(later, /window\.Plotly\.newPlot/);
    assert.match(later, /id="d2"/);
    assert.match(later, /height:321px/);
  });

  it("never lets figure data close the script tag", () => {
    const html = figureHtml(fig, "d", false);
    const scripts = html.split("<script").length - 1;
    assert.equal(scripts, 1);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 1, "only the real closing tag");
    assert.equal(scriptSafe("a</script>b<!--c"), "a<\\/script>b<\\!--c");
  });

  it("plainFigure turns typed arrays into arrays and non-finite numbers into null (JSON-safe)", () => {
    const f = { data: [{ type: "scatter", x: new Float32Array([1, 2]), y: [NaN, 3] }], layout: { width: Infinity } } as unknown as Figure;
    const p = plainFigure(f);
    assert.deepEqual(p, { data: [{ type: "scatter", x: [1, 2], y: [null, 3] }], layout: { width: null } });
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  it("describes the figure in text/plain", () => {
    assert.equal(describeFigure(fig, "00-x"), '<Figure 00-x: "T" — 1 trace(s): scatter>');
  });
});

describe("plots/show: show() outside a kernel", () => {
  let dir: string;
  let prev: string | undefined;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-fig-"));
    prev = process.env.NANOMORPH_FIGURES;
    process.env.NANOMORPH_FIGURES = dir;
  });
  after(() => {
    if (prev === undefined) delete process.env.NANOMORPH_FIGURES;
    else process.env.NANOMORPH_FIGURES = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is not in a kernel here, saves figures/<name>.json and displays nothing", () => {
    assert.equal(kernelDisplayWriter(), null);
    show(fig, "99-test-figure");
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "99-test-figure.json"), "utf8"));
    assert.deepEqual(saved, fig);
  });

  it("leaves an unchanged spec file untouched (so its PNG/SVG stay up to date) and rewrites a changed one", () => {
    const file = path.join(dir, "99-same.json");
    show(fig, "99-same");
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000); // whole seconds: mtimes round-trip exactly
    fs.utimesSync(file, old, old);
    show(fig, "99-same");
    assert.ok(Math.abs(fs.statSync(file).mtimeMs - old.getTime()) < 1, "same content: not rewritten");
    show({ ...fig, layout: { ...fig.layout, height: 333 } }, "99-same");
    assert.ok(fs.statSync(file).mtimeMs > old.getTime(), "changed content: rewritten");
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).layout.height, 333);
  });

  it("rejects unsafe names and non-figures", () => {
    assert.throws(() => show(fig, "../escape"), /must match/);
    assert.throws(() => show({} as Figure, "x"), /not a Figure/);
  });
});
