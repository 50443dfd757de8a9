import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { walkFiles } from "../lib/util/walk";

describe("util/walk: folders with symbolic links", () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-walk-")); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const touch = (p: string): void => { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, "x"); };

  it("follows links to files and to folders, skips dangling links, keeps a stable order", () => {
    touch(path.join(tmp, "store", "a.png"));
    touch(path.join(tmp, "store", "deep", "b.png"));
    fs.mkdirSync(path.join(tmp, "data"));
    fs.symlinkSync(path.join(tmp, "store", "a.png"), path.join(tmp, "data", "link-a.png"));
    fs.symlinkSync(path.join(tmp, "store", "deep"), path.join(tmp, "data", "linked-folder"));
    fs.symlinkSync(path.join(tmp, "nowhere.png"), path.join(tmp, "data", "dangling.png"));
    touch(path.join(tmp, "data", "z.png"));
    const got = walkFiles(path.join(tmp, "data")).map((p) => path.relative(tmp, p));
    assert.deepEqual(got, ["data/link-a.png", "data/linked-folder/b.png", "data/z.png"]);
    assert.deepEqual(walkFiles(path.join(tmp, "data"), { maxDepth: 0 }).map((p) => path.basename(p)), ["link-a.png", "z.png"]);
    assert.deepEqual(walkFiles(path.join(tmp, "data"), { skipDir: (n) => n.startsWith("linked") }).length, 2);
  });

  it("refuses a link back to a folder above it, naming the link", () => {
    touch(path.join(tmp, "data", "sub", "a.png"));
    fs.symlinkSync(path.join(tmp, "data"), path.join(tmp, "data", "sub", "up"));
    assert.throws(() => walkFiles(path.join(tmp, "data")), /sub\/up links back to .*data, a folder it is inside of \(a loop\)/);
  });

  it("walks a root that is itself a link, and a folder reached twice through two links (not a loop)", () => {
    touch(path.join(tmp, "store", "a.png"));
    fs.mkdirSync(path.join(tmp, "data"));
    fs.symlinkSync(path.join(tmp, "store"), path.join(tmp, "data", "one"));
    fs.symlinkSync(path.join(tmp, "store"), path.join(tmp, "data", "two"));
    fs.symlinkSync(path.join(tmp, "data"), path.join(tmp, "root-link"));
    assert.deepEqual(walkFiles(path.join(tmp, "root-link")).map((p) => path.relative(path.join(tmp, "root-link"), p)), ["one/a.png", "two/a.png"]);
  });
});

describe("folders of links, as the commands see them", () => {
  it("particles and data inspect take a folder of links to images and to class folders", async () => {
    const { listClassedImages } = await import("../lib/particles/files");
    const { inspectDir } = await import("../lib/data/inspect");
    const sharp = (await import("sharp")).default;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nm-links-"));
    try {
      fs.mkdirSync(path.join(tmp, "store", "b"), { recursive: true });
      for (const f of ["a1.png", "b/b1.png", "b/b2.png"]) {
        await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(path.join(tmp, "store", f));
      }
      fs.mkdirSync(path.join(tmp, "data", "a"), { recursive: true });
      fs.symlinkSync(path.join(tmp, "store", "a1.png"), path.join(tmp, "data", "a", "a1.png"));
      fs.symlinkSync(path.join(tmp, "store", "b"), path.join(tmp, "data", "b"));
      const got = listClassedImages(path.join(tmp, "data")).map((x) => `${x.class}:${path.basename(x.file)}`);
      assert.deepEqual(got, ["a:a1.png", "b:b1.png", "b:b2.png"]);
      const r = await inspectDir(path.join(tmp, "data"));
      assert.equal(r.total, 3, JSON.stringify(r.problems));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
