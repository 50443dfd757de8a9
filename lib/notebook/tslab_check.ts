import * as fs from "fs";
import * as path from "path";

/**
 * Type-check TypeScript files the way the tslab kernel compiles them, without starting a kernel:
 * tslab's embedded TypeScript 5.0 (`@tslab/typescript-for-tslab`), module ESNext with Node10
 * resolution, lib es2022 only (no DOM types), declarations on (an export whose inferred type names
 * an unexported type fails), tsconfig.json ignored. Code that passes strict `tsc` can still fail
 * here (e.g. `import x = require(...)`, DOM-only types like `BlobPart`), and then every notebook
 * importing it fails at its first cell. Options mirror node_modules/tslab/dist/converter.js.
 */

/** One compile problem: file relative to the root, 1-based line/column, message. */
export interface TslabDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

interface TsApi {
  ScriptTarget: { ES2022: number };
  ModuleKind: { ESNext: number };
  ModuleResolutionKind: { Node10: number };
  createProgram(roots: string[], options: Record<string, unknown>): {
    getSyntacticDiagnostics(): TsDiag[];
    getSemanticDiagnostics(): TsDiag[];
    getDeclarationDiagnostics(): TsDiag[];
    getGlobalDiagnostics(): TsDiag[];
  };
  flattenDiagnosticMessageText(m: unknown, nl: string): string;
}
interface TsDiag {
  file?: { fileName: string; getLineAndCharacterOfPosition(p: number): { line: number; character: number } };
  start?: number;
  messageText: unknown;
}

/**
 * Files a notebook source imports from the project, resolved to existing .ts files: `./dist/lib/x` (the
 * compiled library notebooks import, lib/notebook/compiled_lib.ts) to its source `lib/x.ts`, other
 * `./…` paths as they are.
 * @throws naming the notebook and the import when one does not resolve to a file (tslab cannot import a directory).
 */
export function notebookImports(root: string, notebookSource: string, label = "notebook"): string[] {
  const out: string[] = [];
  for (const m of notebookSource.matchAll(/from\s+["'](\.\/[^"']+)["']/g)) {
    const base = path.join(root, m[1].replace(/^\.\/dist\/lib\//, "./lib/"));
    const file = [base, `${base}.ts`].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (!file) throw new Error(`${label}: import '${m[1]}' is not a file (tslab cannot import a directory; write ${m[1]}/index)`);
    out.push(file);
  }
  return out;
}

/** Type-check `roots` (absolute .ts paths) with tslab's compiler settings; diagnostics under `root`, outside node_modules. */
export function tslabDiagnostics(root: string, roots: string[]): TslabDiagnostic[] {
  const ts = require("@tslab/typescript-for-tslab") as TsApi;
  const program = ts.createProgram(roots, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    declaration: true,
    noEmit: false,
    experimentalDecorators: true,
    resolveJsonModule: true,
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    typeRoots: [path.join(root, "node_modules", "@types")],
  });
  const all = [
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
    ...program.getDeclarationDiagnostics(),
  ];
  const seen = new Set<string>();
  const out: TslabDiagnostic[] = [];
  for (const d of all) {
    const fileName = d.file?.fileName ?? "";
    if (fileName && (fileName.includes("/node_modules/") || !path.resolve(fileName).startsWith(path.resolve(root)))) continue;
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1, character: -1 };
    const diag = { file: fileName ? path.relative(root, fileName) : "(global)", line: pos.line + 1, column: pos.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") };
    const key = `${diag.file}:${diag.line}:${diag.column}:${diag.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(diag); }
  }
  return out;
}

/** Roots to check for a project: every lib/<concern>/index.ts plus every notebook's imports. */
export function tslabRoots(root: string): string[] {
  const roots = new Set<string>();
  const lib = path.join(root, "lib");
  for (const d of fs.readdirSync(lib)) {
    const idx = path.join(lib, d, "index.ts");
    if (fs.existsSync(idx)) roots.add(idx);
  }
  const src = path.join(root, "notebooks", "src");
  if (fs.existsSync(src)) {
    for (const f of fs.readdirSync(src).filter((x) => x.endsWith(".ts"))) {
      for (const i of notebookImports(root, fs.readFileSync(path.join(src, f), "utf8"), `notebooks/src/${f}`)) roots.add(i);
    }
  }
  return [...roots].sort();
}

if (require.main === module) {
  const root = path.join(__dirname, "..", "..");
  const roots = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : tslabRoots(root);
  const diags = tslabDiagnostics(root, roots);
  for (const d of diags) console.log(`${d.file} ${d.line}:${d.column} - ${d.message}`);
  console.log(diags.length ? `${diags.length} problem(s) tslab would report` : `tslab-compatible: ${roots.length} root file(s)`);
  process.exitCode = diags.length ? 1 : 0;
}
