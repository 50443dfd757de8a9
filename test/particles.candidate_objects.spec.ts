import { strict as assert } from "assert";
import { BASE_VARIANT, CANDIDATE_FEATURES, CANDIDATE_FEATURE_COUNT, candidateSets, checkVariant, filterSide, type CandidateVariant } from "../lib/particles/candidate_objects";
import { otsuForeground, otsuForegroundSides } from "../lib/particles/otsu_foreground";
import { separateParticles } from "../lib/particles/watershed";
import { measureInstances } from "../lib/particles/extract";
import { objectFeatures, OBJECT_FEATURE_COUNT } from "../lib/particles/object_features";
import { loadObjectFilter, particleProbabilities } from "../lib/particles/object_filter";
import { bestOverlaps } from "../lib/particles/match";
import type { GreyImage } from "../lib/particles/grey_image";
import type { InstanceLabels } from "../lib/particles/instances";

const col = (name: string): number => CANDIDATE_FEATURES.indexOf(name as (typeof CANDIDATE_FEATURES)[number]);

/** 120×100 light field (0.8) with dark discs (x, y, r, grey). */
function discs(spec: Array<[number, number, number, number]>, width = 120, height = 100): GreyImage {
  const grey = new Float32Array(width * height).fill(0.8);
  for (const [cx, cy, r, v] of spec) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) grey[y * width + x] = v;
  return { width, height, grey };
}

describe("particles/otsu_foreground: both sides with a shifted cut", () => {
  const g = discs([[30, 40, 20, 0.1], [90, 60, 8, 0.6]]);

  it("shift 0 gives exactly otsuForeground's dark and bright sides", () => {
    const s = otsuForegroundSides(g);
    assert.deepEqual(s.dark.data, otsuForeground(g, { polarity: "dark" }).data);
    assert.deepEqual(s.bright.data, otsuForeground(g, { polarity: "bright" }).data);
  });

  it("a shifted cut takes a fainter disc the plain cut leaves out, and everything the plain cut takes", () => {
    const plain = otsuForegroundSides(g), shifted = otsuForegroundSides(g, { shift: 0.8 });
    const at = (x: number, y: number): number => y * g.width + x;
    assert.equal(plain.dark.data[at(30, 40)], 1);
    assert.equal(plain.dark.data[at(90, 60)], 0, "the faint disc (0.6) is on the light side of Otsu's cut");
    assert.equal(shifted.dark.data[at(90, 60)], 1);
    for (let i = 0; i < plain.dark.data.length; i++) if (plain.dark.data[i]) assert.equal(shifted.dark.data[i], 1);
    assert.throws(() => otsuForegroundSides(g, { shift: 1 }), /shift must be in \[0, 1\)/);
  });
});

describe("particles/match: bestOverlaps", () => {
  it("gives each instance of either labelling its largest IoU with the other's instances", () => {
    const lab = (v: number[]): InstanceLabels => ({ width: 4, height: 1, labels: Int32Array.from(v), count: Math.max(...v) + 1 });
    const best = bestOverlaps(lab([0, 0, 1, 1]), lab([0, 0, 0, -1]));
    assert.deepEqual([...best.a], [2 / 3, 1 / 4]);
    assert.deepEqual([...best.b], [2 / 3]);
    assert.deepEqual([...bestOverlaps(lab([-1, -1, 0, 0]), lab([0, -1, -1, -1])).a], [0]);
  });
});

describe("particles/candidate_objects: several segmentations, judged alike", () => {
  const filter = loadObjectFilter("bundled");
  const variants: CandidateVariant[] = [BASE_VARIANT, { ...BASE_VARIANT, h: 1 }, { ...BASE_VARIANT, fillHoles: false }, { ...BASE_VARIANT, flatten: 0.3 }];
  const g = discs([[30, 30, 10, 0.2], [80, 60, 12, 0.25], [90, 20, 6, 0.2]]);

  it("gives both sides of every variant, in order, with one feature row per kept object", () => {
    const sets = candidateSets(g, filter, variants);
    assert.equal(sets.length, 2 * variants.length);
    sets.forEach((s, i) => {
      assert.equal(s.variant, variants[i >> 1]);
      assert.equal(s.side, i % 2 ? "bright" : "dark");
      assert.equal(s.features.length, s.kept.length * CANDIDATE_FEATURE_COUNT);
    });
    assert.equal(CANDIDATE_FEATURE_COUNT, OBJECT_FEATURE_COUNT + 9);
  });

  it("the base set's rows start with the object features and the filter's probability of the default route", () => {
    const base = candidateSets(g, filter, variants)[0];
    const ex = measureInstances(separateParticles(otsuForegroundSides(g).dark, { h: 2 }), null);
    assert.deepEqual(base.kept, ex.particles.map((p) => p.id));
    assert.equal(base.kept.length, 3);
    const f = objectFeatures(g, ex), p = particleProbabilities(filter, g, ex);
    base.kept.forEach((_, k) => {
      const row = base.features.subarray(k * CANDIDATE_FEATURE_COUNT, (k + 1) * CANDIDATE_FEATURE_COUNT);
      assert.deepEqual([...row.subarray(0, OBJECT_FEATURE_COUNT)], [...f.subarray(k * OBJECT_FEATURE_COUNT, (k + 1) * OBJECT_FEATURE_COUNT)]);
      assert.equal(row[col("filterProbability")], p[k]);
      assert.equal(row[col("darkSide")], 1);
      assert.deepEqual([row[col("fillHoles")], row[col("h")], row[col("flatten")], row[col("shift")]], [1, 2, 0, 0]);
    });
  });

  it("isolated discs are found alike by every dark segmentation: agreeing counts them; their side takes the filter's whole share", () => {
    const sets = candidateSets(g, filter, variants);
    assert.equal(filterSide(sets), "dark");
    for (const s of sets.filter((x) => x.side === "dark")) {
      assert.equal(s.kept.length, 3, `${JSON.stringify(s.variant)}`);
      for (let k = 0; k < s.kept.length; k++) {
        const row = s.features.subarray(k * CANDIDATE_FEATURE_COUNT, (k + 1) * CANDIDATE_FEATURE_COUNT);
        assert.equal(row[col("agreeing")], variants.length - 1);
        assert.equal(row[col("agreeingSameSide")], variants.length - 1);
        assert.equal(row[col("sideShare")], 1);
      }
    }
  });

  it("a variant out of range is refused, naming the field", () => {
    assert.throws(() => checkVariant({ ...BASE_VARIANT, shift: 1.5 }), /shift must be in/);
    assert.throws(() => checkVariant({ ...BASE_VARIANT, flatten: -1 }), /flatten must be/);
    assert.throws(() => checkVariant({ ...BASE_VARIANT, h: Number.NaN }), /h must be ≥ 0/);
    assert.throws(() => checkVariant({ h: 2, flatten: 0, shift: 0 } as unknown as CandidateVariant), /fillHoles must be true or false/);
    assert.throws(() => candidateSets(g, filter, [{ ...BASE_VARIANT, shift: -0.1 }]), /shift must be in/);
  });
});
