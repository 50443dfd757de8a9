import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { scoreRealSet } from "../lib/data/scalebar/evaluate_real";
import type { LabelledSet } from "../lib/data/scalebar/evaluate_real";
import { createLabelReader } from "../lib/data/scalebar/read_label";
import type { LabelReader } from "../lib/data/scalebar/read_label";

// Real scale bars labelled by eye (test/fixtures/real_scalebars.json says how the pixel lengths were measured).
// "wrong" = a number more than 2 % off, or any number on an image without a readable bar: must be 0.
// The read floors are what the reader achieves today (measured 2026-12-07, eighth session), a regression guard: 69 of
// the 72 bars (95.8 %); the figure crops alone are at 13 of 15.
// FAST_FLOOR: how many of those the template reader (fast_label.ts) decides on its own, without tesseract.
const ROOT = path.join(__dirname, "..", "..", "shared", "data");
const TRUTH = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "real_scalebars.json"), "utf8")) as { sets: Record<string, LabelledSet> };
const FLOOR: Record<string, number> = { "scalebars": 13, "nanowire-examples": 4, "emps-train": 52 };
const FAST_FLOOR: Record<string, number> = { "scalebars": 11, "nanowire-examples": 3, "emps-train": 36 };

describe("data.scalebar: real images labelled by eye", () => {
  let reader: LabelReader;
  before(async function () {
    this.timeout(60000);
    reader = await createLabelReader();
  });
  after(async () => reader && reader.terminate());

  for (const [name, set] of Object.entries(TRUTH.sets)) {
    it(`${name}: no wrong nm/px, at least ${FLOOR[name]} of ${set.images.length} bars read within 2 % (${FAST_FLOOR[name]} by templates)`, async function () {
      this.timeout(600000);
      if (!fs.existsSync(path.join(ROOT, set.dir))) {
        console.log(`      (skipped: ${path.join(ROOT, set.dir)} is absent)`);
        return;
      }
      const s = await scoreRealSet(ROOT, set, { reader });
      const bad = s.trials.filter((t) => t.read !== null && (t.expected === null || (t.relError as number) > 0.02));
      assert.equal(s.wrong, 0, `wrong readings: ${bad.map((t) => `${t.file} ${t.read} nm/px (expected ${t.expected}): ${t.note}`).join("; ")}`);
      assert.ok(s.read >= FLOOR[name], `${name}: read ${s.read}/${s.withBar} < ${FLOOR[name]}`);
      assert.equal(s.refusedOk, s.refusable);
      const fast = s.trials.filter((t) => t.readBy === "templates").length;
      assert.ok(fast >= FAST_FLOOR[name], `${name}: the template reader decided ${fast} < ${FAST_FLOOR[name]}`);
      console.log(`      ${name}: read ${s.read}/${s.withBar} (${fast} by the template reader), max nm/px error ${(100 * s.maxRelError).toFixed(2)} %, refused ${s.refusedOk}/${s.refusable}`);
    });
  }
});
