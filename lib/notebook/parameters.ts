/**
 * Notebook parameters, as papermill does them for Python: each notebook's first code cell after the
 * imports is tagged `parameters` (in the .ipynb cell metadata; in the percent source the marker line is
 * `// %% tags=["parameters"]`) and holds typed defaults, one per line:
 *
 *     let data: string = "";            // folder of images ("" = the profile's data)
 *     let labelsPerClass: number[] = []; // [] = the profile's
 *
 * `reproduce -p name=value` / `--params run.json|yaml` insert a cell tagged `injected-parameters` right
 * after it that assigns the given values (`data = "/x";`), so the notebook runs with them, the executed
 * copy shows them, and tooling that looks for the papermill tags finds both cells. Values are checked
 * against the declared types before any notebook runs.
 */
import * as fs from "fs";
import * as path from "path";

/** The types a parameter may declare. */
export type ParamType = "string" | "number" | "boolean" | "string[]" | "number[]";

/** A parameter value (JSON-compatible). */
export type ParamValue = string | number | boolean | string[] | number[];

/** One declared parameter of a notebook. */
export interface ParamSpec {
  name: string;
  type: ParamType;
  default: ParamValue;
  /** The line's trailing `// comment`, "" when none. */
  doc: string;
}

/** Thrown for an unknown parameter name, a wrong type or an unreadable parameters file (the CLI exits 2). */
export class ParameterError extends Error {}

const TYPES: readonly ParamType[] = ["string", "number", "boolean", "string[]", "number[]"];
const DECL = /^let\s+([A-Za-z_$][\w$]*)\s*:\s*(string|number|boolean|string\[\]|number\[\])\s*=\s*(.+?);\s*(?:\/\/\s?(.*))?$/;

/** Whether `v` has type `t` (arrays element-wise; numbers finite). */
export function hasType(v: unknown, t: ParamType): v is ParamValue {
  switch (t) {
    case "string": return typeof v === "string";
    case "number": return typeof v === "number" && Number.isFinite(v);
    case "boolean": return typeof v === "boolean";
    case "string[]": return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "number[]": return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
  }
}

/**
 * Parse a parameters cell's source. Every non-blank line is a `// comment` or
 * `let NAME: TYPE = JSON_LITERAL; // doc` with TYPE one of string, number, boolean, string[], number[]
 * and a default written as JSON (double-quoted strings).
 * @throws ParameterError naming `where` and the line for anything else, a default of another type,
 *   or a name declared twice.
 */
export function parseParametersCell(source: string, where: string): ParamSpec[] {
  const out: ParamSpec[] = [];
  source.replace(/\r\n/g, "\n").split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("//")) return;
    const m = DECL.exec(line);
    if (!m) throw new ParameterError(`${where}: parameters cell line ${i + 1} is not 'let name: type = value; // doc' (type one of ${TYPES.join(", ")}): '${line}'`);
    const [, name, type, literal, doc] = m;
    let value: unknown;
    try {
      value = JSON.parse(literal);
    } catch {
      throw new ParameterError(`${where}: the default of '${name}' must be a JSON literal (double-quoted strings), got ${literal}`);
    }
    if (!hasType(value, type as ParamType)) throw new ParameterError(`${where}: the default of '${name}' (${literal}) is not a ${type}`);
    if (out.some((p) => p.name === name)) throw new ParameterError(`${where}: parameter '${name}' is declared twice`);
    out.push({ name, type: type as ParamType, default: value, doc: (doc ?? "").trim() });
  });
  return out;
}

/**
 * Convert a command-line value (`-p name=value`) to the parameter's type: numbers as written, booleans
 * true/false/yes/no/1/0, lists comma-separated ("1,2,4"; "" = empty list), strings as given.
 * @throws ParameterError naming the parameter, its type and the value.
 */
export function parseCliValue(spec: ParamSpec, raw: string): ParamValue {
  const bad = (): ParameterError => new ParameterError(`parameter '${spec.name}' is a ${spec.type}, got '${raw}'`);
  const num = (s: string): number => {
    const t = s.trim();
    const x = t === "" ? NaN : Number(t);
    if (!Number.isFinite(x)) throw bad();
    return x;
  };
  switch (spec.type) {
    case "string": return raw;
    case "number": return num(raw);
    case "boolean": {
      const t = raw.trim().toLowerCase();
      if (["true", "yes", "1", "on"].includes(t)) return true;
      if (["false", "no", "0", "off"].includes(t)) return false;
      throw bad();
    }
    case "string[]": return raw.trim() === "" ? [] : raw.split(",").map((s) => s.trim());
    case "number[]": return raw.trim() === "" ? [] : raw.split(",").map(num);
  }
}

/**
 * Check a value read from a parameters file against the declared type. A single number or string is
 * accepted for a list of that type (as one element).
 * @throws ParameterError naming the parameter, its type and the value.
 */
