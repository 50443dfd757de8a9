// Helper for the oracle specs (probe, quantify, seg): run a snippet on Debian's /usr/bin/python3 (scipy/sklearn oracles),
// passing JSON on stdin and reading JSON from stdout. Specs skip (with a printed reason) when the
// oracle is missing.
import { spawnSync } from "child_process";
import * as fs from "fs";

const PY = "/usr/bin/python3";

/**
 * null when /usr/bin/python3 imports every module, else the reason it cannot. Where the oracles must be
 * there (CI installs them: .ci/run sets NANOMORPH_REQUIRE_ORACLES=1), a missing one throws instead, so
 * an oracle test can never pass CI by skipping.
 */
export function pythonMissing(modules: string[]): string | null {
  const r = fs.existsSync(PY) ? spawnSync(PY, ["-c", modules.map((m) => `import ${m}`).join("; ")], { encoding: "utf8" }) : null;
  const why = !r ? `${PY} not found` : r.status === 0 ? null : `${PY} lacks ${modules.join("/")}: ${r.stderr.trim().split("\n").pop()}`;
  if (why && process.env.NANOMORPH_REQUIRE_ORACLES === "1") throw new Error(`oracle required (NANOMORPH_REQUIRE_ORACLES=1) but unavailable: ${why}`);
  return why;
}

/** Run `code` with `inp` (alias `payload`) = the parsed JSON input; the snippet must print one JSON document. */
export function runPython<T>(code: string, input: unknown): T {
  const script = `import json, sys\ninp = payload = json.load(sys.stdin)\n${code}`;
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
