import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { COMMAND_NAMES } from "../lib/cli/main";

const ROOT = path.resolve(__dirname, "..");

/** Packages whose loading costs tenths of a second or more: only a command's `run` may load them. */
const HEAVY = ["@tensorflow/", "sharp", "tesseract.js", "playwright-core", "h5wasm", "danfojs-node", "geotiff", "plotly.js-dist-min"];

describe("cli start-up: command modules are light", function () {
  this.timeout(300_000);

  it("loading any command (what --help and a usage error do) loads no heavy package; its run loads them", () => {
    // One child process, commands loaded one after another; a package that appears after loading
    // command X is X's. Sources through ts-node, as the tests run them (dist/ compiles the same files).
    const src = `require("ts-node/register/transpile-only");
const heavy = ${JSON.stringify(HEAVY)};
const loaded = () => new Set(Object.keys(require.cache).map((k) => k.split("node_modules/").pop()).filter((k) => heavy.some((h) => k.startsWith(h))).map((k) => k.split("/").slice(0, k.startsWith("@") ? 2 : 1).join("/")));
const out = {};
for (const name of ${JSON.stringify(COMMAND_NAMES)}) {
  const before = loaded();
  const cmd = require("./lib/cli/" + name).command;
  if (typeof cmd.help !== "string" || !cmd.help.startsWith("usage: nanomorph " + name)) throw new Error(name + ": help does not start with its usage line");
  out[name] = [...loaded()].filter((p) => !before.has(p));
}
console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ["-e", src], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
    const heavyByCommand = JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, string[]>;
    assert.deepEqual(Object.keys(heavyByCommand), [...COMMAND_NAMES]);
    const offenders = Object.entries(heavyByCommand).filter(([, pkgs]) => pkgs.length > 0).map(([n, pkgs]) => `${n}: ${pkgs.join(", ")}`);
    assert.deepEqual(offenders, [], "import these inside the command's run (await import) instead");
  });
});
