import { strict as assert } from "assert";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/index";
import { loadWorkloads, mergePeerRounds, runPeer, splitRounds, timeWorkload } from "../bench/harness";
import { parseBenchArgs } from "../bench/run";
import { median } from "../bench/stats";
import { Workload } from "../bench/workload";

const ROOT = path.resolve(__dirname, "..");
const node = process.execPath;

describe("bench/harness", () => {
  it("computes medians (odd, even) and rejects an empty list", () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /empty/);
  });

  it("parses --only (repeatable, comma lists), --repeats, --warmup, --no-peer and rejects bad numbers", () => {
    assert.deepEqual(parseBenchArgs([]), { only: null, repeats: 5, warmup: 2, noPeer: false, rounds: 1 });
    assert.deepEqual(parseBenchArgs(["--only", "a,b", "--only", "c", "--repeats", "3", "--warmup", "0", "--no-peer", "--rounds", "2"]),
      { only: ["a", "b", "c"], repeats: 3, warmup: 0, noPeer: true, rounds: 2 });
    assert.throws(() => parseBenchArgs(["--repeats", "0"]), /--repeats/);
    assert.throws(() => parseBenchArgs(["--rounds", "0"]), /--rounds/);
    assert.throws(() => parseBenchArgs(["--bogus"]), /bogus/);
  });

  it("loads the workload modules with unique names, including the issue-2 CNN pair with a PyTorch peer", () => {
    const ws = loadWorkloads();
    const names = ws.map((w) => w.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of ["small-resnet-train-step", "small-resnet-forward"]) {
      const w = ws.find((x) => x.name === n);
      assert.ok(w, n);
      assert.match(w!.peer!.command.join(" "), /bench\/peers\/small_resnet\.py/);
    }
  });

  it("runs a peer command, parses its JSON line, and reports failures instead of throwing", () => {
    const mk = (script: string): Workload => ({ name: "t", description: "", setup: () => ({ run() {}, dispose() {} }), peer: { name: "p", command: [node, "-e", script, "--"] } });
    const ok = runPeer(mk(`console.log("noise"); console.log(JSON.stringify({ms: 12.345, repeats: +process.argv[process.argv.indexOf("--repeats")+1]}))`), 4, 1, ROOT)!;
    assert.equal(ok.ms, 12.35);
    assert.equal(ok.info!.repeats, 4); // the harness appended --repeats 4
    assert.match(runPeer(mk(`process.exit(3)`), 1, 0, ROOT)!.skipped!, /exit 3/);
    assert.match(runPeer(mk(`console.log("not json")`), 1, 0, ROOT)!.skipped!, /unparsable/);
    const unavailable: Workload = { ...mk(""), peer: { name: "p", command: ["x"], unavailable: () => "no torch" } };
    assert.deepEqual(runPeer(unavailable, 1, 0, ROOT), { name: "p", ms: null, skipped: "no torch" });
  });

  it("times warm-up + repeats runs and detects leaked tensors", async () => {
    const backend = await initBackend();
    let runs = 0;
    const leaky: Workload = {
      name: "leaky", description: "", warmup: 1,
      setup: () => ({ run() { runs++; tf.ones([2]); }, dispose() {} }),
    };
    const r = await timeWorkload(leaky, backend, 3, () => {});
    assert.equal(runs, 4);
    assert.equal(r.allMs.length, 3);
    assert.equal(r.leakedTensors, 4);
    assert.equal(r.backend, backend.name);
  });

  it("interleaves rounds: splits the repeats, calls between() after each chunk but the last, merges peer runs", async () => {
    assert.deepEqual(splitRounds(10, 3), [4, 3, 3]);
    assert.deepEqual(splitRounds(2, 5), [1, 1]);
    assert.deepEqual(splitRounds(5, 1), [5]);
    const backend = await initBackend();
    const events: string[] = [];
    const w: Workload = { name: "r", description: "", warmup: 1, setup: () => ({ run() { events.push("run"); }, dispose() {} }) };
    await timeWorkload(w, backend, 5, () => {}, 3, (i) => events.push(`peer${i}`));
    // 1 warm-up, then chunks of 2, 2, 1 with the peer after the first two (the bench runs the last one).
    assert.deepEqual(events, ["run", "run", "run", "peer0", "run", "run", "peer1", "run"]);
    const merged = mergePeerRounds([
      { name: "p", ms: 10, info: { all_ms: [9, 10, 11], torch: "x" } },
      { name: "p", ms: 30, info: { all_ms: [30] } },
    ])!;
    assert.equal(merged.ms, 10.5);
    assert.deepEqual(merged.info, { all_ms: [9, 10, 11, 30], torch: "x", rounds: 2 });
    assert.equal(mergePeerRounds([{ name: "p", ms: 1 }, { name: "p", ms: null, skipped: "exit 1" }])!.skipped, "exit 1");
    assert.equal(mergePeerRounds([]), null);
  });
});