export function checkFileValue(spec: ParamSpec, v: unknown, source: string): ParamValue {
  if (hasType(v, spec.type)) return v;
  if (spec.type === "number[]" && typeof v === "number" && Number.isFinite(v)) return [v];
  if (spec.type === "string[]" && typeof v === "string") return [v];
  throw new ParameterError(`${source}: parameter '${spec.name}' is a ${spec.type}, got ${JSON.stringify(v)}`);
}

/** Parameters as given, before they are matched with notebooks: `name` or `NN.name` → value. */
export interface GivenParameters {
  /** From `-p name=value` (strings, converted per notebook by the declared type). */
  cli: { key: string; raw: string }[];
  /** From `--params FILE` (typed values; `NN: {…}` sections are flattened to `NN.name`). */
  file: { key: string; value: unknown; source: string }[];
}

/** Split `-p` arguments `name=value` (or `NN.name=value`). @throws ParameterError without '='. */
export function parseCliParameters(args: string[]): GivenParameters["cli"] {
  return args.map((a) => {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new ParameterError(`-p takes name=value (e.g. -p labelsPerClass=1,2,4), got '${a}'`);
    return { key: a.slice(0, eq).trim(), raw: a.slice(eq + 1) };
  });
}

/** A scalar of the flat YAML subset: quoted string, number, true/false, null, or a bare string. */
function yamlScalar(s: string): unknown {
  const t = s.trim();
  if (/^".*"$/.test(t)) return JSON.parse(t);
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  if (/^(null|~)$/.test(t)) return null;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/**
 * Parse the YAML subset a parameters file needs: `name: value` lines (scalars or flow lists
 * `[1, 2, 4]`), block lists (`name:` then `  - item` lines), one level of `"NN":` sections holding the
 * same, and `#` comments. Anything else throws naming the line (use JSON for more).
 */
export function parseParamsYaml(text: string, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let section: Record<string, unknown> | null = null;
  let sectionIndent = -1;
  let listKey: { obj: Record<string, unknown>; key: string; indent: number } | null = null;
  text.replace(/\r\n/g, "\n").split("\n").forEach((raw, i) => {
    const noComment = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "");
    if (noComment.trim() === "") return;
    const indent = noComment.length - noComment.trimStart().length;
    const line = noComment.trim();
    const fail = (): never => { throw new ParameterError(`${source}:${i + 1}: cannot read '${raw.trim()}' (flat 'name: value' YAML only; use JSON for more)`); };
    if (line.startsWith("- ")) {
      if (!listKey || indent < listKey.indent) return fail();
      (listKey.obj[listKey.key] as unknown[]).push(yamlScalar(line.slice(2)));
      return;
    }
    const m = /^("[^"]+"|'[^']+'|[A-Za-z0-9_.$-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) return fail();
    const key = m[1].replace(/^["']|["']$/g, "");
    if (section && indent <= sectionIndent) section = null;
    if (indent > 0 && !section) fail();
    const target = section ?? out;
    const rest = m[2].trim();
    listKey = null;
    if (rest === "") {
      if (!section && /^\d{1,2}$/.test(key)) {
        section = {};
        sectionIndent = indent;
        out[key] = section;
      } else {
        target[key] = [];
        listKey = { obj: target, key, indent };
      }
      return;
    }
    if (rest.startsWith("[")) {
      if (!rest.endsWith("]")) fail();
      const inner = rest.slice(1, -1).trim();
      target[key] = inner === "" ? [] : inner.split(",").map(yamlScalar);
      return;
    }
    target[key] = yamlScalar(rest);
  });
  return out;
}

/**
 * Read a parameters file: `.json` (an object) or `.yaml`/`.yml` (see `parseParamsYaml`). Top-level
 * `"NN": {…}` sections apply to notebook NN only and become `NN.name` keys.
 * @throws ParameterError when the file is missing, unreadable or not an object of parameters.
 */
export function readParamsFile(file: string): GivenParameters["file"] {
  if (!fs.existsSync(file)) throw new ParameterError(`--params ${file}: no such file`);
  const text = fs.readFileSync(file, "utf8");
  const ext = path.extname(file).toLowerCase();
  let obj: unknown;
  if (ext === ".json") {
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new ParameterError(`--params ${file}: not valid JSON (${(e as Error).message})`);
    }
  } else if (ext === ".yaml" || ext === ".yml") {
    obj = parseParamsYaml(text, file);
  } else {
    throw new ParameterError(`--params ${file}: give a .json, .yaml or .yml file`);
  }
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new ParameterError(`--params ${file}: expected an object of name: value`);
  const out: GivenParameters["file"] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (/^\d{1,2}$/.test(k) && v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) out.push({ key: `${k.padStart(2, "0")}.${k2}`, value: v2, source: file });
    } else {
      out.push({ key: k, value: v, source: file });
    }
  }
  return out;
}

