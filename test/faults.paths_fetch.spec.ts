import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as http from "http";
import * as crypto from "crypto";
import type { AddressInfo } from "net";
import { tmpDir, runCli } from "./faults_helpers";
import { fetchEntry, FetchError } from "../lib/data/fetch";
import { validateManifest, type DataManifest, type ManifestEntry } from "../lib/data/manifest";
import { confinedPath, checkName } from "../lib/util/confine";
import { validateGrid, expandGrid, MAX_GRID_CELLS } from "../lib/grid/spec";

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const sha256 = (b: Buffer): string => crypto.createHash("sha256").update(b).digest("hex");

function entry(name: string, url: string, dest = name): ManifestEntry {
  // archive "none": the file itself lands in dest/, so the test compares bytes directly.
  return { name, description: "t", citation: "t", licence: "t", urls: [url], size: null, checksum: null, archive: "none", dest, layout: "t", usedBy: "t" };
}

/**
 * A loopback server whose file changes between a cut download and its resume (the shipped Zenodo
 * entry pins no checksum, so only the HTTP validators can tell): the resume must never stitch
 * two versions into one file.
 */
describe("faults: a download resumed after the remote file changed (loopback HTTP server)", () => {
  let server: http.Server;
  let base = "";
  let version: Buffer;
  let etag = "";
  let honourIfRange = true;
  let cutNext = false;
  let lastHeaders: http.IncomingHttpHeaders = {};
  const A = crypto.randomBytes(200_000), B = crypto.randomBytes(200_000);

  before(async () => {
    server = http.createServer((req, res) => {
      lastHeaders = req.headers;
      const body = version;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      const ifRange = req.headers["if-range"];
      if (m && (!honourIfRange || ifRange === undefined || ifRange === etag)) {
        const start = Number(m[1]);
        res.writeHead(206, { etag, "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
        res.end(body.subarray(start));
        return;
      }
      res.writeHead(200, { etag, "content-length": body.length });
      if (cutNext) {
        cutNext = false;
        res.write(body.subarray(0, 70_000), () => res.socket?.destroy());
        return;
      }
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  for (const honour of [true, false]) {
    it(`${honour ? "If-Range: the server sends the new file whole" : "a server that ignores If-Range: its new ETag is noticed"}; the result is the new version, byte for byte`, async () => {
      honourIfRange = honour;
      const dest = tmpDir("fetch-dest"), dl = tmpDir("fetch-dl");
      const m: DataManifest = { version: 1, defaultDest: "data", entries: [entry("f", `${base}/f.bin`)] };
      version = A; etag = '"a"'; cutNext = true;
      await assert.rejects(fetchEntry(m, "f", { destRoot: dest, downloadsDir: dl, progressStream: quiet }), /run the same command again to resume/);
      version = B; etag = '"b"';
      const log = process.stderr.write;
      process.stderr.write = (() => true) as typeof process.stderr.write;
      let r;
      try {
        r = await fetchEntry(m, "f", { destRoot: dest, downloadsDir: dl, progressStream: quiet });
      } finally {
        process.stderr.write = log;
      }
      if (honour) assert.equal(lastHeaders["if-range"], '"a"', "the resume carried the first response's ETag");
      assert.equal(r.resumedFrom, 0);
      const got = fs.readFileSync(path.join(dest, "f", "f.bin"));
      assert.equal(got.length, B.length);
      assert.equal(sha256(got), sha256(B));
      assert.equal(r.sha256, sha256(B));
    });
  }

  it("an unchanged file resumes from where it stopped (and the result is whole)", async () => {
    honourIfRange = true;
    const dest = tmpDir("fetch-dest"), dl = tmpDir("fetch-dl");
    const m: DataManifest = { version: 1, defaultDest: "data", entries: [entry("g", `${base}/g.bin`)] };
    version = A; etag = '"a"'; cutNext = true;
    await assert.rejects(fetchEntry(m, "g", { destRoot: dest, downloadsDir: dl, progressStream: quiet }));
    const r = await fetchEntry(m, "g", { destRoot: dest, downloadsDir: dl, progressStream: quiet });
    assert.ok(r.resumedFrom > 0, `resumed from ${r.resumedFrom}`);
    assert.equal(sha256(fs.readFileSync(path.join(dest, "g", "g.bin"))), sha256(A));
  });
});

describe("faults: hostile names stay inside their roots", () => {
  it("confinedPath refuses .., absolute paths and symlinks out of the root; checkName refuses ., .. and separators", () => {
    const root = tmpDir("confine");
    for (const bad of ["../victim", "../../victim", "a/../../b", "/etc", "C:\\x", "\\\\host\\share", ".", "a/./b", ""]) {
      assert.throws(() => confinedPath(root, bad, "dest"), /dest: /, bad);
    }
    assert.equal(confinedPath(root, "a/b", "dest"), path.join(root, "a", "b"));
    const outside = tmpDir("outside");
    fs.symlinkSync(outside, path.join(root, "link"));
    assert.throws(() => confinedPath(root, "link/x", "dest"), /leads outside .* through a symbolic link/);
    for (const bad of [".", "..", "a/b", "a\\b", ""]) assert.throws(() => checkName(bad, "name"), bad);
    assert.equal(checkName("ok.name", "name"), "ok.name");
  });

  it("a manifest dest of ../../victim is invalid, and fetch --force never replaces a folder outside --dest", async () => {
    const root = tmpDir("victim");
    const victim = path.join(root, "victim");
    fs.mkdirSync(victim);
    fs.writeFileSync(path.join(victim, "keep.txt"), "precious");
    const destRoot = path.join(root, "a", "b");
    const e = entry("evil", "http://127.0.0.1:9/never", "../../victim");
    const m: DataManifest = { version: 1, defaultDest: "data", entries: [e] };
    assert.match(validateManifest(m).join("\n"), /entry evil: dest: '\.\.\/\.\.\/victim' contains '\.\.'/);
    await assert.rejects(fetchEntry(m, "evil", { destRoot, force: true, progressStream: quiet }), (err: unknown) => err instanceof FetchError && /contains '\.\.'/.test((err as Error).message));
    assert.equal(fs.readFileSync(path.join(victim, "keep.txt"), "utf8"), "precious");
    // Through the CLI with a manifest file: refused as an invalid manifest, exit non-zero.
    const mf = path.join(root, "manifest.json");
    fs.writeFileSync(mf, JSON.stringify(m));
    const r = await runCli(["data", "fetch", "evil", "--manifest", mf, "--dest", destRoot, "--force"]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /dest/);
    assert.equal(fs.readFileSync(path.join(victim, "keep.txt"), "utf8"), "precious");
  });

  it("grid names '.', '..' and '.hidden' are refused; a 10-million-cell grid is refused naming its size, and grid status counts it in seconds", async () => {
    for (const name of [".", "..", ".hidden", "a/b"]) {
      assert.throws(() => validateGrid({ name, task: "poly", base: {}, axes: {} }), /"name" must be/, name);
    }
    const axis = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    const huge = validateGrid({ name: "huge", task: "poly", base: { a: 0, b: 0, c: 0 }, axes: { a: axis(100), b: axis(100), c: axis(100) }, seeds: axis(10) });
    assert.throws(() => expandGrid(huge), new RegExp(`10,000,000 cells .*a: 100 × b: 100 × c: 100 × 10 seeds.*at most ${MAX_GRID_CELLS.toLocaleString("en")}`));
    const dir = tmpDir("huge-grid");
    const g = path.join(dir, "g.json");
    fs.writeFileSync(g, JSON.stringify(huge));
    const t0 = Date.now();
    const r = await runCli(["grid", "status", g, "--results", path.join(dir, "results")]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /huge: 10,000,000 cells \(too many to list.*0 done, 0 running, 0 failed, 10,000,000 pending/);
    assert.ok(Date.now() - t0 < 30000, `${Date.now() - t0} ms (CLI start-up included)`);
    const run = await runCli(["grid", "run", g, "--results", path.join(dir, "results")]);
    assert.equal(run.code, 1);
    assert.match(run.err, /has 10,000,000 cells/);
  });
});
