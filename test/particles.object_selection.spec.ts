import { strict as assert } from "assert";
import { basePickSet, pickObjects, rejectedCandidates } from "../lib/particles/object_selection";
import { BASE_VARIANT, type CandidateSet, type CandidateVariant } from "../lib/particles/candidate_objects";
import { makeMask } from "../lib/image/mask";
import type { InstanceLabels } from "../lib/particles/instances";
import { draw, labelling } from "./labelling_rows";

/** A candidate set of `rows` whose candidates are `kept` (features are not read by the picking). */
function set(rows: string[], kept: number[], side: "dark" | "bright" = "dark", variant: CandidateVariant = { ...BASE_VARIANT, h: 1 }): CandidateSet {
  const instances = labelling(rows);
  return { variant, side, mask: makeMask(instances.width, instances.height), instances, kept, features: new Float64Array(0), filterScore: 0 };
}

const merged = [
  "..........",
  ".00000000.",
  ".00000000.",
  "..........",
];
const halves = [
  "..........",
  ".00001111.",
  ".00001111.",
  "..........",
];

describe("particles/object_selection: one labelling from judged candidates", () => {
  const opts = { threshold: 0.5, maxOverlap: 0.2 };

  it("takes the likeliest candidate first; what lies mostly on it gives way", () => {
    const sets = [set(merged, [0]), set(halves, [0, 1])];
    const split = pickObjects(sets, [Float64Array.of(0.6), Float64Array.of(0.9, 0.8)], opts);
    assert.deepEqual(draw(split.instances), halves);
    assert.equal(split.picked, 2);
    const whole = pickObjects(sets, [Float64Array.of(0.95), Float64Array.of(0.9, 0.8)], opts);
    assert.deepEqual(draw(whole.instances), merged);
    assert.equal(whole.picked, 1);
  });

  it("never takes a candidate under the threshold; ids follow the order taken", () => {
    const r = pickObjects([set(halves, [0, 1])], [Float64Array.of(0.4, 0.7)], opts);
    assert.deepEqual(draw(r.instances), ["..........", ".....0000.", ".....0000.", ".........."]);
    const none = pickObjects([set(halves, [0, 1])], [Float64Array.of(0.1, 0.2)], opts);
    assert.equal(none.instances.count, 0);
    assert.ok(none.instances.labels.every((l) => l === -1));
  });

  it("a candidate overlapping a taken one by at most maxOverlap keeps only its free pixels", () => {
    const a = set(["0000....", "0000....", "........"], [0]);
    const b = set(["...0000.", "...0000.", "...0000."], [0]); // 2 of its 12 pixels lie on a: 17 %
    const r = pickObjects([a, b], [Float64Array.of(0.9), Float64Array.of(0.8)], opts);
    assert.deepEqual(draw(r.instances), ["0000111.", "0000111.", "...1111."]);
    assert.equal(pickObjects([a, b], [Float64Array.of(0.9), Float64Array.of(0.8)], { threshold: 0.5, maxOverlap: 0.1 }).picked, 1);
  });

  it("the side is where most of the picks' probability lies", () => {
    const dark = set(["00..", "00..", "...."], [0], "dark"), bright = set(["....", "..00", "..00"], [0], "bright");
    assert.equal(pickObjects([dark, bright], [Float64Array.of(0.6), Float64Array.of(0.9)], opts).polarity, "bright");
    assert.equal(pickObjects([dark, bright], [Float64Array.of(0.9), Float64Array.of(0.6)], opts).polarity, "dark");
  });

  it("adds the base segmentation's border objects where their free pixels still touch the border", () => {
    const base = set([
      "0.......",
      "0..1111.",
      "...1111.",
      "........",
    ], [], "dark", BASE_VARIANT);
    // object 0 of the base touches the border and is added; object 1 is interior: not a border object
    const pick = set([
      "........",
      "........",
      "......0.",
      "........",
    ], [0]);
    const r = pickObjects([base, pick], [new Float64Array(0), Float64Array.of(0.9)], opts);
    assert.equal(r.picked, 1);
    assert.deepEqual(draw(r.instances), ["1.......", "1.......", "......0.", "........"]);
  });

  it("adds the base's objects cut by missing pixels (a scale bar, a data strip) as it adds border objects", () => {
    const base = set([
      "..........",
      ".00...11..",
      ".00...11..",
      "..........",
      "..........",
    ], [1], "dark", BASE_VARIANT); // object 0 was left out of the candidates (it touches the strip), object 1 was not
    const missing = new Uint8Array(50);
    missing.fill(1, 30, 50); // the lowest two rows: a strip; both objects' lower rows are beside it
    const cut = pickObjects([base], [Float64Array.of(0.1)], opts, missing);
    assert.deepEqual(draw(cut.instances), ["..........", ".00.......", ".00.......", "..........", ".........."],
      "the left-out object joins (it is dropped as scaleBar later); a turned-down candidate does not");
    assert.equal(cut.picked, 0);
    assert.equal(pickObjects([base], [Float64Array.of(0.1)], opts).instances.count, 0, "without missing pixels it is not cut");
  });

  it("holes enclosed by the picked foreground go to the object around them; missing pixels stay out", () => {
    const ring = set([
      ".......",
      ".00000.",
      ".0...0.",
      ".0...0.",
      ".00000.",
      ".......",
    ], [0]);
    const r = pickObjects([ring], [Float64Array.of(0.9)], opts);
    assert.deepEqual(draw(r.instances).slice(2, 4), [".00000.", ".00000."]);
    const missing = new Uint8Array(42);
    missing[2 * 7 + 3] = 1;
    const m = pickObjects([ring], [Float64Array.of(0.9)], opts, missing);
    assert.equal(m.instances.labels[2 * 7 + 3], -1);
    assert.equal(m.instances.labels[2 * 7 + 2], 0);
  });

  it("the judge's rejects: base objects the drop rules keep of which less than half is taken, as their free pixels", () => {
    const base = set([
      "00..11..22",
      "00..11..22",
      "..........",
    ], [0, 1, 2], "dark", BASE_VARIANT);
    assert.equal(basePickSet([set(halves, [0]), base], "dark"), base);
    assert.equal(basePickSet([base], "bright"), undefined);
    const taken = labelling([
      "0.........", // object 0: 1 of its 4 pixels taken, so a reject of its other 3
      "......1122", // object 1: none taken; object 2: half taken, so not a reject
      "......1...",
    ]).labels;
    const rejects = rejectedCandidates(base, taken);
    assert.deepEqual(rejects, [[1, 10, 11], [4, 5, 14, 15]]);
    // objects the drop rules do not keep are never rejects
    assert.deepEqual(rejectedCandidates({ ...base, kept: [2] }, taken), []);
  });

  it("throws when the probabilities do not fit the sets", () => {
    assert.throws(() => pickObjects([set(halves, [0, 1])], [Float64Array.of(0.5)], opts), /one probability per candidate/);
    assert.throws(() => pickObjects([], [], opts), /no candidate sets/);
  });
});
