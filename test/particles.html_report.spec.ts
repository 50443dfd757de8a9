import { strict as assert } from "assert";
import { makeMask } from "../lib/image/mask";
import { extractParticles } from "../lib/particles/extract";
import { imageRecord, summariseImages, type ImageRecord } from "../lib/particles/records";
import { userCalibration } from "../lib/data/calibration";
import { escapeHtml, particlesHtml, sizeHistograms, tableCell, tableColumns } from "../lib/particles/html_report";

describe("particles/html_report", () => {
  const mask = makeMask(60, 40, (x, y) => Math.hypot(x - 20, y - 20) <= 8 || Math.hypot(x - 40, y - 20) <= 5);
  const nm = extractParticles(mask, userCalibration(2));
  const px = extractParticles(mask, null);
  const rec = (file: string, cls: string, parts: typeof nm, cal: ReturnType<typeof userCalibration> | null): ImageRecord =>
    imageRecord({ file, class: cls, width: 60, height: 40, calibration: cal, maskSource: "test", extracted: parts });

  it("formats cells (3 decimals, integers as they are, NaN empty) and escapes HTML", () => {
    assert.deepEqual([tableCell(3), tableCell(2.34567), tableCell(NaN), tableCell("a"), tableCell(null)], ["3", "2.346", "", "a", ""]);
    assert.equal(escapeHtml(`a<b>&"c`), "a&lt;b&gt;&amp;&quot;c");
    assert.deepEqual(tableColumns([{ a: 1, b: 2 }, { c: 3, a: 4 }]), ["a", "b", "c"]);
  });

  it("draws one histogram per length unit, one series per class, and none without particles", () => {
    const images = [rec("a.png", "x", nm, userCalibration(2)), rec("b.png", "y", nm, userCalibration(2)), rec("c.png", "x", px, null)];
    const figs = sizeHistograms(images);
    assert.equal(figs.length, 2, "nm and px apart: never mixed in one axis");
    assert.deepEqual(figs[0].data.map((d) => (d as { name?: string }).name), ["x", "y"]);
    assert.match(JSON.stringify(figs[1].layout), /equivalent diameter \(px\)/);
    const empty = extractParticles(makeMask(20, 20), null);
    assert.equal(sizeHistograms([rec("e.png", "", empty, null)]).length, 0);
    const page = particlesHtml({ images: [rec("e.png", "", empty, null)], summary: summariseImages([rec("e.png", "", empty, null)]), thumbnails: {} });
    assert.match(page, /No particle was kept: no histogram/);
    assert.doesNotMatch(page, /Plotly\.newPlot/, "no plotly.js when there is nothing to plot");
  });

  it("escapes hostile file names and class names everywhere they appear", () => {
    const bad = `<img src=x onerror=alert(1)>&".png`;
    const images = [{ ...rec(bad, "<script>", nm, userCalibration(2)), outputs: { instances: "i.png", overlay: `${bad}_overlay.png` } }];
    const page = particlesHtml({ images, summary: summariseImages(images), thumbnails: { [bad]: "data:image/png;base64,AAAA" }, settings: { note: "</pre><script>x()</script>" } });
    assert.ok(!page.includes("<img src=x"), "the name is not markup");
    assert.ok(!page.includes("<script>x()"), "settings are escaped");
    assert.ok(page.includes("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;.png"));
    assert.ok(!page.includes("<td><script>"), "class name escaped in the per-class table");
  });
});
