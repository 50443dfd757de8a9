// Python oracle for the quantify/seg specs: runs a snippet under Debian's /usr/bin/python3 (numpy, scipy,
// sklearn) with a JSON payload on stdin and parses the JSON it prints. Specs skip with a printed reason
// when the interpreter or a module is missing.
import { spawnSync } from "child_process";
import * as fs from "fs";

const PY = "/usr/bin/python3";

/** Why the oracle cannot run, or null when `modules` all import. */
export function pythonMissing(modules: string[]): string | null {
  if (!fs.existsSync(PY)) return `${PY} not found`;
  const r = spawnSync(PY, ["-c", modules.map((m) => `import ${m}`).join("; ")], { encoding: "utf8" });
  return r.status === 0 ? null : `${PY} lacks ${modules.join("/")}: ${r.stderr.trim().split("\n").pop()}`;
}

/** Run `code` (which reads `payload` from json on stdin and prints one JSON value) and return the value. */
export function runPython<T>(code: string, payload: unknown): T {
  const script = `import sys, json\npayload = json.load(sys.stdin)\n${code}`;
  const r = spawnSync(PY, ["-c", script], { input: JSON.stringify(payload), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
