import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { backendOrder, backendReport, initBackend } from "../lib/backend/index";
import { resolveNodePackage, tryNodeBackend } from "../lib/backend/node_backend";
import { loadNativeAddon } from "../lib/backend/native_addon";

/**
 * The picker on this machine: tfjs-node-gpu is not installed, tfjs-node is an npm-override alias of
 * plain tfjs (package.json "overrides"), so native-cpu wins when the libtorch addon is built, else wasm.
 * test/setup.ts forces wasm for the suite; the default order runs in a child (init is once per process).
 */
const ROOT = path.resolve(__dirname, "..");

describe("backend/picker", function () {
  this.timeout(120_000);

  it("reads NANOMORPH_BACKEND: default order, forced single choice, aliases, and rejects unknown names", () => {
    assert.deepEqual(backendOrder({}), { order: ["native-cuda", "native-mps", "node-gpu", "native-cpu", "node", "wasm", "cpu"], forced: false });
    assert.deepEqual(backendOrder({ NANOMORPH_BACKEND: "native" }), { order: ["native-cuda", "native-mps", "native-cpu"], forced: true });
    assert.deepEqual(backendOrder({ NANOMORPH_BACKEND: "native-cpu" }), { order: ["native-cpu"], forced: true });
    assert.deepEqual(backendOrder({ NANOMORPH_BACKEND: "WASM" }), { order: ["wasm"], forced: true });
    assert.deepEqual(backendOrder({ NANOMORPH_BACKEND: "gpu" }), { order: ["node-gpu"], forced: true });
    assert.throws(() => backendOrder({ NANOMORPH_BACKEND: "webgl" }), /NANOMORPH_BACKEND="webgl" is not one of/);
  });

  it("skips a missing tfjs-node-gpu and the tfjs-node alias with reasons", async () => {
    assert.match(String(resolveNodePackage("@tensorflow/tfjs-node-gpu")), /not installed/);
    const node = await tryNodeBackend("node");
    assert.equal(node.ok, false);
    assert.match(node.detail, /resolves to @tensorflow\/tfjs@4\.22\.0 \(npm override alias\)/);
  });

  it("picks native-cpu when the addon is built, else wasm, with reasons for every skipped candidate (child process)", () => {
    const script = `require("ts-node/register/transpile-only");
      require("./lib/backend/index").initBackend().then((i) => console.log(JSON.stringify(i)));`;
    const env: NodeJS.ProcessEnv = { ...process.env, NANOMORPH_QUIET: "1" };
    delete env.NANOMORPH_BACKEND;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const built = typeof loadNativeAddon() !== "string";
    const expected = built
      ? [["native-cuda", false], ["native-mps", false], ["node-gpu", false], ["native-cpu", true]]
      : [["native-cuda", false], ["native-mps", false], ["node-gpu", false], ["native-cpu", false], ["node", false], ["wasm", true]];
    assert.deepEqual(info.tried.map((t: { choice: string; ok: boolean }) => [t.choice, t.ok]), expected);
    assert.equal(info.name, built ? "native" : "wasm");
    for (const t of info.tried.filter((t: { ok: boolean }) => !t.ok)) assert.ok(t.detail.length > 10, `reason for ${t.choice}`);
    if (built) assert.ok(info.kernels.includes("Conv2DBackpropFilter") && info.fallbackKernels.length > 0);
  });

  it("picks wasm when forced (as test/setup.ts does), is idempotent, and reports versions, SIMD and threads", async () => {
    const a = await initBackend(), b = await initBackend();
    assert.equal(a, b);
    assert.equal(a.name, "wasm");
    assert.deepEqual(a.tried.map((t) => [t.choice, t.ok]), [["wasm", true]]);
    assert.ok(a.threads >= 1 && a.simd);
    const r = await backendReport();
    assert.equal(r.tfjs, "4.22.0");
    assert.equal(r.tfjsBackendWasm, "4.22.0");
    assert.equal(r.backend, "wasm");
    assert.deepEqual(r.kernels.sort(), ["BatchMatMul", "Conv2DBackpropFilter", "Conv2DBackpropInput", "Identity", "MaxPoolGrad", "ResizeBilinearGrad"]);
  });

  it("honours a forced cpu backend and logs the choice once to stderr (child process)", () => {
    const script = `require("ts-node/register/transpile-only");
      const { initBackend } = require("./lib/backend/index");
      Promise.all([initBackend(), initBackend()]).then(([i]) => console.log(JSON.stringify(i)));`;
    const r = spawnSync(process.execPath, ["-e", script], {
      cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NANOMORPH_BACKEND: "cpu", NANOMORPH_QUIET: "0" },
    });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout.trim());
    assert.equal(info.name, "cpu");
    assert.match(info.reason, /forced by NANOMORPH_BACKEND/);
    assert.equal((r.stderr.match(/\[nanomorph\] backend /g) ?? []).length, 1, r.stderr);
  });

  it("NANOMORPH_THREADS=0 is an error naming the variable, not a silent drop to another backend (child process)", () => {
    const script = `require("ts-node/register/transpile-only");
      require("./lib/backend/index").initBackend().then((i) => console.log(JSON.stringify(i)), (e) => { console.error(e.message); process.exit(3); });`;
    for (const bad of ["0"]) {
      const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NANOMORPH_THREADS: bad } });
      assert.equal(r.status, 3, r.stdout);
      assert.match(r.stderr, new RegExp(`NANOMORPH_THREADS must be a positive integer, got '${bad}'`));
    }
  });
});
