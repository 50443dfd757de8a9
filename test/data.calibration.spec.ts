// readCalibration / resolveCalibration (lib/data/calibration.ts): conversion of file axes to nm, the
// order user --nm-per-px > file metadata > fallback > null, and errors naming the file or option.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { axesCalibration, calibrationColumns, calibrationFromAxes, calibrationProvenance, formatCalibration, nmPerPxProblem, readCalibration, readCalibrationReport, resolveCalibration, userCalibration, Calibration } from "../lib/data/calibration";
import { dmImage, group, writeDm } from "./dm_writer";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-cal-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const dm = path.join(tmp, "a.dm3");
const png = path.join(tmp, "b.png");
before(async () => {
  const img = dmImage([4, 2], 2, 6, [1, 2, 3, 4, 5, 6, 7, 8], [{ scale: 2.5, units: "Å", origin: 0 }, { scale: 0.003, units: "µm", origin: 0 }]);
  fs.writeFileSync(dm, writeDm(group([["ImageList", group([["", img]])]]), 3, true));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(png);
});

describe("data: calibration from files", () => {
  it("converts each axis of the file to nm separately and keeps what the file says", async () => {
    const c = await readCalibration(dm);
    assert.ok(c);
    assert.ok(Math.abs(c.nmPerPxX - 0.25) < 1e-7);
    assert.ok(Math.abs(c.nmPerPxY - 3) < 1e-6);
    assert.equal(c.source, "file");
    assert.equal(c.confidence, 1);
    assert.equal(c.original?.x.unit, "Å");
    assert.equal(c.original?.y.unit, "µm");
    assert.match(formatCalibration(c), /^x 0\.25, y 3 nm\/px \(file: dm3 .*file says x 2\.5 Å, y 0\.003 µm\)$/);
  });

  it("has no calibration for a PNG, an uncalibrated axis or a non-length unit", async () => {
    assert.equal(await readCalibration(png), null);
    assert.equal(calibrationFromAxes({ scale: 1, unit: "", origin: 0 }, { scale: 1, unit: "", origin: 0 }, "d"), null);
    assert.equal(calibrationFromAxes({ scale: 0.1, unit: "1/nm", origin: 0 }, { scale: 0.1, unit: "1/nm", origin: 0 }, "d"), null);
    assert.equal(calibrationFromAxes({ scale: 0, unit: "nm", origin: 0 }, { scale: 1, unit: "nm", origin: 0 }, "d"), null);
    assert.equal(calibrationFromAxes(null, { scale: 1, unit: "nm", origin: 0 }, "d"), null);
    assert.equal(formatCalibration(null), "none");
  });

  it("resolves in the order user value, file metadata, fallback, none", async () => {
    const calls: string[] = [];
    const fallback = async (f: string): Promise<Calibration | null> => {
      calls.push(f);
      return { nmPerPxX: 7, nmPerPxY: 7, source: "scalebar", detail: "200 nm bar", confidence: 0.8 };
    };
    const u = await resolveCalibration(dm, { nmPerPx: 1.5, fallback });
    assert.deepEqual([u?.source, u?.nmPerPxX, u?.nmPerPxY], ["user", 1.5, 1.5]);
    const f = await resolveCalibration(dm, { fallback });
    assert.equal(f?.source, "file");
    assert.deepEqual(calls, [], "the fallback is not called when the file has a calibration");
    const s = await resolveCalibration(png, { fallback });
    assert.equal(s?.source, "scalebar");
    assert.deepEqual(calls, [png]);
    assert.equal(await resolveCalibration(png), null);
    assert.equal(await resolveCalibration(png, { fallback: async () => null }), null);
  });

  it("names the option for a bad --nm-per-px and the file for an unreadable one", async () => {
    await assert.rejects(resolveCalibration(dm, { nmPerPx: -1 }), /--nm-per-px/);
    const bad = path.join(tmp, "bad.dm4");
    fs.writeFileSync(bad, Buffer.from("not a dm file at all"));
    await assert.rejects(readCalibration(bad), (e: Error) => e.message.includes(bad) && /DigitalMicrograph/.test(e.message));
  });
});

