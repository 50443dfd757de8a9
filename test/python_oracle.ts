// Helper for the oracle specs (probe, quantify, seg): run a snippet on Debian's /usr/bin/python3 (scipy/sklearn oracles),
// passing JSON on stdin and reading JSON from stdout. Specs skip (with a printed reason) when the
// oracle is missing.
import { spawnSync } from "child_process";
import * as fs from "fs";

const PY = "/usr/bin/python3";

/** null when /usr/bin/python3 imports every module, else the reason it cannot. */
export function pythonMissing(modules: string[]): string | null {
  if (!fs.existsSync(PY)) return `${PY} not found`;
  const r = spawnSync(PY, ["-c", modules.map((m) => `import ${m}`).join("; ")], { encoding: "utf8" });
  return r.status === 0 ? null : `${PY} lacks ${modules.join("/")}: ${r.stderr.trim().split("\n").pop()}`;
}

/** Run `code` with `inp` (alias `payload`) = the parsed JSON input; the snippet must print one JSON document. */
export function runPython<T>(code: string, input: unknown): T {
  const script = `import json, sys\ninp = payload = json.load(sys.stdin)\n${code}`;
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
