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
