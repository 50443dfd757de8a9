import { strict as assert } from "assert";
import { main } from "../lib/cli/main";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkKernel, formatChecks, type Check } from "../lib/doctor/checks";

/** Run the CLI in-process, capturing console output. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(" ")); };
  console.error = (...a: unknown[]) => { err.push(a.join(" ")); };
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("cli dispatcher", () => {
  it("--help lists doctor, reproduce and figures and exits 0; no command exits 2", async () => {
    const r = await cli(["--help"]);
    assert.equal(r.code, 0);
    for (const c of ["doctor", "reproduce", "figures"]) assert.match(r.out, new RegExp(`^  ${c} +\\S`, "m"));
    assert.equal((await cli([])).code, 2);
  });

  it("unknown commands and options are usage errors (exit 2) that name them", async () => {
    const r = await cli(["frobnicate"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'frobnicate'/);
    const o = await cli(["doctor", "--bogus"]);
    assert.equal(o.code, 2);
    assert.match(o.err, /bogus/);
    const p = await cli(["reproduce", "--only", "zz"]);
    assert.equal(p.code, 2);
    assert.match(p.err, /--only takes notebook numbers/);
  });

  for (const c of ["doctor", "reproduce", "figures"]) {
    it(`${c} --help prints its usage and exits 0`, async () => {
      const r = await cli([c, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^usage: nanomorph ${c}`));
    });
  }
});

describe("cli doctor", function () {
  this.timeout(120_000);
  it("formats required failures as [FAIL] with the fix, optional ones as [warn]", () => {
    const checks: Check[] = [
      { name: "a", required: true, ok: true, detail: "fine" },
      { name: "b", required: true, ok: false, detail: "gone", fix: "install b\nthen c" },
      { name: "c", required: false, ok: false, detail: "absent", fix: "optional" },
    ];
    assert.equal(formatChecks(checks), [
      "[ ok ] a                    fine",
      "[FAIL] b                    gone",
      "       → install b",
      "         then c",
      "[warn] c                    absent",
      "       → optional",
    ].join("\n"));
  });

  it("checks every required part on this machine, and the exit code follows the required checks", async () => {
    const r = await cli(["doctor", "--json"]);
    const parsed = JSON.parse(r.out) as { ok: boolean; checks: Check[] };
    const names = parsed.checks.map((c) => c.name);
    for (const n of ["node", "npm packages", "backend", "jupyter (nbclient)", "tslab kernelspec", "chromium", "python oracles"]) assert.ok(names.includes(n), `missing check ${n}`);
    const backend = parsed.checks.find((c) => c.name === "backend") as Check;
    assert.ok(backend.ok, backend.detail);
    assert.match(backend.detail, /SIMD|wasm|cpu|tensorflow/);
    const missing = parsed.checks.filter((c) => c.required && !c.ok);
    assert.equal(parsed.ok, missing.length === 0);
    assert.equal(r.code, missing.length === 0 ? 0 : 1);
  });

  it("registers a missing or stale tslab kernelspec itself, so a fresh npm ci is followed by a green doctor", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "nm-doctor-"));
    try {
      // a project with tslab installed (the binary is all checkKernelSpec looks at) and no .jupyter yet
      fs.mkdirSync(path.join(root, "node_modules", ".bin"), { recursive: true });
      fs.writeFileSync(path.join(root, "node_modules", ".bin", "tslab"), "");
      const first = checkKernel(root);
      assert.ok(first.ok, first.detail);
      assert.match(first.detail, /registered now/);
      const spec = path.join(root, ".jupyter", "kernels", "tslab", "kernel.json");
      assert.ok(fs.existsSync(spec));
      fs.writeFileSync(spec, JSON.stringify({ argv: ["elsewhere"] }));
      assert.match(checkKernel(root).detail, /registered now/, "a stale spec is rewritten");
      assert.doesNotMatch(checkKernel(root).detail, /registered now/, "a current spec is left alone");
      fs.rmSync(path.join(root, "node_modules"), { recursive: true });
      const noTslab = checkKernel(root);
      assert.equal(noTslab.ok, false, "without tslab it cannot be fixed here");
      assert.match(noTslab.detail, /npm ci/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
