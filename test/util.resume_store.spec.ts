import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ResumeStore, encodeValue, decodeValue } from "../lib/util/resume_store";

describe("util/resume_store: finished items kept for a stopped run", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-resume-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round-trips typed arrays and non-finite numbers exactly", () => {
    const v = { labels: Int32Array.from([-1, 0, 7, 2147483647]), f: Float32Array.from([0.1, -2.5]), u: new Uint8Array([1, 255]), x: [NaN, Infinity, -Infinity, 1.5], s: "a", n: null };
    const back = decodeValue<typeof v>(encodeValue(v));
    assert.ok(back.labels instanceof Int32Array && back.f instanceof Float32Array && back.u instanceof Uint8Array);
    assert.deepEqual(Array.from(back.labels), Array.from(v.labels));
    assert.deepEqual(Array.from(back.f), Array.from(v.f));
    assert.deepEqual(Array.from(back.u), [1, 255]);
    assert.ok(Number.isNaN(back.x[0]) && back.x[1] === Infinity && back.x[2] === -Infinity && back.x[3] === 1.5);
    assert.equal(back.s, "a");
    assert.equal(back.n, null);
    // A view into a larger buffer stores only its own bytes.
    const view = new Int32Array(Int32Array.from([9, 8, 7, 6]).buffer, 4, 2);
    assert.deepEqual(Array.from(decodeValue<Int32Array>(encodeValue(view))), [8, 7]);
  });

  it("keeps items under the same settings, empties the folder under others, and never returns a damaged or foreign item", () => {
    const d = path.join(dir, "run");
    const a = ResumeStore.open<{ v: Int32Array }>(d, { h: 2 });
    assert.equal(a.resumed, 0);
    a.put({ file: "x.png", mtime: 1 }, { v: Int32Array.from([1, 2]) });
    a.put({ file: "y.png", mtime: 1 }, { v: Int32Array.from([3]) });
    const b = ResumeStore.open<{ v: Int32Array }>(d, { h: 2 });
    assert.equal(b.resumed, 2);
    assert.deepEqual(Array.from(b.get({ file: "x.png", mtime: 1 })!.v), [1, 2]);
    assert.equal(b.get({ file: "x.png", mtime: 2 }), undefined); // the file changed since
    // A damaged item (a disk that filled mid-write elsewhere) is computed again, not trusted.
    const damaged = fs.readdirSync(d).filter((n) => n.endsWith(".json.gz"))[0];
    fs.writeFileSync(path.join(d, damaged), "not gzip");
    const c = ResumeStore.open<{ v: Int32Array }>(d, { h: 2 });
    assert.equal([c.get({ file: "x.png", mtime: 1 }), c.get({ file: "y.png", mtime: 1 })].filter((x) => x !== undefined).length, 1);
    // Other settings: start over.
    const e = ResumeStore.open<{ v: Int32Array }>(d, { h: 3 });
    assert.equal(e.resumed, 0);
    assert.equal(e.get({ file: "y.png", mtime: 1 }), undefined);
    e.remove();
    assert.ok(!fs.existsSync(d));
  });
});
