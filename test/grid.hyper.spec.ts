import { strict as assert } from "assert";
import { hyperparameterGrids, hyperMedians, expandGrid, HYPER_AXES, type HyperRow } from "../lib/grid/index";

describe("grid/hyper (the paper's hyperparameter study as grids)", () => {
  it("paper profile: one grid per method × axis with the paper's values, ImageNet start, 5 seeds, 4 folds × 5 splits", () => {
    const grids = hyperparameterGrids("paper");
    assert.equal(grids.length, 2 * 4);
    const simclrBatch = grids.find((g) => g.name === "hyper-paper-simclr-batchSize")!;
    assert.deepEqual(simclrBatch.axes, { "pretrain.batchSize": [16, 32, 64] });
    assert.deepEqual(simclrBatch.seeds, [42, 43, 44, 45, 46]);
    const base = simclrBatch.base as { pretrain: { encoder: string; imageSize: number; epochs: number }; cv: { folds: number; splitSeeds: number[] } };
    assert.equal(base.pretrain.encoder, "imagenet");
    assert.equal(base.pretrain.imageSize, 224);
    assert.equal(base.pretrain.epochs, 200);
    assert.deepEqual(base.cv, { folds: 4, splitSeeds: [42, 43, 44, 45, 46] });
    // Last projection size replaces only the last layer of the head.
    const proj = grids.find((g) => g.name === "hyper-paper-barlow-lastProjection")!;
    assert.deepEqual(proj.axes["pretrain.projection"], [[128, 64, 64], [128, 64, 256], [128, 64, 1024]]);
    assert.deepEqual(grids.find((g) => g.name === "hyper-paper-simclr-crop")!.axes["pretrain.augment.crop"], ["random", "constant25", "constant50", "none"]);
  });

  it("the base setting is the same cell (same id) in every axis's grid, so it is computed once", () => {
    const grids = hyperparameterGrids("ci").filter((g) => (g.base as { method: string }).method === "simclr");
    const idSets = grids.map((g) => new Set(expandGrid(g).map((c) => c.id)));
    const shared = [...idSets[0]].filter((id) => idSets.every((s) => s.has(id)));
    assert.equal(shared.length, 1, "exactly the base point (one seed under ci) is in all four grids");
  });

  it("medians per method and setting of one axis", () => {
    const rows: HyperRow[] = [0.5, 0.7, 0.6].map((accuracy, fold) => ({ method: "simclr", axis: "crop", setting: "none", seed: 42, split: 42, fold, accuracy }));
    rows.push({ method: "barlow", axis: "crop", setting: "none", seed: 42, split: 42, fold: 0, accuracy: 0.9 });
    rows.push({ method: "simclr", axis: "batchSize", setting: "16", seed: 42, split: 42, fold: 0, accuracy: 0.1 });
    assert.deepEqual(hyperMedians(rows, "crop"), { simclr: { none: 0.6 }, barlow: { none: 0.9 } });
    assert.deepEqual(HYPER_AXES, ["batchSize", "lastProjection", "crop", "imageSize"]);
  });
});
