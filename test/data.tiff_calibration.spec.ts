// Pixel size from TIFF tags (lib/data/formats/tiff_calibration.ts over tiff_ifd.ts) on files written by
// tifffile (Debian python3-tifffile): ImageJ resolution + unit, OME-XML PhysicalSizeX/Y, FEI INI
// [Scan] PixelWidth/PixelHeight (tags 34682 and 34680), Zeiss CZ_SEM 'Image Pixel Size' (tag 34118).
// Checked against the values written and against tifffile's own parse of the metadata.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readTiffScale, parseIni, feiScale, zeissScale, omeScale, imagejScale, parseZeissText } from "../lib/data/formats/tiff_calibration";
import { FormatError } from "../lib/data/formats/types";
import { readCalibration } from "../lib/data/calibration";
import { pythonMissing, runPython } from "./python_oracle";

interface Written {
  file: string;
  /** What tifffile parses back: [x, y] pixel size and unit(s) in the file's own terms. */
  parsed: { x: number; y: number; ux: string; uy: string } | null;
}

const WRITE = `
import numpy as np, tifffile, os
d = inp["dir"]
a = (np.arange(40 * 30).reshape(30, 40) % 251).astype(np.uint8)
out = {}
def p(name): return os.path.join(d, name)
# ImageJ: resolution is pixels per unit
for name, px, py, unit in [("ij_nm.tif", 0.5, 0.25, "nm"), ("ij_um.tif", 0.0125, 0.0125, "um"), ("ij_micron.tif", 2.0, 4.0, "micron")]:
    tifffile.imwrite(p(name), a, imagej=True, resolution=(1 / px, 1 / py), metadata={"unit": unit})
    with tifffile.TiffFile(p(name)) as t:
        xr, yr = t.pages[0].tags["XResolution"].value, t.pages[0].tags["YResolution"].value
        u = t.imagej_metadata["unit"]
        out[name] = {"x": xr[1] / xr[0], "y": yr[1] / yr[0], "ux": u, "uy": u}
# OME: default unit is micrometre
for name, md in [("ome_nm.tif", {"PhysicalSizeX": 0.5, "PhysicalSizeXUnit": "nm", "PhysicalSizeY": 0.75, "PhysicalSizeYUnit": "nm"}),
                 ("ome_mixed.tif", {"PhysicalSizeX": 1.5, "PhysicalSizeXUnit": "nm", "PhysicalSizeY": 0.002, "PhysicalSizeYUnit": "\u00b5m"}),
                 ("ome_default.tif", {"PhysicalSizeX": 0.004, "PhysicalSizeY": 0.004})]:
    tifffile.imwrite(p(name), a, ome=True, metadata=md)
    with tifffile.TiffFile(p(name)) as t:
        px = tifffile.xml2dict(t.ome_metadata)["OME"]["Image"]["Pixels"]
        out[name] = {"x": px["PhysicalSizeX"], "y": px["PhysicalSizeY"], "ux": px.get("PhysicalSizeXUnit", "\u00b5m"), "uy": px.get("PhysicalSizeYUnit", "\u00b5m")}
# FEI/Thermo INI in FEI_HELIOS (34682) and FEI_SFEG (34680)
ini = "[User]\\r\\nDate=01/02/2024\\r\\n[Beam]\\r\\nHV=5000\\r\\n[Scan]\\r\\nPixelWidth=1.234e-09\\r\\nPixelHeight=2.5e-09\\r\\nHorFieldsize=4.9e-07\\r\\n"
for name, tag in [("fei_helios.tif", 34682), ("fei_sfeg.tif", 34680)]:
    tifffile.imwrite(p(name), a, extratags=[(tag, "s", 0, ini, True)])
    with tifffile.TiffFile(p(name)) as t:
        s = t.fei_metadata["Scan"]
        out[name] = {"x": s["PixelWidth"], "y": s["PixelHeight"], "ux": "m", "uy": "m"}
# Zeiss SEM
cz = "0\\r\\nAP_PIXEL_SIZE\\r\\nImage Pixel Size = 3.721 nm\\r\\nAP_WD\\r\\nWD = 5.1 mm\\r\\n"
tifffile.imwrite(p("zeiss.tif"), a, extratags=[(34118, "s", 0, cz, True)])
with tifffile.TiffFile(p("zeiss.tif")) as t:
    v = t.sem_metadata["ap_pixel_size"]
    out["zeiss.tif"] = {"x": v[1], "y": v[1], "ux": v[2], "uy": v[2]}
# no calibration: plain TIFF at 72 dpi, ImageJ without a unit
tifffile.imwrite(p("plain.tif"), a, resolution=(72, 72), resolutionunit="INCH")
out["plain.tif"] = None
tifffile.imwrite(p("ij_pixel.tif"), a, imagej=True)
out["ij_pixel.tif"] = None
print(json.dumps(out))
`;

