import type { Command } from "./args";
import { UsageError } from "./args";
import { PROFILES, setProfile } from "../config/index";
import * as path from "path";
import { InterruptedError } from "../util/interrupt";
import { cacheDir } from "../util/paths";
import { isInside } from "../util/confine";

/**
 * A file-system error inside the cache folder as one line that names the folder and the fix (Node
 * reports a read-only cache as "ENOENT: no such file or directory, mkdir …"). Null for other errors.
 */
export function cacheErrorMessage(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (!err || !err.code || !err.path || !["ENOENT", "EROFS", "EACCES", "EPERM", "ENOTDIR", "EEXIST"].includes(err.code)) return null;
  const base = path.resolve(cacheDir());
  if (!isInside(path.resolve(err.path), base)) return null;
  return `cannot write to the cache folder ${base} (${err.code} at ${err.path}): it is read-only, or a file is in the way. ` +
    "Set NANOMORPH_CACHE to a writable folder (or make this one writable)";
}

/**
 * Subcommands. Each module exports `command` and is light to load: it declares its options and help
 * at top level and imports the library it drives (tfjs, sharp, tesseract…) inside `run`, so
 * `nanomorph --help`, a command's `--help` and every usage error answer in about the time of plain
 * Node (test/cli.startup.spec.ts checks that no command module loads tfjs; `npm run bench -- --only
 * cli-startup` measures it). A module that is not there yet is listed as unavailable.
 */
const COMMANDS: Record<string, () => Command> = {
  doctor: () => require("./doctor").command,
  reproduce: () => require("./reproduce").command,
  figures: () => require("./figures").command,
  synth: () => require("./synth").command,
  data: () => require("./data").command,
  pretrain: () => require("./pretrain").command,
  probe: () => require("./probe").command,
  segment: () => require("./segment").command,
  quantify: () => require("./quantify").command,
  particles: () => require("./particles").command,
  grid: () => require("./grid").command,
  suggest: () => require("./suggest").command,
  audit: () => require("./audit").command,
};

/** The subcommand names, in `--help` order. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function load(name: string): Command | null {
  try {
    return COMMANDS[name]();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(`'./${name}'`)) return null;
    throw e;
  }
}

function usage(): string {
  const lines = ["usage: nanomorph <command> [options]   (nanomorph <command> --help for details)", "", "commands:"];
  for (const name of Object.keys(COMMANDS)) {
    const c = load(name);
    if (c) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push("", "global options: --profile ci|laptop|quality|paper (default quality) (sets NANOMORPH_PROFILE), --backend NAME (sets NANOMORPH_BACKEND), --stack-slice N (slice of a 3-D microscope stack or page of a multi-page TIFF to read; sets NANOMORPH_STACK_SLICE)");
  return lines.join("\n");
}

/** Pull the global options out of argv (they may appear anywhere). */
function globals(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [key, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (key === "--profile" || key === "--backend" || key === "--stack-slice") {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${key} needs a value`);
      if (key === "--profile") {
        if (!(PROFILES as readonly string[]).includes(v)) throw new UsageError(`--profile must be ${PROFILES.join(", ")}; got '${v}'`);
        setProfile(v);
      }
      else if (key === "--stack-slice") {
        if (!/^\d+$/.test(v)) throw new UsageError(`--stack-slice needs a slice index (an integer ≥ 0), got '${v}'`);
        // an env setting so every loader (decodeImage and all that call it) sees it without plumbing
        process.env.NANOMORPH_STACK_SLICE = v;
      } else process.env.NANOMORPH_BACKEND = v;
    } else rest.push(a);
  }
  return rest;
}

export async function main(argv: string[]): Promise<number> {
  let name: string | undefined;
  // The name usage errors are reported under: the command, or its subcommand ("particles train").
  let shown: string | undefined;
  try {
    const rest = globals(argv);
    name = rest[0];
    shown = name;
    if (!name || name === "--help" || name === "-h" || name === "help") {
      console.log(usage());
      return name ? 0 : 2;
    }
    if (!(name in COMMANDS)) throw new UsageError(`unknown command '${name}'\n\n${usage()}`);
    let cmd = load(name);
    if (!cmd) throw new UsageError(`command '${name}' is not available in this build`);
    let args = rest.slice(1);
    const sub = cmd.subcommands?.[args[0]];
    if (sub) {
      cmd = sub();
      args = args.slice(1);
      shown = cmd.name;
    }
    if (args.includes("--help") || args.includes("-h")) {
      console.log(cmd.help);
      return 0;
    }
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof InterruptedError) {
      console.error(`nanomorph: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      // Every usage error names the command and exits 2, wherever it was thrown.
      const known = name !== undefined && name in COMMANDS;
      const msg = known && e.message.startsWith(`${shown}: `) ? e.message.slice(shown!.length + 2) : e.message;
      console.error(`${known ? `nanomorph ${shown}` : "nanomorph"}: ${msg}`);
      if (known && !msg.includes("usage:")) console.error(`(nanomorph ${shown} --help lists the options)`);
      return 2;
    }
    console.error(`nanomorph: error: ${cacheErrorMessage(e) ?? (e as Error).message}`);
    if (process.env.NANOMORPH_DEBUG) console.error((e as Error).stack);
    return 1;
  }
}

/** Exit code of a command that stopped without finishing (sysexits' EX_SOFTWARE: an internal error). */
export const UNFINISHED_EXIT_CODE = 70;

/**
 * Run `main(argv)` as this process's job: its result becomes the exit code.
 *
 * Why the guard: Node ends a process whose event loop has nothing left to do, with exit code 0, even
 * while `main` still awaits a promise that nothing can settle any more (one whose only source was a
 * worker that died). A command that did not finish must never look like a success to a shell or a
 * scheduler, so that case prints what was still open and exits {@link UNFINISHED_EXIT_CODE}.
 */
export function runAsProcess(argv: string[], run: (argv: string[]) => Promise<number> = main): void {
  let settled = false;
  process.on("beforeExit", () => {
    if (settled) return;
    settled = true;
    const open = process.getActiveResourcesInfo().join(", ") || "nothing";
    console.error(`nanomorph: internal error: '${argv.join(" ")}' stopped before it finished (the process ran out of work; still open: ${open}). ` +
      `Its outputs are incomplete (each file is whole or absent); run it again, and report this if it repeats.`);
    process.exitCode = UNFINISHED_EXIT_CODE;
  });
  run(argv).then((code) => { settled = true; process.exitCode = code; });
}

if (require.main === module) runAsProcess(process.argv.slice(2));