/** A notebook's declared parameters, by notebook number ("03"). */
export interface NotebookParams {
  /** Notebook number prefix, e.g. "03". */
  number: string;
  /** File name, for messages. */
  name: string;
  specs: ParamSpec[];
}

/**
 * Match given parameters with the notebooks that will run: a plain `name` goes to every one of them
 * that declares it, `NN.name` to notebook NN only; file values come first, `-p` values override them.
 * Returns notebook number → name → value (notebooks given nothing are absent).
 * @throws ParameterError for a name no running notebook declares (listing what they do declare), a
 *   `NN.` prefix of a notebook that does not run, or a value of the wrong type.
 */
export function resolveParameters(notebooks: NotebookParams[], given: GivenParameters): Map<string, Record<string, ParamValue>> {
  const out = new Map<string, Record<string, ParamValue>>();
  const apply = (key: string, convert: (spec: ParamSpec) => ParamValue): void => {
    const m = /^(\d{1,2})\.(.+)$/.exec(key);
    const targets = m ? notebooks.filter((n) => n.number === m[1].padStart(2, "0")) : notebooks;
    const name = m ? m[2] : key;
    if (m && targets.length === 0) throw new ParameterError(`parameter '${key}': notebook ${m[1]} is not among those running (${notebooks.map((n) => n.number).join(", ")})`);
    let used = false;
    for (const nb of targets) {
      const spec = nb.specs.find((s) => s.name === name);
      if (!spec) continue;
      used = true;
      const vals = out.get(nb.number) ?? {};
      vals[name] = convert(spec);
      out.set(nb.number, vals);
    }
    if (!used) {
      const known = [...new Set(targets.flatMap((n) => n.specs.map((s) => `${s.name} (${s.type})`)))];
      throw new ParameterError(`unknown parameter '${name}' for notebook(s) ${targets.map((n) => n.number).join(", ")}; they take: ${known.join(", ") || "none"}`);
    }
  };
  for (const f of given.file) apply(f.key, (spec) => checkFileValue(spec, f.value, f.source));
  for (const c of given.cli) apply(c.key, (spec) => parseCliValue(spec, c.raw));
  return out;
}

/** Minimal view of an nbformat 4 notebook: what injection reads and writes. */
export interface NotebookJson {
  cells: { cell_type: string; id?: string; metadata: { tags?: string[]; [k: string]: unknown }; source: string | string[]; [k: string]: unknown }[];
  metadata: Record<string, unknown>;
  [k: string]: unknown;
}

const sourceText = (s: string | string[]): string => (Array.isArray(s) ? s.join("") : s);

/** Index of the code cell tagged `parameters`, or -1. */
export function parametersCellIndex(nb: NotebookJson): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && (c.metadata.tags ?? []).includes("parameters"));
}

/** The declared parameters of a notebook ([] when it has no parameters cell). @throws ParameterError for a malformed cell. */
export function notebookParameters(nb: NotebookJson, where: string): ParamSpec[] {
  const i = parametersCellIndex(nb);
  return i < 0 ? [] : parseParametersCell(sourceText(nb.cells[i].source), where);
}

/**
 * A copy of `nb` with a cell tagged `injected-parameters` after its parameters cell that assigns
 * `values` (one `name = JSON;` line each), and the values recorded in the notebook metadata
 * (`nanomorph.parameters`, and `papermill.parameters` as papermill records them).
 * @throws ParameterError when the notebook has no parameters cell.
 */
export function injectParameters(nb: NotebookJson, values: Record<string, ParamValue>, where: string): NotebookJson {
  const i = parametersCellIndex(nb);
  if (i < 0) throw new ParameterError(`${where} has no cell tagged 'parameters'`);
  // `void 0;` last: the kernel would otherwise echo the last assignment's value as the cell's result
  const lines = ["// Parameters injected by `nanomorph reproduce` (-p / --params)", ...Object.entries(values).map(([k, v]) => `${k} = ${JSON.stringify(v)};`), "void 0;"];
  const cell = {
    cell_type: "code", id: `${nb.cells[i].id ?? "params"}-injected`.slice(0, 64), metadata: { tags: ["injected-parameters"] },
    source: lines.map((l, j) => (j < lines.length - 1 ? l + "\n" : l)), execution_count: null, outputs: [],
  };
  const cells = [...nb.cells.slice(0, i + 1), cell, ...nb.cells.slice(i + 1)];
  const meta = { ...nb.metadata };
  meta.nanomorph = { ...((meta.nanomorph as Record<string, unknown>) ?? {}), parameters: values };
  meta.papermill = { ...((meta.papermill as Record<string, unknown>) ?? {}), parameters: values };
  return { ...nb, cells, metadata: meta };
}