const NM: Record<string, number> = { nm: 1, um: 1e3, "µm": 1e3, micron: 1e3, m: 1e9 };

describe("data/formats: TIFF calibration tags (own IFD reader) against tifffile", function () {
  this.timeout(60000);
  let dir = "";
  let written: Record<string, Written["parsed"]> = {};
  before(function () {
    const missing = pythonMissing(["tifffile", "numpy"]);
    if (missing) { console.log(`      (skipped: ${missing}; apt-get install python3-tifffile)`); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-tiffcal-"));
    written = runPython<Record<string, Written["parsed"]>>(WRITE, { dir });
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  const expected: Record<string, { x: number; y: number; detail: RegExp } | null> = {
    "ij_nm.tif": { x: 0.5, y: 0.25, detail: /ImageJ/ },
    "ij_um.tif": { x: 12.5, y: 12.5, detail: /ImageJ/ },
    "ij_micron.tif": { x: 2000, y: 4000, detail: /ImageJ/ },
    "ome_nm.tif": { x: 0.5, y: 0.75, detail: /OME/ },
    "ome_mixed.tif": { x: 1.5, y: 2, detail: /OME/ },
    "ome_default.tif": { x: 4, y: 4, detail: /OME/ },
    "fei_helios.tif": { x: 1.234, y: 2.5, detail: /FEI_HELIOS tag 34682 \[Scan\]/ },
    "fei_sfeg.tif": { x: 1.234, y: 2.5, detail: /FEI_SFEG tag 34680 \[Scan\]/ },
    "zeiss.tif": { x: 3.721, y: 3.721, detail: /CZ_SEM/ },
    "plain.tif": null,
    "ij_pixel.tif": null,
  };

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: ${want ? `x ${want.x}, y ${want.y} nm/px as written and as tifffile parses it` : "no calibration"}`, async () => {
      const f = path.join(dir, name);
      const r = await readTiffScale(f);
      const s = r.reading;
      const c = await readCalibration(f);
      const t = written[name];
      assert.equal(r.pages, 1);
      assert.equal(r.width, 40);
      if (!want) {
        assert.equal(s, null);
        assert.equal(c, null);
        assert.equal(t, null);
        return;
      }
      assert.ok(s && s.ok && c && t);
      const rel = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.abs(b);
      // the values written
      assert.ok(rel(c.nmPerPxX, want.x), `x ${c.nmPerPxX} vs ${want.x}`);
      assert.ok(rel(c.nmPerPxY, want.y), `y ${c.nmPerPxY} vs ${want.y}`);
      // tifffile's parse, in the file's own unit
      assert.ok(rel(s.x.scale, t.x) && rel(s.y.scale, t.y), `${JSON.stringify(s)} vs tifffile ${JSON.stringify(t)}`);
      assert.ok(rel(s.x.scale * NM[s.x.unit], t.x * NM[t.ux]));
      assert.ok(rel(s.y.scale * NM[s.y.unit], t.y * NM[t.uy]));
      assert.match(c.detail, want.detail);
      assert.equal(c.source, "file");
      assert.deepEqual(c.original, { x: { value: s.x.scale, unit: s.x.unit }, y: { value: s.y.scale, unit: s.y.unit } });
    });
  }

  it("a TIFF cut inside its header or tags is an error naming the file", async () => {
    const buf = fs.readFileSync(path.join(dir, "fei_helios.tif"));
    for (const n of [0, 4, 12]) {
      const f = path.join(dir, `cut${n}.tif`);
      fs.writeFileSync(f, buf.subarray(0, n));
      await assert.rejects(readTiffScale(f), (e: Error) => e instanceof FormatError && e.message.startsWith(f) && /TIFF/.test(e.message), `cut at ${n}`);
    }
  });
});

describe("data/formats: TIFF metadata text parsers", () => {
  const ok = <T>(r: T | null): Extract<T, { ok: true }> => {
    assert.ok(r && (r as unknown as { ok: boolean }).ok, JSON.stringify(r));
    return r as Extract<T, { ok: true }>;
  };
  it("parses INI sections and FEI [Scan], [EScan] or [IRBeam] pixel sizes in metres", () => {
    assert.equal(parseIni("[A]\nk = v \n[B]\r\nk=w").get("B/k"), "w");
    assert.deepEqual(ok(feiScale("[EScan]\nPixelWidth=2e-9\n", "t")).y, { scale: 2e-9, unit: "m", origin: 0 });
    // HyperSpy's navigation-camera rule: HFW / ResolutionX
    assert.equal(ok(feiScale("[IRBeam]\nHFW=0.2\nVFW=0.1\n[Image]\nResolutionX=800\nResolutionY=400\n", "t")).y.scale, 0.1 / 400);
    // present but zero: returned as written, judged (and refused) by lib/data/calibration
    assert.equal(ok(feiScale("[Scan]\nPixelWidth=0\n", "t")).x.scale, 0);
    assert.match((feiScale("[Beam]\nHV=5000\n", "t") as { reason: string }).reason, /states no pixel size/);
  });
  it("parses Zeiss text as laid out (unnamed numbers, then code/label lines), rescaling to the image width as HyperSpy does", () => {
    const text = "0\r\n0\r\n0\r\n4e-009\r\n50000\r\nAP_PIXEL_SIZE\r\nPixel Size = 4.0 nm\r\nAP_WD\r\nWD = 5.1 mm\r\n724\r\nDP_ZOOM\r\nZoom = Off\r\n";
    const z = parseZeissText(text);
    assert.deepEqual(z.unnamed.slice(0, 5), ["0", "0", "0", "4e-009", "50000"]);
    assert.equal(z.unnamed[5], "724");
    assert.deepEqual(z.fields.get("WD"), ["5.1", "mm"]);
    assert.deepEqual(ok(zeissScale("AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 1.5 µm\r\n", 512)).x, { scale: 1.5, unit: "µm", origin: 0 });
    assert.deepEqual(ok(zeissScale(text, 256)).x, { scale: 16, unit: "nm", origin: 0 });
    assert.deepEqual(ok(zeissScale(text.replace("Pixel Size", "Other"), 2048)).x, { scale: 2e-9, unit: "m", origin: 0 });
    assert.equal(zeissScale("AP_WD\r\nWD = 5 mm", 1024), null);
  });
  it("parses OME and ImageJ text", () => {
    assert.deepEqual(ok(omeScale('<OME><Image><Pixels ID="P" PhysicalSizeX="2" PhysicalSizeY="3" PhysicalSizeYUnit="nm"/></Image></OME>')).y, { scale: 3, unit: "nm", origin: 0 });
    assert.equal(omeScale("<OME><Image><Pixels ID='x'/></Image></OME>"), null);
    assert.equal(ok(imagejScale("ImageJ=1.53\nunit=\\u00B5m\n", 4, 2)).x.unit, "µm");
    assert.equal(ok(imagejScale("ImageJ=1.53\nunit=\\u00B5m\n", 4, 2)).y.scale, 0.5);
    assert.equal(imagejScale("ImageJ=1.53\nunit=pixel\n", 4, 2), null);
  });
});
