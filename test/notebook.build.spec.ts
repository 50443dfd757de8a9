import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { buildNotebook, parsePercent, buildAll } from "../lib/notebook/build";

const root = path.join(__dirname, "..");
const nbDir = path.join(root, "notebooks");

describe("notebook/build: sources and committed notebooks are in sync", () => {
  const sources = fs.existsSync(path.join(nbDir, "src")) ? fs.readdirSync(path.join(nbDir, "src")).filter((f) => f.endsWith(".ts")).sort() : [];

  it("there is at least notebook 00", () => {
    assert.ok(sources.includes("00-environment.ts"), `sources: ${sources.join(", ")}`);
  });

  for (const f of sources) {
    const name = f.replace(/\.ts$/, "");
    it(`notebooks/src/${f} builds to exactly notebooks/${name}.ipynb`, () => {
      const built = JSON.stringify(buildNotebook(fs.readFileSync(path.join(nbDir, "src", f), "utf8"), name), null, 1) + "\n";
      const file = path.join(nbDir, `${name}.ipynb`);
      assert.ok(fs.existsSync(file), `${file} is missing: run \`npx ts-node --transpile-only lib/notebook/build.ts\``);
      assert.equal(fs.readFileSync(file, "utf8"), built, `${file} is stale: rebuild with \`npx ts-node --transpile-only lib/notebook/build.ts\``);
    });
  }

  it("every notebooks/NN-*.ipynb has a source", () => {
    const nbs = fs.readdirSync(nbDir).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
    const orphans = nbs.filter((f) => !sources.includes(f.replace(/\.ipynb$/, ".ts")));
    assert.deepEqual(orphans, []);
  });
});

describe("notebook/build: percent format", () => {
  it("splits code and markdown cells, strips '// ' from markdown, trims blank edges", () => {
    const cells = parsePercent("// %% [markdown]\n// # Title\n//\n// text\n\n// %%\nconst a = 1;\n\nconsole.log(a);\n\n// %%\n\n");
    assert.deepEqual(cells, [
      { type: "markdown", lines: ["# Title", "", "text"] },
      { type: "code", lines: ["const a = 1;", "", "console.log(a);"] },
    ]);
  });

  it("buildAll builds every source, or only those passing the filter", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-build-"));
    try {
      fs.mkdirSync(path.join(dir, "src"));
      for (const n of ["00-a", "01-b"]) fs.writeFileSync(path.join(dir, "src", `${n}.ts`), "// %%\nconsole.log(1);\n");
      assert.deepEqual(buildAll(dir, (n) => n.startsWith("01")).map((f) => path.basename(f)), ["01-b.ipynb"]);
      assert.ok(!fs.existsSync(path.join(dir, "00-a.ipynb")));
      assert.deepEqual(buildAll(dir).map((f) => path.basename(f)), ["00-a.ipynb", "01-b.ipynb"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects text before the first marker", () => {
    assert.throws(() => parsePercent("x = 1\n// %%\n"), /before the first/);
  });

  it("builds nbformat 4.5 with stable, unique cell ids and the tslab kernelspec", () => {
    const text = "// %%\na\n// %%\nb\n// %% [markdown]\n// c\n";
    const nb = buildNotebook(text, "07-x") as { cells: { id: string; cell_type: string; source: string[]; outputs?: unknown[] }[]; nbformat: number; nbformat_minor: number; metadata: { kernelspec: { name: string } } };
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.nbformat_minor, 5);
    assert.equal(nb.metadata.kernelspec.name, "tslab");
    const ids = nb.cells.map((c) => c.id);
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual((buildNotebook(text, "07-x") as typeof nb).cells.map((c) => c.id), ids, "same input, same ids");
    assert.deepEqual(nb.cells.map((c) => c.cell_type), ["code", "code", "markdown"]);
    assert.deepEqual(nb.cells[0].outputs, []);
  });
});
