import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundledObjectJudgePath, checkObjectJudge, judgeCandidates, loadObjectJudge, OBJECT_JUDGE_FORMAT, OBJECT_JUDGE_VERSION, type ObjectJudge } from "../lib/particles/object_judge";
import { BASE_VARIANT, CANDIDATE_FEATURES, CANDIDATE_FEATURE_COUNT, candidateSets, sameVariant } from "../lib/particles/candidate_objects";
import { filteredOtsuParticles } from "../lib/particles/filtered_otsu";
import { loadObjectFilter, withoutNotParticles } from "../lib/particles/object_filter";
import { loadOutlineRefiner } from "../lib/particles/outline_refiner";
import { instancesFromLabelMap } from "../lib/particles/instances";
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
    assert.throws(() => loadObjectJudge(write("ver.json", { ...good, version: 9 })), /version 9; this nanomorph reads version 1/);
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
