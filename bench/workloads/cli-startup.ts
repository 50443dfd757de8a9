/**
 * How long the `nanomorph` command takes before it does anything, against plain Node starting and
 * exiting (`node -e 0`, bench/peers/node_start.js), both spawned from this process:
 * - `cli-help`: `nanomorph --help` (target: within 0.3 s of plain Node);
 * - `cli-usage-error`: `nanomorph particles --no-such-option` (exit 2; same target);
 * - `cli-doctor`: `nanomorph doctor --json` (every check, backend initialised; target: within 2 s).
 * It runs bin/nanomorph as a user would, so it times the compiled CLI in dist/ only while that build is
 * current; otherwise the workload is skipped with the reason (run `npm run build`).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { Workload, WorkloadRunner } from "../workload";
import { projectRoot } from "../../lib/util/paths";

const PEER = { name: "node -e 0", command: [process.execPath, "bench/peers/node_start.js"] };

// bin/nanomorph's own rule (plain JavaScript, shared so the bench times what a user runs).
const { distStaleReason } = require("../../scripts/dist_current") as { distStaleReason: (root: string) => string | null };

function cliWorkload(name: string, description: string, argv: string[], expectStatus: number): Workload {
  return {
    name, description, warmup: 1, peer: PEER,
    unsupported: () => {
      const why = distStaleReason(projectRoot());
      return why && `${why}: run \`npm run build\``;
    },
    setup(): WorkloadRunner {
      const bin = path.join(projectRoot(), "bin", "nanomorph");
      return {
        run() {
          const r = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8", env: { ...process.env, NANOMORPH_FROM_SOURCE: "" } });
          if (r.status !== expectStatus) throw new Error(`nanomorph ${argv.join(" ")} exited ${r.status}, expected ${expectStatus}: ${r.stderr.slice(-300)}`);
        },
        dispose() {},
      };
    },
  };
}

export const workloads: Workload[] = [
  cliWorkload("cli-help", "nanomorph --help (compiled CLI) vs node -e 0", ["--help"], 0),
  cliWorkload("cli-usage-error", "nanomorph particles --no-such-option (usage error, exit 2) vs node -e 0", ["particles", "--no-such-option"], 2),
  cliWorkload("cli-doctor", "nanomorph doctor --json (all checks) vs node -e 0", ["doctor", "--json"], 0),
];
