import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundledObjectJudgePath, checkObjectJudge, judgeCandidates, loadObjectJudge, OBJECT_JUDGE_FORMAT, OBJECT_JUDGE_VERSION, type ObjectJudge } from "../lib/particles/object_judge";
import { BASE_VARIANT, CANDIDATE_FEATURES, CANDIDATE_FEATURE_COUNT, candidateSets, sameVariant } from "../lib/particles/candidate_objects";
import { filteredOtsuParticles } from "../lib/particles/filtered_otsu";
import { loadObjectFilter, withoutNotParticles } from "../lib/particles/object_filter";
import { loadOutlineRefiner } from "../lib/particles/outline_refiner";
import { instanceAreas, instancesFromLabelMap } from "../lib/particles/instances";
import { basePickSet } from "../lib/particles/object_selection";
import type { GreyImage } from "../lib/particles/grey_image";
import { evaluateInstances, summariseInstanceEvals } from "../lib/particles/instance_eval";
import { generateSizedParticles } from "../lib/data/synth/sized_particles";
import { Rng } from "../lib/util/rng";
import { empsPart } from "./emps_helpers";

describe("particles/object_judge: boosted trees choosing among candidate segmentations", () => {
  const filter = loadObjectFilter("bundled");

  it("the bundled judge loads, names its features, segmentations, training data and code version", () => {
    const j = loadObjectJudge("bundled");
    assert.deepEqual(j.features, [...CANDIDATE_FEATURES]);
    assert.ok(j.variants.some((v) => sameVariant(v, BASE_VARIANT)), "the default route's segmentation is among the candidates");
    assert.ok(j.threshold > 0 && j.threshold < 1 && j.maxOverlap >= 0 && j.maxOverlap < 1);
    const t = j.training as { command: string; data: { part: string }; codeCommit: string };
    assert.match(t.command, /bench\/particles\/object_judge\.ts/);
    assert.equal(t.data.part, "train");
    assert.match(t.codeCommit, /^[0-9a-f]{7,40}/);
  });

  it("refuses a damaged or foreign file, naming it and what is wrong", () => {
    const good = JSON.parse(fs.readFileSync(bundledObjectJudgePath(), "utf8")) as ObjectJudge;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "judge-"));
    const write = (name: string, o: unknown): string => { const f = path.join(dir, name); fs.writeFileSync(f, JSON.stringify(o)); return f; };
    assert.throws(() => loadObjectJudge(write("fmt.json", { ...good, format: "x" })), /fmt\.json: not a nanomorph-object-judge file/);
    assert.throws(() => loadObjectJudge(write("ver.json", { ...good, version: 9 })), new RegExp(`version 9; this nanomorph reads version ${OBJECT_JUDGE_VERSION}`));
    assert.throws(() => loadObjectJudge(write("thr.json", { ...good, threshold: 2 })), /thr\.json: threshold must be in 0…1/);
    assert.throws(() => loadObjectJudge(write("ov.json", { ...good, maxOverlap: 1 })), /maxOverlap must be in \[0, 1\)/);
    assert.throws(() => loadObjectJudge(write("var.json", { ...good, variants: [{ ...BASE_VARIANT, flatten: 3 }] })), /var\.json: candidate variant .* flatten must be/);
    assert.throws(() => loadObjectJudge(write("cols.json", { ...good, model: { ...good.model, columns: 3 } })), /made for rows of 3 columns/);
    assert.throws(() => loadObjectJudge(path.join(dir, "absent.json")), /absent\.json does not exist \(give a JSON file from bench\/particles\/object_judge\.ts/);
    assert.equal(checkObjectJudge(good, "x").format, OBJECT_JUDGE_FORMAT);
    assert.equal(OBJECT_JUDGE_VERSION, good.version);
  });

  it("gives every candidate a probability, the same on every run", () => {
    const j = loadObjectJudge("bundled");
    const s = generateSizedParticles({ size: 160, count: 14, medianDiameter: 18 }, new Rng(5));
    const g = { width: s.width, height: s.height, grey: Float32Array.from(s.image) };
    const sets = candidateSets(g, filter, j.variants);
    const p = judgeCandidates(j, sets), q = judgeCandidates(j, candidateSets(g, filter, j.variants));
    p.forEach((ps, i) => {
      assert.equal(ps.length, sets[i].kept.length);
      assert.equal(sets[i].features.length, ps.length * CANDIDATE_FEATURE_COUNT);
      for (const v of ps) assert.ok(v > 0 && v < 1);
    });
    assert.deepEqual(p, q);
  });
});

