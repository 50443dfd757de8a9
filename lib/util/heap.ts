/**
 * A binary min-heap of (priority, value) pairs with FIFO order among equal priorities (an insertion
 * counter breaks ties), so flooding algorithms built on it are deterministic.
 *
 * Why typed arrays and a moving hole instead of swaps: the watershed floods every foreground pixel
 * through this queue (about 260,000 pushes per 512² micrograph and side), and swapping through
 * destructured arrays allocated on every step; the order of what comes out is the same.
 */
export class PriorityQueue {
  private prio = new Float64Array(1024);
  private order = new Float64Array(1024);
  private vals = new Float64Array(1024);
  private n = 0;
  private counter = 0;

  /** Number of queued items. */
  get size(): number {
    return this.n;
  }

  /** Queue `value` with `priority` (smaller comes out first). */
  push(priority: number, value: number): void {
    if (this.n === this.vals.length) this.grow();
    const { prio, order, vals } = this;
    const o = this.counter++;
    let i = this.n++;
    // Move parents down into the hole until the new item's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pp = prio[parent];
      if (pp < priority || (pp === priority && order[parent] < o)) break;
      prio[i] = pp; order[i] = order[parent]; vals[i] = vals[parent];
      i = parent;
    }
    prio[i] = priority; order[i] = o; vals[i] = value;
  }

  /** Remove and return the value with the smallest priority (earliest pushed among ties). Throws when empty. */
  pop(): number {
    if (this.n === 0) throw new Error("PriorityQueue.pop: empty queue");
    const { prio, order, vals } = this;
    const top = vals[0];
    const m = --this.n;
    if (m === 0) return top;
    // The last item sinks from the root: move the smaller child up into the hole until it fits.
    const p = prio[m], o = order[m], v = vals[m];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= m) break;
      let s = l;
      const r = l + 1;
      if (r < m && (prio[r] < prio[l] || (prio[r] === prio[l] && order[r] < order[l]))) s = r;
      if (p < prio[s] || (p === prio[s] && o < order[s])) break;
      prio[i] = prio[s]; order[i] = order[s]; vals[i] = vals[s];
      i = s;
    }
    prio[i] = p; order[i] = o; vals[i] = v;
    return top;
  }

  private grow(): void {
    // Written out per array (no typed helper): the notebooks' older TypeScript has no generic Float64Array.
    const size = this.vals.length * 2;
    const prio = new Float64Array(size), order = new Float64Array(size), vals = new Float64Array(size);
    prio.set(this.prio); order.set(this.order); vals.set(this.vals);
    this.prio = prio; this.order = order; this.vals = vals;
  }
}
