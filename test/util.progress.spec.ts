import { strict as assert } from "assert";
import { Progress } from "../lib/util/progress";
import { backendLine } from "../lib/backend/init";
import type { BackendInfo } from "../lib/backend/types";

/** A stream that records what is written; `isTTY` as given. */
function sink(isTTY: boolean): NodeJS.WritableStream & { isTTY: boolean; text: string } {
  const s = { isTTY, text: "", write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WritableStream & { isTTY: boolean; text: string };
}

/** Run 3 ticks of a 3-unit bar with `env` set, printing on every tick. */
function draw(isTTY: boolean, notebook: boolean): string {
  const saved = { nb: process.env.NANOMORPH_NOTEBOOK, quiet: process.env.NANOMORPH_QUIET };
  process.env.NANOMORPH_QUIET = "0";
  if (notebook) process.env.NANOMORPH_NOTEBOOK = "1"; else delete process.env.NANOMORPH_NOTEBOOK;
  try {
    const out = sink(isTTY);
    const p = new Progress({ label: "train", total: 3, logEverySec: 0, stream: out });
    for (let i = 0; i < 3; i++) p.tick(1, { loss: 0.5 });
    p.finish();
    return out.text;
  } finally {
    if (saved.nb === undefined) delete process.env.NANOMORPH_NOTEBOOK; else process.env.NANOMORPH_NOTEBOOK = saved.nb;
    if (saved.quiet === undefined) delete process.env.NANOMORPH_QUIET; else process.env.NANOMORPH_QUIET = saved.quiet;
  }
}

describe("util/progress: one line updated in place where the reader sees it live", () => {
  it("in a notebook kernel: carriage-return updates on one line, a single newline at the end", () => {
    const t = draw(false, true);
    assert.equal((t.match(/\r/g) ?? []).length, 3, JSON.stringify(t));
    assert.equal((t.match(/\n/g) ?? []).length, 1);
    assert.ok(t.endsWith("\n") && /3\/3/.test(t.split("\r").pop() as string));
  });

  it("in a log (not a terminal, not a notebook): one line per update, no carriage returns", () => {
    const t = draw(false, false);
    assert.equal((t.match(/\n/g) ?? []).length, 3);
    assert.ok(!t.includes("\r"));
  });

  it("on a terminal: redrawn in place with a line clear (at most every 200 ms, and at the end)", () => {
    const t = draw(true, false);
    assert.ok((t.match(/\r/g) ?? []).length >= 2, JSON.stringify(t));
    assert.equal((t.match(/\n/g) ?? []).length, 1);
    assert.ok(t.includes("\x1b[K"));
  });
});

describe("backend/init: the backend line", () => {
  const info = {
    name: "native", choice: "native-cpu", reason: "first candidate that loaded: libtorch 1.13.1 on cpu", threads: 2, threadsReason: "one per core",
    simd: false, native: "1.13.1 on cpu", kernels: [], fallbackKernels: [],
    tried: [{ choice: "native-cuda", ok: false, detail: "this libtorch has no usable CUDA device" }, { choice: "native-cpu", ok: true, detail: "" }],
  } as unknown as BackendInfo;
  it("names the backend in one short line; the skipped candidates only when debugging", () => {
    const line = backendLine(info, false);
    assert.equal(line, "[nanomorph] backend native-cpu (1.13.1 on cpu, 2 threads)");
    assert.ok(line.length < 80);
    assert.match(backendLine(info, true), /skipped native-cuda: this libtorch has no usable CUDA device/);
  });
});
