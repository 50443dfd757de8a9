// readCalibration / resolveCalibration (lib/data/calibration.ts): conversion of file axes to nm, the
// order user --nm-per-px > file metadata > fallback > null, and errors naming the file or option.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { calibrationFromAxes, formatCalibration, readCalibration, resolveCalibration, Calibration } from "../lib/data/calibration";
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
