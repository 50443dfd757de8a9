import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { UNFINISHED_EXIT_CODE } from "../lib/cli/main";

const ROOT = path.resolve(__dirname, "..");

/** Run `runAsProcess(argv, run)` in a child process, `run` given as JavaScript source. */
function child(run: string): { status: number | null; stderr: string } {
  const src = `require("ts-node/register/transpile-only");
const { runAsProcess } = require("./lib/cli/main");
runAsProcess(["probe", "--data", "x"], ${run});`;
  const r = spawnSync(process.execPath, ["-e", src], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe("cli/main: the process exit code", function () {
  this.timeout(120_000);

  it("is the command's result when it finishes", () => {
    const r = child("async () => 3");
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr, "");
  });

  it("is 70 with a message naming the command, never 0, when the process runs out of work before the command finishes", () => {
    // A promise nothing can settle: what a dead worker leaves behind. Node alone would exit 0 here.
    const r = child("() => new Promise(() => {})");
    assert.equal(r.status, UNFINISHED_EXIT_CODE, r.stderr);
    assert.match(r.stderr, /internal error: 'probe --data x' stopped before it finished/);
    assert.match(r.stderr, /run it again/);
  });

  it("waits for a command that is still working (a pending timer is work)", () => {
    const r = child("() => new Promise((resolve) => setTimeout(() => resolve(0), 300))");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
  });
});
