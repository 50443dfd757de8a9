import { parseArgs, type ParseArgsConfig } from "util";

/** One `nanomorph` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  /** One line for `nanomorph --help`. */
  summary: string;
  /** Full `--help` text (usage, options, examples). */
  help: string;
  run(argv: string[]): Promise<number>;
  /** Commands reached as `nanomorph <name> <sub> …` (their own options and `--help`), loaded on use. */
  subcommands?: Record<string, () => Command>;
}

import { UsageError } from "../util/errors";

/** Thrown for bad command-line usage: printed without a stack, exit code 2 (lib/util/errors.ts). */
export { UsageError };

/**
 * util.parseArgs with strict checking; unknown options and missing values become UsageError
 * naming the option.
 */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  allowPositionals = false,
): ParsedArgs {
  // A negative number after a value option (`--train -3`) is that option's value, so the option's
  // own check can say what range it takes (util.parseArgs would call it "ambiguous").
  const args = argv.slice();
  for (let i = 0; i + 1 < args.length; i++) {
    const name = args[i].startsWith("--") && !args[i].includes("=") ? args[i].slice(2) : null;
    if (name && options[name]?.type === "string" && /^-(\d|\.\d|Infinity|inf)/i.test(args[i + 1])) {
      args.splice(i, 2, `${args[i]}=${args[i + 1]}`);
    }
  }
  try {
    const r = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: r.values as ParsedArgs["values"], positionals: r.positionals };
  } catch (e) {
    // node's messages name the option; its "To specify a positional argument…" advice does not apply here.
    throw new UsageError(String((e as Error).message).split(". To specify")[0]);
  }
}
