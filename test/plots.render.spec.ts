import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import sharp from "sharp";
import { PlotlyRenderer, findChromium, decodeDataUrl } from "../lib/plots/render";
import { pngSize } from "../lib/plots/png";
import { SyncPngRenderer } from "../lib/plots/sync_render";
import { violinBoxByGroup } from "../lib/plots/index";

const chromium = findChromium();

/** Mean of the per-channel standard deviations of a PNG (0 for a blank image). */
async function pixelStd(png: Buffer): Promise<number> {
  const st = await sharp(png).stats();
  return st.channels.slice(0, 3).reduce((a, c) => a + c.stdev, 0) / 3;
}

// A real figure: the paper's violin+box layout with two groups at three label counts.
const fig = violinBoxByGroup(
  [1, 2, 4].flatMap((x) => ["SimCLR", "Barlow"].flatMap((g, gi) => Array.from({ length: 12 }, (_, i) => ({ x, group: g, value: 0.5 + 0.04 * x + 0.02 * gi + 0.01 * (i % 5) })))),
  { title: "accuracy vs labels", xTitle: "labelled images per class", width: 640, height: 400 },
);

describe("plots/render: headless Chromium", function () {
  this.timeout(90_000);
  let r: PlotlyRenderer | null = null;
  before(async function () {
    if (!chromium) {
      console.log("      skipped: no Chromium (apt-get install --no-install-recommends chromium)");
      this.skip();
    }
    r = await PlotlyRenderer.launch(chromium);
  });
  after(async () => { await r?.close(); });

  it("renders a PNG of layout size × scale that is not blank", async () => {
    const png = await r!.render(fig, { format: "png", scale: 2 });
    assert.deepEqual(pngSize(png), { width: 1280, height: 800 });
    const std = await pixelStd(png);
    assert.ok(std > 10, `pixel std ${std.toFixed(1)} should be well above 0 (a blank white PNG has 0)`);
    const blank = await r!.render({ data: [], layout: { width: 200, height: 100, xaxis: { visible: false }, yaxis: { visible: false } } }, { format: "png" });
    assert.equal(await pixelStd(blank), 0, "an empty figure renders blank: the variance check can fail");
  });

  it("renders an SVG document with the title text", async () => {
    const svg = (await r!.render(fig, { format: "svg" })).toString("utf8");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /accuracy vs labels/);
  });

  it("names the figure when Plotly rejects it", async () => {
    await assert.rejects(r!.render({ data: [], layout: { title: { text: "bad" } } }, { format: "png", width: -5 }), /figure 'bad'/);
  });
});

describe("plots/sync_render: synchronous PNG in a worker", function () {
  this.timeout(90_000);
  it("returns a PNG synchronously and never keeps the process alive (child exits without close())", function () {
    if (!chromium) {
      console.log("      skipped: no Chromium (apt-get install --no-install-recommends chromium)");
      this.skip();
    }
    const root = path.join(__dirname, "..");
    const script = `
      require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(path.join(root, "tsconfig.json"))} });
      const { SyncPngRenderer } = require(${JSON.stringify(path.join(root, "lib/plots/sync_render.ts"))});
      const { pngSize } = require(${JSON.stringify(path.join(root, "lib/plots/png.ts"))});
      const r = new SyncPngRenderer();
      const png = r.renderPng({ data: [{ type: "bar", x: [1, 2], y: [2, 1] }], layout: { width: 300, height: 200 } });
      const png2 = r.renderPng({ data: [{ type: "bar", x: [1, 2], y: [1, 2] }], layout: { width: 320, height: 240 } });
      console.log(JSON.stringify([pngSize(png), pngSize(png2)]));
      // no r.close(): the worker and Chromium must not keep this process alive
    `;
    const t0 = Date.now();
    const mark = `nm-test-${process.pid}-${Date.now()}`;
    const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000, cwd: root, env: { ...process.env, NANOMORPH_TEST_MARK: mark } });
    assert.equal(res.signal, null, `child was killed (${res.signal}) after ${Date.now() - t0} ms: it did not exit on its own\n${res.stderr}`);
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout.trim().split("\n").pop() as string), [{ width: 300, height: 200 }, { width: 320, height: 240 }]);
    // and no Chromium outlives it: look for processes that inherited the child's marked environment
    spawnSync("sleep", ["1"]);
    const left = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
      try { return fs.readFileSync(`/proc/${p}/environ`, "latin1").includes(mark); } catch { return false; }
    });
    assert.deepEqual(left, [], "processes of the child still running (orphaned Chromium?)");
  });
});

describe("plots/sync_render: failures come back instead of hanging", function () {
  this.timeout(60_000);
  it("without Chromium, renderPng throws the install hint promptly (not after its 60 s timeout)", () => {
    const r = new SyncPngRenderer(null);
    const t0 = Date.now();
    try {
      assert.throws(() => r.renderPng({ data: [], layout: {} }, { timeoutMs: 50_000 }), /no Chromium found.*apt-get install/s);
      assert.ok(Date.now() - t0 < 30_000, `answered after ${Date.now() - t0} ms`);
    } finally {
      r.close();
    }
  });
});

describe("plots/render: decodeDataUrl", () => {
  it("decodes base64 and percent-encoded data URLs", () => {
    assert.equal(decodeDataUrl("data:image/png;base64,AQID").toString("hex"), "010203");
    assert.equal(decodeDataUrl("data:image/svg+xml,%3Csvg%3E").toString(), "<svg>");
    assert.throws(() => decodeDataUrl("http://x"), /not a data URL/);
  });
});
