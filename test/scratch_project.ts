/**
 * A scratch nanomorph project for tests that run `reproduce` for real: its own notebooks/, .jupyter/,
 * figures/ and results/ under <root>/tmp/, sharing lib/ and node_modules/ with the real project by
 * symlink (dist/ and scripts/ too). NANOMORPH_FIGURES points at its figures/ until `remove()` (KEEP_TMP=1 keeps the folder).
 */
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");

/** A scratch project folder and how to clean it up. */
export interface ScratchProject {
  dir: string;
  remove(): void;
}

/** Make a scratch project named `<prefix>XXXXXX` under <root>/tmp. */
export function makeScratchProject(prefix: string): ScratchProject {
  fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, "tmp", prefix));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  fs.symlinkSync(path.join(root, "lib"), path.join(dir, "lib"));
  // Notebooks import the compiled library (./dist/lib/…); reproduce rebuilds it through scripts/ when stale.
  fs.symlinkSync(path.join(root, "scripts"), path.join(dir, "scripts"));
  fs.mkdirSync(path.join(root, "dist"), { recursive: true });
  fs.symlinkSync(path.join(root, "dist"), path.join(dir, "dist"));
  fs.mkdirSync(path.join(dir, "notebooks", "src"), { recursive: true });
  const prevFigures = process.env.NANOMORPH_FIGURES;
  process.env.NANOMORPH_FIGURES = path.join(dir, "figures");
  return {
    dir,
    remove() {
      if (prevFigures === undefined) delete process.env.NANOMORPH_FIGURES;
      else process.env.NANOMORPH_FIGURES = prevFigures;
      if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