describe("particles/object_judge: in the default route", () => {
  const filter = loadObjectFilter("bundled"), refiner = loadOutlineRefiner("bundled");

  /**
   * The route's `notParticle` objects are the judge's rejects: each lies within one object of the base
   * segmentation on the route's side the drop rules keep, and holds more than half of it and at least
   * the 10 px of the size rule. Returns how many there are.
   */
  function assertRejectsAreBaseObjects(g: GreyImage, route: ReturnType<typeof filteredOtsuParticles>, judge: ObjectJudge): number {
    const base = basePickSet(candidateSets(g, filter, judge.variants, { h: 2 }), route.polarity)!;
    const { labels } = route.extracted.instances, baseLabels = base.instances.labels;
    const areas = instanceAreas(base.instances);
    const rejected = route.extracted.status.flatMap((st, id) => (st === "notParticle" ? [id] : []));
    for (const id of rejected) {
      const under = new Set<number>();
      let n = 0;
      labels.forEach((l, i) => { if (l === id) { under.add(baseLabels[i]); n++; } });
      assert.equal(under.size, 1, `reject ${id} lies on ${under.size} base objects`);
      const [b] = under;
      assert.ok(b >= 0 && base.kept.includes(b) && n * 2 > areas[b] && n >= 10, `reject ${id}: ${n} px of base object ${b} (${areas[b]} px)`);
    }
    return rejected.length;
  }

  it("on synthetic TEM particles, the judge's picks are particles: F1 ≥ 0.8 at IoU ≥ 0.5, every pick kept or dropped for a rule, same result on every run", () => {
    const judge = loadObjectJudge("bundled");
    const evals = [];
    for (const seed of [1, 2]) {
      const s = generateSizedParticles({ size: 192, count: 22, medianDiameter: 20, touchingFraction: 0.3 }, new Rng(seed));
      const g = { width: s.width, height: s.height, grey: Float32Array.from(s.image) };
      const run = () => filteredOtsuParticles(g, filter, null, { h: 2, refiner, judge, growth: { maxPx: 0 } });
      const a = run(), b = run();
      assert.deepEqual(a.extracted.instances.labels, b.extracted.instances.labels);
      assertRejectsAreBaseObjects(g, a, judge);
      evals.push(evaluateInstances(`seed ${seed}`, withoutNotParticles(a.extracted), instancesFromLabelMap(Int32Array.from(s.labels, (l) => l + 1), s.width, s.height)));
    }
    const sum = summariseInstanceEvals(evals);
    assert.ok(sum.f1 >= 0.8, `F1 ${sum.f1.toFixed(3)} (P ${sum.precision.toFixed(3)}, R ${sum.recall.toFixed(3)})`);
  });

  for (const [part, every] of [["source", 3], ["validation", 4]] as const) {
    it(`finds more of the true particles than the filter's one segmentation on EMPS ${part} images (one in ${every}; real data)`, async function () {
      this.timeout(300_000);
      const judge = loadObjectJudge("bundled");
      const before = [], after = [];
      let rejects = 0;
      for await (const { id, grey: g, truth } of empsPart(this, part, every)) {
        before.push(evaluateInstances(id, withoutNotParticles(filteredOtsuParticles(g, filter, null, { h: 2, refiner }).extracted), truth));
        const judged = filteredOtsuParticles(g, filter, null, { h: 2, refiner, judge });
        rejects += assertRejectsAreBaseObjects(g, judged, judge);
        after.push(evaluateInstances(id, withoutNotParticles(judged.extracted), truth));
      }
      assert.ok(rejects > 0, "the judge turned down none of the base segmentation's objects");
      const b = summariseInstanceEvals(before), a = summariseInstanceEvals(after);
      const say = `${part}: F1 ${b.f1.toFixed(3)} → ${a.f1.toFixed(3)}, recall ${b.recall.toFixed(3)} → ${a.recall.toFixed(3)}, precision ${b.precision.toFixed(3)} → ${a.precision.toFixed(3)}, count error ${b.medianCountError.toFixed(3)} → ${a.medianCountError.toFixed(3)}`;
      console.log(`      ${say}`);
      assert.ok(a.f1 > b.f1, say);
      assert.ok(a.recall > b.recall, say);
    });
  }
});
