import { defineCommand, opt } from "./options";

/** `nanomorph doctor`: environment checks with fixes (lib/doctor); exit 0 only when all required parts are present. */
export const command = defineCommand({
  name: "doctor",
  summary: "check backend, versions, Jupyter, tslab kernelspec, Chromium; say how to fix what is missing",
  usage: "doctor [--json]",
  description: `Check what nanomorph needs and say what to do about each missing piece: Node.js, the npm packages,
the TensorFlow.js backend (native libtorch or wasm), Jupyter's nbclient (on /usr/bin/python3 or
$NANOMORPH_PYTHON), the project-local tslab kernelspec (.jupyter/kernels/tslab, registered here when
missing), Chromium (for PNG/SVG figures), and optionally nbconvert, a notebook server, the GPU package and
the Python oracles of the tests.

Exit code: 0 when every required check passes, 1 otherwise.`,
  options: {
    fix: opt.flag("accepted for older scripts: the doctor now registers the kernelspec by itself"),
    json: opt.flag("print the checks as JSON"),
  },
}, async ({ values: v }) => {
  const { runChecks, formatChecks } = await import("../doctor/checks");
  const checks = await runChecks();
  const bad = checks.filter((c) => c.required && !c.ok);
  if (v.json) console.log(JSON.stringify({ ok: bad.length === 0, checks }, null, 2));
  else {
    console.log(formatChecks(checks));
    console.log(bad.length ? `\nnanomorph doctor: ${bad.length} required part(s) missing: ${bad.map((c) => c.name).join(", ")}` : "\nnanomorph doctor: all required parts present");
  }
  return bad.length ? 1 : 0;
});
