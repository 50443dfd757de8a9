import { strict as assert } from "assert";
import { PriorityQueue } from "../lib/util/heap";
import { Rng } from "../lib/util/rng";

describe("util/heap: PriorityQueue", () => {
  it("pops in the order of a stable sort by priority, across growth and interleaved pushes", () => {
    const rng = new Rng(11);
    const q = new PriorityQueue();
    // Few distinct priorities, so ties are common and their first-in first-out order is tested.
    const pending: Array<{ p: number; v: number; k: number }> = [];
    const out: number[] = [], expected: number[] = [];
    let k = 0;
    for (let round = 0; round < 40; round++) {
      const pushes = Math.floor(rng.uniform(0, 400));
      for (let i = 0; i < pushes; i++) {
        const p = Math.floor(rng.uniform(0, 7)) / 2, v = k;
        q.push(p, v); pending.push({ p, v, k: k++ });
      }
      const pops = Math.min(q.size, Math.floor(rng.uniform(0, 300)));
      pending.sort((a, b) => a.p - b.p || a.k - b.k);
      for (let i = 0; i < pops; i++) { out.push(q.pop()); expected.push(pending.shift()!.v); }
      assert.equal(q.size, pending.length);
    }
    while (q.size) out.push(q.pop());
    pending.sort((a, b) => a.p - b.p || a.k - b.k);
    expected.push(...pending.map((e) => e.v));
    assert.ok(k > 4000, "the queue grew past its first capacity");
    assert.deepEqual(out, expected);
  });

  it("keeps non-integer values and throws when popped empty", () => {
    const q = new PriorityQueue();
    q.push(-Infinity, 0.25); q.push(2, -3.5);
    assert.equal(q.pop(), 0.25);
    assert.equal(q.pop(), -3.5);
    assert.throws(() => q.pop(), /empty queue/);
  });
});
