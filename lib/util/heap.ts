/**
 * A binary min-heap of (priority, value) pairs with FIFO order among equal priorities (an insertion
 * counter breaks ties), so flooding algorithms built on it are deterministic.
 */
export class PriorityQueue {
  private prio: number[] = [];
  private order: number[] = [];
  private vals: number[] = [];
  private counter = 0;

  /** Number of queued items. */
  get size(): number {
    return this.vals.length;
  }

  /** Queue `value` with `priority` (smaller comes out first). */
  push(priority: number, value: number): void {
    this.prio.push(priority);
    this.order.push(this.counter++);
    this.vals.push(value);
    let i = this.vals.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Remove and return the value with the smallest priority (earliest pushed among ties). Throws when empty. */
  pop(): number {
    const n = this.vals.length;
    if (n === 0) throw new Error("PriorityQueue.pop: empty queue");
    const top = this.vals[0];
    this.swap(0, n - 1);
    this.prio.pop(); this.order.pop(); this.vals.pop();
    let i = 0;
    const m = n - 1;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let s = i;
      if (l < m && this.less(l, s)) s = l;
      if (r < m && this.less(r, s)) s = r;
      if (s === i) break;
      this.swap(i, s);
      i = s;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.prio[a] < this.prio[b] || (this.prio[a] === this.prio[b] && this.order[a] < this.order[b]);
  }

  private swap(a: number, b: number): void {
    [this.prio[a], this.prio[b]] = [this.prio[b], this.prio[a]];
    [this.order[a], this.order[b]] = [this.order[b], this.order[a]];
    [this.vals[a], this.vals[b]] = [this.vals[b], this.vals[a]];
  }
}
