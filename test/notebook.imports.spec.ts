import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

describe("notebooks: every name a notebook imports from lib/ exists there", function () {
  this.timeout(180_000);
  it("type-checks each notebook's import statements against lib/ (a moved or renamed export fails here, not in reproduce)", () => {
    // One file per import statement, beside dist/lib → lib/ (so "./dist/lib/..." resolves to the sources), checked together by tsc.
    const dir = fs.mkdtempSync(path.join(ROOT, ".nbimports-"));
    try {
      fs.mkdirSync(path.join(dir, "dist"));
      fs.symlinkSync(path.join(ROOT, "lib"), path.join(dir, "dist", "lib"));
      const files: string[] = [];
      for (const nb of fs.readdirSync(path.join(ROOT, "notebooks", "src")).filter((f) => f.endsWith(".ts")).sort()) {
        const src = fs.readFileSync(path.join(ROOT, "notebooks", "src", nb), "utf8");
        let k = 0;
        for (const m of src.matchAll(/import\s*(?:type\s*)?\{[^}]*\}\s*from\s*"\.\/dist\/lib\/[^"]+";/g)) {
          const f = path.join(dir, `${nb.replace(/\.ts$/, "")}_${k++}.ts`);
          fs.writeFileSync(f, `${m[0]}\n`);
          files.push(f);
        }
      }
      assert.ok(files.length > 20, `found only ${files.length} import statements`);
      const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
      const r = spawnSync(process.execPath, [tsc, "--noEmit", "--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--target", "es2022",
        "--module", "commonjs", "--types", "node", "--lib", "es2022,dom", ...files], { cwd: dir, encoding: "utf8" });
      const missing = r.stdout.split("\n").filter((l) => /has no exported member|Cannot find module/.test(l));
      assert.deepEqual(missing, [], "a notebook imports a name lib/ no longer exports");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
