import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeMask } from "../lib/image/mask";
import { extractParticles } from "../lib/particles/extract";
import { particleOverlay, sizeHistogramFigure, measuredVsTrueFigure, detectionScoresFigure } from "../lib/particles/figures";
import { imageRecord } from "../lib/particles/records";
import { summariseMatch } from "../lib/particles/match";
import { userCalibration } from "../lib/data/calibration";
import { recordSummary, writeReport } from "../lib/report/index";

describe("particles/figures and report", () => {
  const mask = makeMask(60, 40, (x, y) => Math.hypot(x - 20, y - 20) <= 8 || Math.hypot(x - 58, y - 20) <= 5);
  const parts = extractParticles(mask, userCalibration(2));

  it("tints kept particles in colour and dropped ones grey, leaving the background untouched", () => {
    const grey = { width: 60, height: 40, grey: new Float32Array(60 * 40).fill(0.5) };
    const img = particleOverlay(grey, parts);
    const px = (x: number, y: number): number[] => Array.from(img.data.slice(3 * (y * 60 + x), 3 * (y * 60 + x) + 3) as Float32Array);
    const [r, g, b] = px(20, 20);
    assert.ok(Math.max(r, g, b) - Math.min(r, g, b) > 0.05, `kept particle tinted: ${[r, g, b]}`);
    const d = px(57, 20);
    assert.ok(Math.abs(d[0] - d[1]) < 1e-6 && Math.abs(d[1] - d[2]) < 1e-6, "dropped (border) particle grey");
    assert.deepEqual(px(40, 5), [0.5, 0.5, 0.5]);
    assert.deepEqual(parts.dropped, { border: 1, tooSmall: 0, scaleBar: 0, notParticle: 0, found: 2, kept: 1 });
  });

  it("builds histogram, measured-vs-true and score figures with the unit in the axis title", () => {
    const rec = { ...imageRecord({ file: "a.png", class: "small", width: 60, height: 40, calibration: userCalibration(2), maskSource: "test", extracted: parts }) };
    const h = sizeHistogramFigure([rec]);
    assert.equal(h.data.length, 1);
    assert.match(JSON.stringify(h.layout), /equivalent diameter \(nm\)/);
    const s = measuredVsTrueFigure([{ image: 0, trueDiameter: 10, measuredDiameter: 10.5, touching: false }, { image: 0, trueDiameter: 20, measuredDiameter: 19, touching: true }]);
    assert.equal(s.data.length, 3, "isolated, touching, y = x");
    const m = summariseMatch([{ predicted: 0, truth: 0, iou: 0.9, predictedDiameter: 10, trueDiameter: 10 }], [10, 12], [10]);
    const f = detectionScoresFigure({ test: m });
    assert.deepEqual((f.data[0] as unknown as { y: number[] }).y, [0.5]);
  });

  it("lists the particles section in REPORT.md as beyond the paper", () => {
    const saved = { ...process.env };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-particles-report-"));
    try {
      process.env.NANOMORPH_RESULTS = path.join(dir, "results");
      process.env.NANOMORPH_FIGURES = path.join(dir, "figures");
      fs.mkdirSync(process.env.NANOMORPH_FIGURES, { recursive: true });
      fs.writeFileSync(path.join(process.env.NANOMORPH_FIGURES, "07-size-histograms.json"), JSON.stringify({ data: [], layout: { title: { text: "sizes" } } }));
      recordSummary({ section: "particles", data: "real", figures: ["07-size-histograms"], setting: "test", values: { "EMPS, Otsu": { precision: 0.3 } } });
      const text = fs.readFileSync(writeReport(), "utf8");
      assert.match(text, /\| 07-size-histograms \| sizes \| \(spec only\) \| real \| beyond the paper \|/);
      assert.match(text, /### Particle sizes and shapes \(beyond the paper\)/);
      assert.match(text, /Beyond the paper: the paper classifies/);
      assert.match(text, /\| EMPS, Otsu \| precision: 0\.300 \|/);
    } finally {
      process.env = { ...saved };
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
