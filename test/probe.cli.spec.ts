import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import sharp from "sharp";
import { main } from "../lib/cli/main";
import { projectRoot } from "../lib/util/paths";

/** Capture console.log output of an async call. */
async function captureStdout(f: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(" ")); };
  try {
    const code = await f();
    return { code, out: lines.join("\n") };
  } finally {
    console.log = orig;
  }
}

describe("probe CLI", () => {
  const examples = path.join(projectRoot(), "..", "shared", "data", "nanowire-examples");
  let tmp = "", prevCache: string | undefined;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "probe-cli-"));
    prevCache = process.env.NANOMORPH_CACHE;
    process.env.NANOMORPH_CACHE = path.join(tmp, "cache");
  });
  after(() => {
    if (prevCache === undefined) delete process.env.NANOMORPH_CACHE; else process.env.NANOMORPH_CACHE = prevCache;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs on a folder-per-class set of real 2048×2048 TEM JPEGs and prints exactly the documented JSON", async function () {
    if (!fs.existsSync(examples)) { console.log(`      skipped: ${examples} (real nanowire crops) not present`); this.skip(); }
    // 4 classes × 5 images: rotations/flips of the authors' real crops, upscaled to 2048² JPEG like raw micrographs.
    const data = path.join(tmp, "tem");
    for (const cls of ["bundle", "dispersed", "network", "singular"]) {
      fs.mkdirSync(path.join(data, cls), { recursive: true });
      for (let k = 0; k < 5; k++) {
        let img = sharp(path.join(examples, `${cls}.png`)).rotate(90 * (k % 4));
        if (k === 4) img = img.flop();
        await img.resize(2048, 2048).jpeg({ quality: 90 }).toFile(path.join(data, cls, `${cls}_${k}.jpg`));
      }
    }
    const args = ["probe", "--data", data, "--encoder", "resnet8", "--size", "64", "--labels-per-class", "1,2", "--splits", "3", "--seeds", "1", "--workers", "1"];
    const { code, out } = await captureStdout(() => main([...args, "--json"]));
    assert.equal(code, 0);
    const doc = JSON.parse(out);
    assert.deepEqual(Object.keys(doc), ["results"]);
    assert.deepEqual(doc.results.map((r: { n: number }) => r.n), [1, 2]);
    for (const r of doc.results) {
      assert.deepEqual(Object.keys(r), ["n", "median", "q1", "q3", "runs"]);
      assert.equal(r.runs, 3);
      assert.ok(r.q1 <= r.median && r.median <= r.q3 && r.q1 >= 0 && r.q3 <= 1);
    }
    // The table form, from the cached features, with the paper protocol.
    const t = await captureStdout(() => main([...args, "--protocol", "paper"]));
    assert.equal(t.code, 0);
    assert.match(t.out, /resnet8\s+paper\s+2\s+\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
  });

  it("rejects bad usage with exit code 2", async () => {
    const orig = console.error;
    console.error = () => {};
    try {
      assert.equal(await main(["probe", "--encoder", "resnet8"]), 2);
      assert.equal(await main(["probe", "--data", tmp, "--protocol", "cheat"]), 2);
    } finally { console.error = orig; }
  });
});
