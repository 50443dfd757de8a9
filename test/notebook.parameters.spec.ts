import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  parseParametersCell, parseCliValue, checkFileValue, parseCliParameters, parseParamsYaml, readParamsFile,
  resolveParameters, injectParameters, notebookParameters, parametersCellIndex, ParameterError, type ParamSpec, type NotebookJson,
} from "../lib/notebook/parameters";
import { buildNotebook } from "../lib/notebook/build";
import { notebookKeys } from "../lib/notebook/run_cache";

const CELL = [
  "// what the notebook takes",
  'let data: string = "";              // folder ("" = the profile\'s data)',
  "let labelsPerClass: number[] = [1, 2]; // per class",
  "let seed: number = 42;",
  "let quick: boolean = false; // fewer splits",
  'let encoders: string[] = ["imagenet"];',
].join("\n");

const nbWith = (cell: string): NotebookJson => buildNotebook(`// %% [markdown]\n// # t\n// %%\nimport * as fs from "fs";\n// %% tags=["parameters"]\n${cell}\n// %%\nconsole.log(data);\n`, "99-t") as NotebookJson;

describe("notebook/parameters: the parameters cell", () => {
  it("parses typed defaults with their docs, skipping comments and blank lines", () => {
    const specs = parseParametersCell(CELL, "t");
    assert.deepEqual(specs.map((s) => [s.name, s.type, s.default]), [
      ["data", "string", ""], ["labelsPerClass", "number[]", [1, 2]], ["seed", "number", 42], ["quick", "boolean", false], ["encoders", "string[]", ["imagenet"]],
    ]);
    assert.equal(specs[0].doc, "folder (\"\" = the profile's data)");
    assert.equal(specs[2].doc, "");
  });

  it("rejects a line that is not a typed let, a default of another type, a non-JSON default, a duplicate", () => {
    assert.throws(() => parseParametersCell("const x = 1;", "nb 03"), (e: Error) => e instanceof ParameterError && /nb 03: parameters cell line 1/.test(e.message));
    assert.throws(() => parseParametersCell("let x = 1;", "t"), /not 'let name: type/);
    assert.throws(() => parseParametersCell('let x: number = "1";', "t"), /default of 'x' \("1"\) is not a number/);
    assert.throws(() => parseParametersCell("let x: string = 'a';", "t"), /JSON literal/);
    assert.throws(() => parseParametersCell("let x: number = 1;\nlet x: number = 2;", "t"), /declared twice/);
  });

  it("the percent marker's tags reach the .ipynb cell metadata, and the cell is found by its tag", () => {
    const nb = nbWith(CELL);
    const i = parametersCellIndex(nb);
    assert.equal(i, 2, "markdown, imports, parameters");
    assert.deepEqual(nb.cells[i].metadata, { tags: ["parameters"] });
    assert.deepEqual(nb.cells[1].metadata, {});
    assert.equal(notebookParameters(nb, "t").length, 5);
  });

  it("every project notebook has a parameters cell right after its imports; those on data take a folder", () => {
    const src = path.join(__dirname, "..", "notebooks", "src");
    const files = fs.readdirSync(src).filter((x) => /^\d\d-.*\.ts$/.test(x));
    assert.ok(files.length >= 8, files.join(", "));
    for (const f of files) {
      const nb = buildNotebook(fs.readFileSync(path.join(src, f), "utf8"), f.replace(/\.ts$/, "")) as NotebookJson;
      const i = parametersCellIndex(nb);
      assert.ok(i > 0, `${f}: no cell tagged parameters`);
      const prev = nb.cells.slice(0, i).filter((c) => c.cell_type === "code");
      assert.equal(prev.length, 1, `${f}: the parameters cell must be the first code cell after the imports`);
      assert.ok(/^import /m.test(([] as string[]).concat(prev[0].source).join("")), `${f}: the cell before the parameters holds the imports`);
      const names = notebookParameters(nb, f).map((s) => s.name);
      if (!/^0[06]-/.test(f)) assert.ok(names.some((n) => n === "data" || n === "images"), `${f}: parameters ${names.join(", ")}`);
      // the injected cell assigns them, so no other cell may declare (or import) the same name
      const others = nb.cells.filter((c, k) => c.cell_type === "code" && k !== i).map((c) => ([] as string[]).concat(c.source).join("")).join("\n");
      for (const n of names) {
        assert.ok(!new RegExp(`\\b(const|let|var|function|class)\\s+${n}\\b`).test(others), `${f}: parameter '${n}' is declared again in another cell`);
        assert.ok(!new RegExp(`import[^;]*[{,]\\s*${n}\\s*[,}][^;]*from`).test(others), `${f}: parameter '${n}' is also an imported name`);
      }
    }
  });
});

describe("notebook/parameters: values and their types", () => {
  const specs = parseParametersCell(CELL, "t");
  const spec = (n: string): ParamSpec => specs.find((s) => s.name === n)!;

  it("converts command-line values by the declared type", () => {
    assert.equal(parseCliValue(spec("data"), "/a,b"), "/a,b");
    assert.deepEqual(parseCliValue(spec("labelsPerClass"), "1, 2,4"), [1, 2, 4]);
    assert.deepEqual(parseCliValue(spec("labelsPerClass"), ""), []);
    assert.equal(parseCliValue(spec("seed"), "7"), 7);
    assert.equal(parseCliValue(spec("quick"), "yes"), true);
    assert.equal(parseCliValue(spec("quick"), "false"), false);
    assert.deepEqual(parseCliValue(spec("encoders"), "imagenet,resnet8"), ["imagenet", "resnet8"]);
  });

  it("a wrong command-line type names the parameter, its type and the value", () => {
    assert.throws(() => parseCliValue(spec("seed"), "abc"), /parameter 'seed' is a number, got 'abc'/);
    assert.throws(() => parseCliValue(spec("labelsPerClass"), "1,x"), /'labelsPerClass' is a number\[\], got '1,x'/);
    assert.throws(() => parseCliValue(spec("quick"), "maybe"), /'quick' is a boolean/);
  });

  it("file values must have the declared type (a scalar is taken as a one-element list)", () => {
    assert.deepEqual(checkFileValue(spec("labelsPerClass"), 4, "f"), [4]);
    assert.deepEqual(checkFileValue(spec("encoders"), "x", "f"), ["x"]);
    assert.throws(() => checkFileValue(spec("seed"), "7", "run.json"), /run\.json: parameter 'seed' is a number, got "7"/);
    assert.throws(() => checkFileValue(spec("labelsPerClass"), [1, "2"], "f"), /number\[\]/);
  });

  it("-p needs name=value", () => {
    assert.deepEqual(parseCliParameters(["a=1", "03.b=x=y"]), [{ key: "a", raw: "1" }, { key: "03.b", raw: "x=y" }]);
    assert.throws(() => parseCliParameters(["novalue"]), /-p takes name=value/);
  });
});

describe("notebook/parameters: files", () => {
  it("reads the flat YAML subset: scalars, flow and block lists, comments, NN sections", () => {
    const y = parseParamsYaml([
      "# run settings", "data: /tmp/x y   # a path with a space", 'label: "a: b"', "seed: 3", "quick: true",
      "labelsPerClass: [1, 2, 4]", "encoders:", "  - imagenet", "  - resnet8", '"03":', "  seed: 5", "  sizes:", "    - 1", "after: 1",
    ].join("\n"), "f.yaml");
    assert.deepEqual(y, {
      data: "/tmp/x y", label: "a: b", seed: 3, quick: true, labelsPerClass: [1, 2, 4], encoders: ["imagenet", "resnet8"],
      "03": { seed: 5, sizes: [1] }, after: 1,
    });
  });

  it("refuses YAML it cannot read, naming the line", () => {
    assert.throws(() => parseParamsYaml("a: 1\n  b: 2\n", "f.yaml"), /f\.yaml:2: cannot read/);
    assert.throws(() => parseParamsYaml("- 1\n", "f.yaml"), /f\.yaml:1/);
  });

  it("reads .json and .yaml files, flattening NN sections to NN.name; refuses other files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-params-"));
    try {
      fs.writeFileSync(path.join(dir, "r.json"), JSON.stringify({ seed: 1, "3": { seed: 2 } }));
      fs.writeFileSync(path.join(dir, "r.yml"), "seed: 1\n");
      fs.writeFileSync(path.join(dir, "r.txt"), "seed: 1\n");
      fs.writeFileSync(path.join(dir, "bad.json"), "[1]");
      assert.deepEqual(readParamsFile(path.join(dir, "r.json")).map((f) => [f.key, f.value]).sort(), [["03.seed", 2], ["seed", 1]]);
      assert.deepEqual(readParamsFile(path.join(dir, "r.yml")).map((f) => [f.key, f.value]), [["seed", 1]]);
      assert.throws(() => readParamsFile(path.join(dir, "r.txt")), /\.json, \.yaml or \.yml/);
      assert.throws(() => readParamsFile(path.join(dir, "bad.json")), /expected an object/);
      assert.throws(() => readParamsFile(path.join(dir, "none.json")), /no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("notebook/parameters: matching values with notebooks, injection and the cache key", () => {
  const a = { number: "03", name: "03-a.ipynb", specs: parseParametersCell('let data: string = "";\nlet seed: number = 1;', "a") };
  const b = { number: "05", name: "05-b.ipynb", specs: parseParametersCell('let data: string = "";\nlet images: string = "";', "b") };

  it("a plain name goes to every running notebook that declares it, NN.name to one; -p overrides the file", () => {
    const r = resolveParameters([a, b], {
      file: [{ key: "data", value: "/f", source: "f" }, { key: "seed", value: 2, source: "f" }],
      cli: [{ key: "data", raw: "/cli" }, { key: "05.images", raw: "/img" }],
    });
    assert.deepEqual(Object.fromEntries(r), { "03": { data: "/cli", seed: 2 }, "05": { data: "/cli", images: "/img" } });
  });

  it("an unknown name lists what the notebooks take; an NN. prefix must name a running notebook", () => {
    assert.throws(() => resolveParameters([a, b], { file: [], cli: [{ key: "labelsPerClas", raw: "1" }] }),
      (e: Error) => e instanceof ParameterError && /unknown parameter 'labelsPerClas' for notebook\(s\) 03, 05; they take: data \(string\), seed \(number\), images \(string\)/.test(e.message));
    assert.throws(() => resolveParameters([a], { file: [], cli: [{ key: "05.images", raw: "x" }] }), /notebook 05 is not among those running \(03\)/);
    assert.throws(() => resolveParameters([a], { file: [], cli: [{ key: "seed", raw: "x" }] }), /'seed' is a number, got 'x'/);
  });

  it("injects an assignment cell after the parameters cell and records the values in the metadata", () => {
    const nb = nbWith(CELL);
    const out = injectParameters(nb, { data: "/x \"q\"", labelsPerClass: [1, 4] }, "t");
    assert.equal(out.cells.length, nb.cells.length + 1);
    assert.deepEqual(out.cells[3].metadata, { tags: ["injected-parameters"] });
    const src = ([] as string[]).concat(out.cells[3].source).join("");
    assert.match(src, /^data = "\/x \\"q\\"";$/m);
    assert.match(src, /^labelsPerClass = \[1,4\];$/m);
    assert.deepEqual((out.metadata.nanomorph as { parameters: unknown }).parameters, { data: "/x \"q\"", labelsPerClass: [1, 4] });
    assert.deepEqual((out.metadata.papermill as { parameters: unknown }).parameters, { data: "/x \"q\"", labelsPerClass: [1, 4] });
    assert.equal(nb.cells.length, 4, "the input notebook is not changed");
    assert.notEqual(out.cells[3].id, out.cells[2].id);
    assert.throws(() => injectParameters(buildNotebook("// %%\nx;\n", "n") as NotebookJson, { a: 1 }, "n"), /no cell tagged 'parameters'/);
  });

  it("the injected assignments run as TypeScript and change the values (the cell after sees them)", () => {
    const nb = injectParameters(nbWith(CELL), { data: "/real", labelsPerClass: [3] }, "t");
    const code = nb.cells.filter((c) => c.cell_type === "code").slice(1).map((c) => ([] as string[]).concat(c.source).join("")).join("\n")
      .replace(/: (string|number|boolean)(\[\])?/g, "").replace(/^let /gm, "var ").replace("console.log(data);", "return { data, labelsPerClass };");
    const got = new Function(code)() as { data: string; labelsPerClass: number[] };
    assert.deepEqual(got, { data: "/real", labelsPerClass: [3] });
  });

  it("parameters are a part of the notebook's cache key (same values, same key; other values, other key)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nm-pkey-"));
    try {
      fs.mkdirSync(path.join(dir, "lib"));
      const nb1 = path.join(dir, "03-a.ipynb");
      const nb2 = path.join(dir, "04-b.ipynb");
      fs.writeFileSync(nb1, "{}");
      fs.writeFileSync(nb2, "{}");
      const settings = { profile: "ci", inlinePng: true, env: {} };
      const k = (p: Record<string, unknown>) => notebookKeys(dir, [nb1, nb2], settings, (nb) => (nb === nb1 ? p : {}));
      const base = k({});
      assert.equal(k({}).get(nb1)!.key, base.get(nb1)!.key);
      assert.equal(k({ seed: 2, data: "/x" }).get(nb1)!.key, k({ data: "/x", seed: 2 }).get(nb1)!.key, "order of names does not matter");
      const other = k({ seed: 2 });
      assert.notEqual(other.get(nb1)!.key, base.get(nb1)!.key);
      assert.notEqual(other.get(nb1)!.parts.parameters, base.get(nb1)!.parts.parameters);
      assert.notEqual(other.get(nb2)!.key, base.get(nb2)!.key, "later notebooks chain on it");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("nanomorph reproduce: parameter errors are usage errors (exit 2) before anything runs", function () {
  this.timeout(60_000);
  it("-p without '=' and an unreadable --params file", async () => {
    const { command } = await import("../lib/cli/reproduce");
    const { UsageError } = await import("../lib/cli/args");
    await assert.rejects(command.run(["-p", "labelsPerClass"]), (e: Error) => e instanceof UsageError && /-p takes name=value/.test(e.message));
    await assert.rejects(command.run(["--params", path.join(os.tmpdir(), "nm-none.yaml")]), (e: Error) => e instanceof UsageError && /no such file/.test(e.message));
  });

  it("an unknown name or a wrong type for the project's notebook 03 names it and what 03 takes", async function () {
    const { findJupyterPython } = await import("../lib/notebook/jupyter");
    if (!findJupyterPython().python) {
      console.log("      skipped: no Python with nbclient (reproduce checks for it first)");
      this.skip();
    }
    const { command } = await import("../lib/cli/reproduce");
    const { UsageError } = await import("../lib/cli/args");
    const quiet = console.log;
    console.log = () => undefined;
    try {
      await assert.rejects(command.run(["--only", "03", "--no-build", "--no-figures", "-p", "labelsPerClas=1,2"]),
        (e: Error) => e instanceof UsageError && /unknown parameter 'labelsPerClas' for notebook\(s\) 03; they take: data \(string\), masks \(string\), labelsPerClass \(number\[\]\)/.test(e.message));
      await assert.rejects(command.run(["--only", "03", "--no-build", "--no-figures", "-p", "splits=many"]),
        (e: Error) => e instanceof UsageError && /parameter 'splits' is a number, got 'many'/.test(e.message));
    } finally {
      console.log = quiet;
    }
  });
});
