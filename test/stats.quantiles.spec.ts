import { strict as assert } from "assert";
import { mannWhitneyU, exactUPmf, rankWithTies } from "../lib/stats/mann_whitney";
import { erfc, normalSf } from "../lib/stats/normal";
import { quantile, median, summarize } from "../lib/stats/quantiles";
import { Rng } from "../lib/util/rng";
import { pythonMissing, runPython } from "./python_oracle";

describe("probe/stats: normal tail, quantiles, Mann–Whitney U", () => {
  it("erfc matches tabulated values (Abramowitz & Stegun 7.1, and erfc(5) = 1.5374597944280349e-12)", () => {
    // Reference values: A&S Table 7.1 / mpmath, 15+ significant digits.
    const cases: [number, number][] = [
      [0, 1], [0.5, 0.4795001221869535], [1, 0.15729920705028513], [1.9, 0.007209570764742524],
      [2, 0.004677734981047266], [3, 2.209049699858544e-5], [5, 1.5374597944280349e-12], [-1, 1.8427007929497148],
    ];
    for (const [x, want] of cases) assert.ok(Math.abs(erfc(x) - want) <= 1e-13 * Math.max(want, 1e-300) + 1e-16, `erfc(${x}) = ${erfc(x)}, want ${want}`);
    assert.ok(Math.abs(normalSf(1.959963984540054) - 0.025) < 1e-14);
  });

  it("quantiles follow numpy's linear rule (hand-worked: [1,2,3,4] → q1 1.75, median 2.5, q3 3.25)", () => {
    assert.equal(quantile([4, 1, 3, 2], 0.25), 1.75);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(quantile([4, 1, 3, 2], 0.75), 3.25);
    const s = summarize([5]);
    assert.deepEqual([s.median, s.q1, s.q3, s.iqr, s.n], [5, 5, 5, 0, 1]);
    assert.throws(() => quantile([], 0.5), /empty/);
  });

  it("mid-ranks and the tie term are right on a hand-worked sample", () => {
    const { ranks, tieTerm } = rankWithTies([10, 20, 20, 30, 20]);
    assert.deepEqual([...ranks], [1, 3, 3, 5, 3]);
    assert.equal(tieTerm, 3 ** 3 - 3);
  });

  it("the exact null pmf of U sums to 1 and matches brute-force enumeration for m=3, n=4", () => {
    const pmf = exactUPmf(3, 4);
    assert.equal(pmf.length, 13);
    // Enumerate all C(7,3) = 35 placements of the first sample among 7 ranks.
    const counts = new Array(13).fill(0);
    for (let a = 0; a < 7; a++) for (let b = a + 1; b < 7; b++) for (let c = b + 1; c < 7; c++) {
      counts[(a + 1) + (b + 1) + (c + 1) - 6]++;
    }
    counts.forEach((k, u) => assert.ok(Math.abs(pmf[u] - k / 35) < 1e-15, `U=${u}`));
  });

  const missing = pythonMissing(["scipy.stats", "numpy"]);
  it("p-values match scipy.stats.mannwhitneyu(method='auto') to 1e-9 relative on exact, tied and large cases", function () {
    if (missing) { console.log(`      skipped: ${missing}`); this.skip(); }
    const r = new Rng(11);
    const cases: [number[], number[]][] = [
      [[1.1, 2.3, 0.4], [3.3, 4.1, 5.2, 2.2]],                  // exact, tiny
      [[0.1, 0.5, 0.9, 1.3, 2.0, 2.1, 2.7, 3.0], Array.from({ length: 30 }, () => r.normal(1.5))], // exact, 8 vs 30
      [[1, 2, 2, 3], [2, 3, 4, 4, 5]],                          // ties → asymptotic
      [Array.from({ length: 100 }, () => Math.round(r.uniform(0.6, 0.9) * 80) / 80),
       Array.from({ length: 100 }, () => Math.round(r.uniform(0.65, 0.95) * 80) / 80)], // accuracy-like, heavy ties
      [Array.from({ length: 20 }, () => r.normal()), Array.from({ length: 25 }, () => r.normal(0.8))], // asymptotic, no ties
      [[0.5, 0.5, 0.5], [0.5, 0.5]],                            // all tied → p = 1
      [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]],                      // extreme exact
    ];
    const want = runPython<{ u: number; p: number }[]>(
      "from scipy.stats import mannwhitneyu\nout=[]\nfor x,y in inp:\n  r=mannwhitneyu(x,y,alternative='two-sided',method='auto')\n  out.append({'u':float(r.statistic),'p':float(r.pvalue)})\nprint(json.dumps(out))",
      cases);
    cases.forEach(([x, y], i) => {
      const got = mannWhitneyU(x, y);
      assert.equal(got.u1, want[i].u, `case ${i} U`);
      assert.ok(Math.abs(got.p - want[i].p) <= 1e-9 * want[i].p + 1e-15, `case ${i}: p ${got.p} vs scipy ${want[i].p} (${got.method})`);
    });
    assert.equal(mannWhitneyU(cases[0][0], cases[0][1]).method, "exact");
    assert.equal(mannWhitneyU(cases[2][0], cases[2][1]).method, "asymptotic");
  });
});
