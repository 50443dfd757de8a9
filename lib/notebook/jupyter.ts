import * as fs from "fs";
import { spawnSync } from "child_process";
import { jupyterDataDir } from "./kernelspec";
import * as path from "path";

/**
 * Finding the Python that has Jupyter's nbclient. On Debian it is /usr/bin/python3 (`python3` on PATH
 * may be a pyenv or venv Python without Jupyter). `NANOMORPH_PYTHON` overrides.
 */
export const PYTHON_CANDIDATES: readonly string[] = ["/usr/bin/python3", "python3"];

/** How to install the Jupyter pieces the runner needs (printed when they are missing). */
export const JUPYTER_INSTALL_HINT =
  "Install Jupyter's notebook runner:\n" +
  "  Debian/Ubuntu: sudo apt-get install --no-install-recommends python3-nbclient jupyter-core jupyter-nbconvert jupyter-client\n" +
  "  elsewhere:     python3 -m pip install nbclient nbformat jupyter-client   (then NANOMORPH_PYTHON=$(which python3) if it is not /usr/bin/python3)";

/** What `findJupyterPython` found. */
export interface JupyterPython {
  /** Python executable that imports nbclient, nbformat and jupyter_client; null when none does. */
  python: string | null;
  /** `{nbclient, nbformat, jupyter_client}` versions when found. */
  versions?: Record<string, string>;
  /** Each candidate tried and why it failed. */
  tried: string[];
}

/**
 * Find a Python with nbclient + nbformat + jupyter_client: the first of `candidates`
 * (default: $NANOMORPH_PYTHON, then PYTHON_CANDIDATES) that imports all three.
 */
export function findJupyterPython(candidates?: readonly string[]): JupyterPython {
  const env = process.env.NANOMORPH_PYTHON;
  const list = candidates ?? (env ? [env, ...PYTHON_CANDIDATES] : PYTHON_CANDIDATES);
  const tried: string[] = [];
  const code = "import json, nbclient, nbformat, jupyter_client; print(json.dumps({'nbclient': nbclient.__version__, 'nbformat': nbformat.__version__, 'jupyter_client': jupyter_client.__version__}))";
  for (const py of list) {
    if (py.startsWith("/") && !fs.existsSync(py)) { tried.push(`${py}: not found`); continue; }
    const r = spawnSync(py, ["-c", code], { encoding: "utf8", timeout: 30_000 });
    if (r.error) { tried.push(`${py}: ${r.error.message}`); continue; }
    if (r.status !== 0) { tried.push(`${py}: ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 200)}`); continue; }
    try {
      return { python: py, versions: JSON.parse(r.stdout.trim()) as Record<string, string>, tried };
    } catch {
      tried.push(`${py}: unexpected output '${r.stdout.slice(0, 100)}'`);
    }
  }
  return { python: null, tried };
}

/**
 * Environment for Jupyter child processes: `JUPYTER_PATH` puts the project kernelspec first,
 * `JUPYTER_RUNTIME_DIR` keeps connection files inside the project (works without a writable home).
 */
export function jupyterEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const data = jupyterDataDir(root);
  const prev = process.env.JUPYTER_PATH;
  return {
    ...process.env,
    JUPYTER_PATH: prev ? `${data}${path.delimiter}${prev}` : data,
    JUPYTER_RUNTIME_DIR: path.join(data, "runtime"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    ...extra,
  };
}
