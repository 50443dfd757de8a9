import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { command as figures } from "../lib/cli/figures";
import { findChromium } from "../lib/plots/render";
import { pngSize } from "../lib/plots/png";
import { confusionMatrix, lineWithBands } from "../lib/plots/index";

describe("cli figures: render figures/*.json to PNG + SVG", function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (!findChromium()) {
      console.log("      skipped: no Chromium (apt-get install --no-install-recommends chromium)");
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-figs-"));
    fs.writeFileSync(path.join(dir, "01-cm.json"), JSON.stringify(confusionMatrix([[8, 2], [1, 9]], ["a", "b"], { title: "cm", width: 420, height: 380 })));
    fs.writeFileSync(path.join(dir, "02-line.json"), JSON.stringify(lineWithBands([{ name: "m", x: [1, 2, 4], y: [0.6, 0.7, 0.8], lower: [0.5, 0.6, 0.75], upper: [0.7, 0.8, 0.85] }], { width: 500, height: 300 })));
    fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify({ not: "a figure" }));
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it("writes non-blank PNGs of layout size × scale and SVGs; skips non-figure JSON; keeps up-to-date outputs", async () => {
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => { logs.push(a.join(" ")); };
    let code: number;
    try {
      code = await figures.run(["--dir", dir, "--scale", "1.5"]);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0, logs.join("\n"));
    assert.deepEqual(pngSize(fs.readFileSync(path.join(dir, "01-cm.png"))), { width: 630, height: 570 });
    assert.deepEqual(pngSize(fs.readFileSync(path.join(dir, "02-line.png"))), { width: 750, height: 450 });
    const st = await sharp(path.join(dir, "02-line.png")).stats();
    assert.ok(st.channels[0].stdev > 5, `PNG is not blank (stdev ${st.channels[0].stdev})`);
    assert.match(fs.readFileSync(path.join(dir, "01-cm.svg"), "utf8"), /^<svg/);
    assert.ok(!fs.existsSync(path.join(dir, "summary.png")));
    assert.match(logs.join("\n"), /2 rendered, 0 up to date, 1 not figures, 0 failed/);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes(".tmp-")), [], "no temp files left");

    const again: string[] = [];
    console.log = (...a: unknown[]) => { again.push(a.join(" ")); };
    try {
      assert.equal(await figures.run(["--dir", dir]), 0);
    } finally {
      console.log = log;
    }
    assert.match(again.join("\n"), /0 rendered, 2 up to date/);
  });

  it("fails naming a missing figure", async () => {
    const err = console.error;
    const errs: string[] = [];
    console.error = (...a: unknown[]) => { errs.push(a.join(" ")); };
    try {
      assert.equal(await figures.run(["--dir", dir, "nope"]), 1);
    } finally {
      console.error = err;
    }
    assert.match(errs.join("\n"), /no spec nope\.json/);
  });
});
