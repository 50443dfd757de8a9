import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as fs from "fs";
import { factoryFreeNames, unknownFactoryNames, PRELUDE_NAMES } from "../lib/backend/wasm_threads";

/**
 * The threaded wasm shim: results must be bit-identical to the stock single-threaded backend
 * (TOOLCHAIN §6 measured max abs diff 0), the process must exit on its own (pthread workers unref'd),
 * and a failed check must fall back to one thread with a reason. A process can initialise wasm only
 * once, so each configuration runs in a child process.
 */
const ROOT = path.resolve(__dirname, "..");
const CHILD = `
require("ts-node/register/transpile-only");
// Test hooks, set before the shim loads. WRITE_LOG: record every write into the shim's temp folder.
const fsm = require("fs");
const writes = [];
const inShimDir = (f) => /nanomorph-wasm-/.test(String(f));
for (const name of ["writeFileSync", "renameSync"]) {
  const orig = fsm[name];
  fsm[name] = function (...a) { const to = name === "renameSync" ? a[1] : a[0]; if (inShimDir(to)) writes.push(name + " " + require("path").basename(String(to))); return orig.apply(this, a); };
}
// KILL_WORKER=k: pthread worker k ends (exit code 0, as an empty script does) before it can load.
if (process.env.KILL_WORKER !== undefined) {
  const wt = require("worker_threads"), Orig = wt.Worker;
  let made = 0;
  wt.Worker = class extends Orig { constructor(...a) { super(...a); if (made++ === Number(process.env.KILL_WORKER)) this.terminate(); } };
}
const tf = require("@tensorflow/tfjs");
const crypto = require("crypto");
const { initBackend } = require("./lib/backend/index");
const hash = (t) => { const a = t.dataSync(); return crypto.createHash("sha256").update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest("hex"); };
(async () => {
  if (process.env.PRE_INIT === "1") await tf.ready();
  const info = await initBackend();
  const x = tf.randomNormal([8, 32, 32, 16], 0, 1, "float32", 1);
  const w = tf.randomNormal([3, 3, 16, 32], 0, 1, "float32", 2);
  const a = tf.randomNormal([300, 200], 0, 1, "float32", 3), b = tf.randomNormal([200, 250], 0, 1, "float32", 4);
  const cot = tf.randomNormal([8, 16, 16, 32], 0, 1, "float32", 5);
  const [dx, dw] = tf.grads((xx, ww) => tf.sum(tf.mul(tf.conv2d(xx, ww, 2, "same"), cot)))([x, w]);
  const out = { name: info.name, threads: info.threads, threadsReason: info.threadsReason, writes,
    hashes: { conv: hash(tf.conv2d(x, w, 1, "same")), matMul: hash(tf.matMul(a, b)), dx: hash(dx), dw: hash(dw) },
    sample: Array.from(tf.conv2d(x, w, 1, "same").dataSync().slice(0, 4)) };
  console.log(JSON.stringify(out));
})();`;

interface ChildOut { name: string; threads: number; threadsReason: string; writes: string[]; hashes: Record<string, string>; sample: number[] }

function runChild(env: Record<string, string>): ChildOut {
  const r = spawnSync(process.execPath, ["-e", CHILD], {
    cwd: ROOT, env: { ...process.env, NANOMORPH_QUIET: "1", ...env }, encoding: "utf8", timeout: 90_000,
  });
  // A timeout here means the process did not exit on its own (e.g. ref'd pthread workers).
  assert.equal(r.signal, null, `child killed by ${r.signal} (did not exit by itself?) stderr: ${r.stderr}`);
  assert.equal(r.status, 0, `child exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildOut;
}

describe("backend/threaded wasm shim", function () {
  this.timeout(200_000);

  it("gives bit-identical conv2d, matMul and conv gradients with 2 threads and with 1, and exits by itself", () => {
    const one = runChild({ NANOMORPH_WASM_THREADS: "1", NANOMORPH_BACKEND: "wasm" });
    const two = runChild({ NANOMORPH_WASM_THREADS: "2", NANOMORPH_BACKEND: "wasm" });
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2, `threaded init fell back: ${two.threadsReason}`);
    assert.match(two.threadsReason, /threaded wasm shim/);
    assert.deepEqual(two.hashes, one.hashes);
    assert.ok(one.sample.some((v) => v !== 0));
  });

  it("writes each temp script once, by rename (tfjs asks for the worker script once per worker; a rewrite raced starting workers)", () => {
    const two = runChild({ NANOMORPH_WASM_THREADS: "2", NANOMORPH_BACKEND: "wasm" });
    assert.equal(two.threads, 2, two.threadsReason);
    assert.deepEqual(two.writes.sort(), ["renameSync main.cjs", "renameSync worker.cjs"]);
  });

  it("a pthread worker that ends before loading fails the threaded init at once: one thread, a reason, same numbers, exit 0", () => {
    // Before the fix this process ended with code 0 in the middle of init (nothing left holding it open).
    const one = runChild({ NANOMORPH_WASM_THREADS: "1", NANOMORPH_BACKEND: "wasm" });
    const lost = runChild({ NANOMORPH_WASM_THREADS: "2", NANOMORPH_BACKEND: "wasm", KILL_WORKER: "0" });
    assert.equal(lost.name, "wasm");
    assert.equal(lost.threads, 1);
    assert.match(lost.threadsReason, /pthread worker 0 exited \(code \d+\) before init finished/);
    assert.deepEqual(lost.hashes, one.hashes);
  });

  it("falls back to one thread with a reason when wasm was already initialised, and still computes", () => {
    const pre = runChild({ PRE_INIT: "1", NANOMORPH_WASM_THREADS: "2", NANOMORPH_BACKEND: "wasm" });
    assert.equal(pre.name, "wasm");
    assert.equal(pre.threads, 1);
    assert.match(pre.threadsReason, /already initialised/);
  });

  it("finds the bundle-scope free names of a factory source and ignores declared names, strings and properties", () => {
    const src = `function f(M){ var fs = require$$0; var local = 1; commonjsGlobal.Worker = 1; ` +
      `for (var it = __values(x); ;) {} M["__notAName"]; o.__prop; var __declared = 2; __declared++; return _scriptDir + require$$4.cpus(); }`;
    assert.deepEqual(factoryFreeNames(src), ["__values", "_scriptDir", "commonjsGlobal", "require$$0", "require$$4"]);
  });

  it("accounts for every bundle-scope name of the installed threaded factory (the guard passes on 4.22.0)", () => {
    // The stringified factory is the inner `function (WasmBackendModuleThreadedSimd) {…}` of the node bundle.
    const src = fs.readFileSync(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js"), "utf8");
    const start = src.indexOf("return (function (WasmBackendModuleThreadedSimd) {");
    const end = src.indexOf("module.exports = WasmBackendModuleThreadedSimd;", start);
    assert.ok(start > 0 && end > start, "factory located in the bundle");
    const factory = src.slice(start, end);
    assert.deepEqual(unknownFactoryNames(factory), []);
    // and the prelude is not padded with names the build does not use
    const used = new Set(factoryFreeNames(factory));
    assert.deepEqual(PRELUDE_NAMES.filter((n) => !used.has(n)), []);
    assert.deepEqual(unknownFactoryNames(factory + "; require$$9.x; __awaiter(1)"), ["__awaiter", "require$$9"]);
  });
});
