import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command as quantify } from "../lib/cli/quantify";
import { makeMask } from "../lib/image/mask";
import { drawBar } from "../lib/quantify/draw";
import { encodeMaskPng } from "../lib/quantify/mask_io";

async function quiet(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try { return { code: await run(), out: lines.join("\n") }; } finally { console.log = orig; }
}

describe("quantify units (nm with --nm-per-px)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-quantify-units-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    const m = makeMask(60, 40);
    drawBar(m, 30, 12, 40, 4, 0);
    drawBar(m, 30, 30, 30, 3, 0);
    fs.writeFileSync(path.join(dir, "bars.png"), await encodeMaskPng(m));
  });

  const csv = (file: string): Array<Record<string, string>> => {
    const [head, ...rows] = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(","));
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  };

  it("adds nm and nm² columns that are the px values scaled by the pixel size, with the unit stated", async () => {
    const out = path.join(dir, "nm");
    const r = await quiet(() => quantify.run(["--masks", dir, "--nm-per-px", "2.5", "--out", out, "--json"]));
    assert.equal(r.code, 0);
    const [rep] = JSON.parse(r.out);
    assert.equal(rep.unit, "nm");
    assert.equal(rep.calibration.nmPerPxX, 2.5);
    assert.equal(rep.calibration.source, "user");
    const [row] = csv(path.join(out, "quantify.csv"));
    assert.equal(row.unit, "nm");
    assert.equal(Number(row.nmPerPx), 2.5);
    assert.deepEqual([row.calibrationSource, row.calibrationFrom], ["user", "user: --nm-per-px"], "each row says where its nm/px came from");
    const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
    near(Number(row.meanDomainAreaNm2), Number(row.meanDomainArea) * 6.25, "area nm²");
    near(Number(row.totalLengthNm), Number(row.totalLength) * 2.5, "length nm");
    near(Number(row.meanLengthNm), Number(row.meanLength) * 2.5, "mean length nm");
    near(Number(row.meanWidthNm), Number(row.meanWidth) * 2.5, "width nm");
    const d = rep.measure.domains[0];
    near(d.medianWidthNm, d.medianWidth * 2.5, "domain median width nm");
    near(d.areaWidthNm, d.areaWidth * 2.5, "domain area width nm");
    const t = await quiet(() => quantify.run(["--masks", dir, "--nm-per-px", "2.5"]));
    assert.match(t.out, /meanDomainAreaNm2/);
    assert.match(t.out, /2\.5 nm\/px from --nm-per-px/);
  });

  it("without a pixel size writes no empty nm columns and says the unit is px", async () => {
    const out = path.join(dir, "px");
    await quiet(() => quantify.run(["--masks", dir, "--out", out]));
    const [row] = csv(path.join(out, "quantify.csv"));
    assert.equal(row.unit, "px");
    assert.equal(row.calibrationSource, "none");
    assert.ok(!Object.keys(row).some((k) => k.endsWith("Nm") || k.endsWith("Nm2") || k === "nmPerPx"), Object.keys(row).join(","));
    const t = await quiet(() => quantify.run(["--masks", dir]));
    assert.match(t.out, /lengths in px, areas in px²/);
  });

  it("refuses a pixel size outside the physical range 1e-6…1e9 nm/px, naming the option", async () => {
    for (const v of ["1e308", "0", "1e-7", "NaN"]) {
      await assert.rejects(quantify.run(["--masks", dir, "--nm-per-px", v]), /--nm-per-px must be a positive number of nm per pixel in 1e-6…1e9 nm\/px/, v);
    }
  });
});
