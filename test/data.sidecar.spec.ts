// JEOL and Hitachi SEM sidecars (lib/data/formats/sidecar.ts through readCalibrationReport): an
// image with a `.txt` of the same name. HyperSpy 1.7.3 reads neither, so expected values are closed
// forms of the fields written (marker / bar px, rescaled by $CM_FULL_SIZE width / image width; the
// Hitachi PixelSize in nm), following the readers named in the module comment.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { readCalibrationReport } from "../lib/data/calibration";
import { hitachiScale, jeolScale, parseJeolText, sidecarFile, sidecarText } from "../lib/data/formats/sidecar";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-sidecar-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function image(name: string, width: number, height: number): Promise<string> {
  const f = path.join(tmp, name);
  const s = sharp({ create: { width, height, channels: 3, background: { r: 90, g: 90, b: 90 } } });
  await (name.endsWith(".png") ? s.png() : name.endsWith(".jpg") ? s.jpeg() : s.tiff()).toFile(f);
  return f;
}

const JEOL = (bar: number, marker: string, full = "1280 960"): string =>
  `$CM_FORMAT JEOL/SEM\r\n$CM_VERSION 1.0\r\n$CM_INSTRUMENT JSM-7800F\r\n$CM_SIGNAL SEI\r\n$CM_MAG 10000\r\n$CM_ACCEL_VOLT 5.00\r\n$CM_FULL_SIZE ${full}\r\n$$SM_MICRON_BAR ${bar}\r\n$$SM_MICRON_MARKER ${marker}\r\n`;
const HITACHI = (px: string, size = "1280x960"): string =>
  `[SemImageFile]\r\nInstructName=SU8230\r\nSerialNumber=123189-06\r\nDataSize=${size}\r\nPixelSize=${px}\r\nMagnification=10000\r\nAcceleratingVoltage=5000 Volt\r\nWorkingDistance=8100 um\r\n`;

describe("data/formats: JEOL and Hitachi .txt sidecars", function () {
  this.timeout(30000);

  it("JEOL: pixel size = $$SM_MICRON_MARKER / $$SM_MICRON_BAR, on TIFF, JPEG and PNG exports", async () => {
    for (const [name, bar, marker, nm] of [["j1.tif", 180, "5um", 5000 / 180], ["j2.jpg", 240, "100nm", 100 / 240], ["j3.png", 200, "1mm", 1e6 / 200]] as const) {
      const f = await image(name, 1280, 1024); // 1280 × 960 scan + the info bar below
      fs.writeFileSync(f.replace(/\.\w+$/, ".txt"), JEOL(bar, marker));
      const r = await readCalibrationReport(f);
      assert.ok(r.calibration, `${name}: ${r.reason}`);
      assert.ok(Math.abs(r.calibration.nmPerPxX - nm) < 1e-9 * nm, `${name}: ${r.calibration.nmPerPxX} vs ${nm}`);
      assert.equal(r.calibration.nmPerPxY, r.calibration.nmPerPxX);
      assert.equal(r.calibration.source, "sidecar");
      assert.match(r.calibration.detail, /JEOL sidecar j\d\.txt/);
    }
  });

  it("JEOL: an image saved at another width than $CM_FULL_SIZE is rescaled by that width ratio", async () => {
    const f = await image("j_half.tif", 640, 512);
    fs.writeFileSync(path.join(tmp, "j_half.txt"), JEOL(180, "5um"));
    const r = await readCalibrationReport(f);
    assert.ok(r.calibration);
    assert.ok(Math.abs(r.calibration.nmPerPxX - (5000 / 180) * 2) < 1e-9);
    assert.match(r.calibration.detail, /× 1280\/640 px/);
  });

  it("JEOL: a channelling-pattern marker in degrees, or a bar without a marker, gives no calibration and says why", async () => {
    assert.match((jeolScale(JEOL(180, "5deg."), 1280, "x.txt") as { reason: string }).reason, /angle/);
    assert.match((jeolScale("$$SM_MICRON_BAR 180\n", 1280, "x.txt") as { reason: string }).reason, /no \$\$SM_MICRON_MARKER/);
    const f = await image("j_zero.png", 1280, 960);
    fs.writeFileSync(path.join(tmp, "j_zero.txt"), JEOL(0, "5um"));
    const r = await readCalibrationReport(f);
    assert.equal(r.calibration, null);
    assert.match(r.reason ?? "", /JEOL sidecar j_zero\.txt.*Infinity um is not a positive number/);
    assert.equal(jeolScale("$CM_MAG 100\n", 1280, "x.txt"), null);
    assert.deepEqual([...parseJeolText("$CM_MAG 5000\n$$SM_WD 8.1\n").entries()], [["CM_MAG", "5000"], ["SM_WD", "8.1"]]);
  });

  it("Hitachi: [SemImageFile] PixelSize in nm; UTF-16 text with a byte-order mark too", async () => {
    const f = await image("h1.tif", 1280, 1024);
    fs.writeFileSync(path.join(tmp, "h1.txt"), HITACHI("24.80"));
    const r = await readCalibrationReport(f);
    assert.equal(r.calibration?.nmPerPxX, 24.8);
    assert.equal(r.calibration?.source, "sidecar");
    assert.match(r.calibration?.detail ?? "", /Hitachi sidecar h1\.txt \[SemImageFile\] PixelSize/);
    const g = await image("h2.jpg", 1280, 960);
    fs.writeFileSync(path.join(tmp, "h2.txt"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HITACHI("3.1"), "utf16le")]));
    assert.equal((await readCalibrationReport(g)).calibration?.nmPerPxX, 3.1);
    assert.equal(sidecarText(Buffer.from("PixelSize=1 \xb5m", "latin1")), "PixelSize=1 µm");
  });

  it("Hitachi: a PixelSize of another image width (DataSize), zero or not a number gives no calibration and says why", async () => {
    const f = await image("h_small.png", 640, 480);
    fs.writeFileSync(path.join(tmp, "h_small.txt"), HITACHI("24.8"));
    const r = await readCalibrationReport(f);
    assert.equal(r.calibration, null);
    assert.match(r.reason ?? "", /1280-px-wide image .* this image is 640 px wide/);
    assert.match((hitachiScale(HITACHI("n/a"), 1280, "x.txt") as { reason: string }).reason, /not a number/);
    const z = await image("h_zero.tif", 1280, 960);
    fs.writeFileSync(path.join(tmp, "h_zero.txt"), HITACHI("0"));
    assert.match((await readCalibrationReport(z)).reason ?? "", /pixel size 0 nm is not a positive number/);
    assert.equal(hitachiScale("[Other]\nPixelSize=3\n", 1280, "x.txt"), null);
  });

  it("no sidecar, or one of neither layout, is no calibration with the reason; a .txt itself has no sidecar", async () => {
    const f = await image("plain.png", 64, 64);
    const r = await readCalibrationReport(f);
    assert.equal(r.calibration, null);
    assert.match(r.reason ?? "", /no calibration metadata in plain\.png .*no JEOL\/Hitachi \.txt sidecar/);
    fs.writeFileSync(path.join(tmp, "plain.txt"), "notes about the sample\n");
    assert.equal((await readCalibrationReport(f)).calibration, null);
    assert.equal(sidecarFile(path.join(tmp, "plain.txt")), null, "a .txt is nobody's image");
    assert.equal(sidecarFile(f), path.join(tmp, "plain.txt"));
  });
});
