import { strict as assert } from "assert";
import { stratifiedKFold } from "../lib/stats/kfold";

describe("probe/kfold", () => {
  it("makes disjoint, covering, class-balanced folds of near-equal size, reproducibly", () => {
    // 3 classes of 10, 7 and 5 rows; rows 0..21 of which we fold a subset.
    const labels = [...Array(10).fill(0), ...Array(7).fill(1), ...Array(5).fill(2)];
    const rows = [...Array(22).keys()].filter((i) => i !== 3);
    const folds = stratifiedKFold(labels, rows, 4, 42);
    const all = folds.flat();
    assert.equal(all.length, rows.length);
    assert.deepEqual([...all].sort((a, b) => a - b), rows);
    const sizes = folds.map((f) => f.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
    for (const c of [0, 1, 2]) {
      const per = folds.map((f) => f.filter((i) => labels[i] === c).length);
      assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${c}: ${per}`);
    }
    assert.deepEqual(stratifiedKFold(labels, rows, 4, 42), folds);
    assert.notDeepEqual(stratifiedKFold(labels, rows, 4, 43), folds);
  });

  it("throws for k < 2 and for a class with fewer rows than folds", () => {
    assert.throws(() => stratifiedKFold([0, 1], [0, 1], 1, 0), /k must be an integer >= 2/);
    assert.throws(() => stratifiedKFold([0, 0, 0, 1], [0, 1, 2, 3], 2, 0), /class 1 has 1 rows/);
  });
});
