import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ENV_VARS, envInteger, envFlag, envVar, resultVariables } from "../lib/config/env";

const ROOT = path.resolve(__dirname, "..");

/** Every NANOMORPH_* name written in the product's code (lib, bin, bench, scripts, the native build, notebooks). */
function namesInCode(): Map<string, string> {
  const found = new Map<string, string>();
  const scan = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) { for (const e of fs.readdirSync(p)) if (e !== "node_modules" && e !== "build" && e !== "payload") scan(path.join(p, e)); return; }
    if (!/\.(ts|js|py|sh)$|^nanomorph$|^run$/.test(path.basename(p))) return;
    for (const m of fs.readFileSync(p, "utf8").matchAll(/NANOMORPH_[A-Z0-9_]+/g)) if (!found.has(m[0])) found.set(m[0], path.relative(ROOT, p));
  };
  for (const d of ["lib", "bin", "bench", "scripts", "native/torch_backend/build.js", "notebooks/src", ".ci/run"]) if (fs.existsSync(path.join(ROOT, d))) scan(path.join(ROOT, d));
  return found;
}

describe("config/env: the registry of environment variables", () => {
  it("lists every NANOMORPH_* variable the code names, once, and nothing the code never reads", () => {
    const inCode = namesInCode();
    const registered = ENV_VARS.map((v) => v.name);
    assert.equal(new Set(registered).size, registered.length, "a name is registered twice");
    const unregistered = [...inCode].filter(([n]) => !registered.includes(n)).map(([n, f]) => `${n} (${f})`);
    assert.deepEqual(unregistered, [], "register these in lib/config/env.ts");
    const unused = registered.filter((n) => !inCode.has(n) && n !== "NANOMORPH_NANOPARTICLE_DIR" && n !== "NANOMORPH_VIRUS_DIR");
    assert.deepEqual(unused, [], "registered but never read (the two *_DIR names are built from the set's kind in lib/probe/study_data.ts)");
  });

  it("marks exactly the variables that change results; the run cache keys on those", () => {
    const r = resultVariables();
    for (const n of ["NANOMORPH_PROFILE", "NANOMORPH_BACKEND", "NANOMORPH_NANOWIRE_DIR", "NANOMORPH_STACK_SLICE"]) assert.ok(r.includes(n), n);
    for (const n of ["NANOMORPH_QUIET", "NANOMORPH_DEBUG", "NANOMORPH_PYTHON", "NANOMORPH_CHROMIUM", "NANOMORPH_CACHE"]) assert.ok(!r.includes(n), n);
    for (const v of ENV_VARS) {
      assert.ok(v.description.length > 10 && v.default.length > 0, `${v.name} needs a description and a default`);
      if (v.type === "enum") assert.ok((v.values ?? []).length > 1, `${v.name}: enum without values`);
    }
  });

  it("reads integers and flags strictly, naming the variable", () => {
    assert.equal(envInteger("NANOMORPH_THREADS", 1, {}), undefined);
    assert.equal(envInteger("NANOMORPH_THREADS", 1, { NANOMORPH_THREADS: " " }), undefined);
    assert.equal(envInteger("NANOMORPH_THREADS", 1, { NANOMORPH_THREADS: "3" }), 3);
    assert.throws(() => envInteger("NANOMORPH_THREADS", 1, { NANOMORPH_THREADS: "0" }), /NANOMORPH_THREADS must be an integer ≥ 1, got '0'/);
    assert.throws(() => envInteger("NANOMORPH_THREADS", 1, { NANOMORPH_THREADS: "2.5" }), /NANOMORPH_THREADS/);
    assert.equal(envFlag("NANOMORPH_QUIET", { NANOMORPH_QUIET: "TRUE" }), true);
    assert.equal(envFlag("NANOMORPH_QUIET", { NANOMORPH_QUIET: "0" }), false);
    assert.throws(() => envVar("NANOMORPH_NO_SUCH"), /not a registered environment variable/);
  });
});

describe("the README as a user guide", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  it("lists every registered environment variable", () => {
    const missing = ENV_VARS.map((v) => v.name).filter((n) => !readme.includes(`\`${n}\``));
    assert.deepEqual(missing, [], "README's environment table (envMarkdownTable() in lib/config/env.ts) is out of date");
  });
  it("names no path of this project's private data folder (../shared), nor does the product's code", () => {
    const offenders: string[] = [];
    const scan = (p: string): void => {
      const st = fs.statSync(p);
      if (st.isDirectory()) { for (const e of fs.readdirSync(p)) scan(path.join(p, e)); return; }
      if (/\.(ts|js|md|json|py)$/.test(p) && fs.readFileSync(p, "utf8").includes("../shared")) offenders.push(path.relative(ROOT, p));
    };
    for (const d of ["lib", "notebooks/src", "configs", "bin", "scripts", "README.md"]) scan(path.join(ROOT, d));
    assert.deepEqual(offenders, []);
  });
});