describe("data: calibration range rule and provenance", () => {
  it("one range rule: 1e-6…1e9 nm/px, finite and positive (closed form)", () => {
    for (const ok of [1e-6, 0.0125, 1, 2615, 1e9]) assert.equal(nmPerPxProblem(ok), null, String(ok));
    for (const bad of [0, -1, NaN, Infinity, 1e308, 9e-7, 1.1e9]) assert.ok(nmPerPxProblem(bad), String(bad));
    assert.match(nmPerPxProblem(1e308) ?? "", /outside the physical range 1e-6…1e9 nm\/px/);
    assert.throws(() => userCalibration(1e308), /--nm-per-px must be a positive number of nanometres per pixel in 1e-6…1e9 nm\/px/);
    assert.equal(userCalibration(1e9).nmPerPxX, 1e9);
  });

  it("unusable axes give the reason: undefined unit, zero, NaN, out of range", () => {
    const ax = (scale: number, unit: string): { scale: number; unit: string; origin: number } => ({ scale, unit, origin: 0 });
    assert.match(axesCalibration(ax(1, "<undefined>"), ax(1, "<undefined>"), "T").reason ?? "", /^T: x unit is undefined \(uncalibrated axis\)$/);
    assert.match(axesCalibration(ax(1, "nm"), ax(0, "nm"), "T").reason ?? "", /^T: y pixel size 0 nm is not a positive number$/);
    assert.match(axesCalibration(ax(NaN, "m"), ax(1, "m"), "T").reason ?? "", /x pixel size NaN m is not a positive number/);
    assert.match(axesCalibration(ax(0.1, "1/nm"), ax(0.1, "1/nm"), "T").reason ?? "", /x unit '1\/nm' is not a length unit/);
    assert.match(axesCalibration(ax(2, "m"), ax(2, "m"), "T").reason ?? "", /2 m = 2000000000 nm\/px is outside the physical range/);
    const c = axesCalibration(ax(0.5, "micrometer"), ax(2, "Å"), "T", "sidecar").calibration;
    assert.deepEqual([c?.nmPerPxX, c?.nmPerPxY, c?.source], [500, 0.2, "sidecar"]);
  });

  it("a fallback (scale bar) outside the physical range is dropped, not used", async () => {
    const huge = async (): Promise<Calibration | null> => ({ nmPerPxX: 1e12, nmPerPxY: 1e12, source: "scalebar", detail: "misread", confidence: 0.5 });
    assert.equal(await resolveCalibration(png, { fallback: huge }), null);
  });

  it("provenance in one phrase and as table columns", () => {
    const s: Calibration = { nmPerPxX: 2, nmPerPxY: 8, source: "scalebar", detail: "scale bar '100 nm' = 50.0 px", confidence: 0.876 };
    assert.equal(calibrationProvenance(s), "scalebar: scale bar '100 nm' = 50.0 px (confidence 0.88)");
    assert.equal(calibrationProvenance(userCalibration(1.5)), "user: --nm-per-px");
    assert.equal(calibrationProvenance(null, "no calibration metadata in a.png"), "none: no calibration metadata in a.png");
    assert.deepEqual(calibrationColumns(s), { nmPerPx: 4, calibrationSource: "scalebar", calibrationFrom: calibrationProvenance(s) });
    assert.deepEqual(calibrationColumns(null), { nmPerPx: "", calibrationSource: "none", calibrationFrom: "none" });
  });

  it("readCalibrationReport says why a PNG has none", async () => {
    const r = await readCalibrationReport(png);
    assert.equal(r.calibration, null);
    assert.match(r.reason ?? "", /^no calibration metadata in b\.png and no JEOL\/Hitachi \.txt sidecar$/);
  });
});
