/**
 * One declaration per command-line option, from which come the help text, the parsed and typed
 * values, and every range check. A command declares a {@link CommandSpec}; `helpText(spec)` writes its
 * `--help`, `parseOptions(spec, argv)` returns typed values or throws a UsageError naming the option.
 *
 * Why our own ~200 lines and not citty/clipanion/commander: the commands need exactly node's
 * `util.parseArgs` grammar (`--x v`, `--x=v`, booleans, strict unknown-option errors) plus typed
 * ranges; this file adds the typing and the help around it with no dependency to load at start-up
 * (the CLI's `--help` must cost no more than plain Node) and keeps usage errors on one exit code (2).
 */
import { UsageError, parse, type Command } from "./args";

interface Base {
  /** One sentence or more; wrapped to the help's width. A default is appended from `default`. */
  description: string;
  /** The value's name in the help (`--out DIR`). */
  placeholder?: string;
  /** How the default is described when it is not a literal (e.g. "from the profile"). */
  defaultText?: string;
  /** The option must be given (a usage error names it otherwise). */
  required?: boolean;
}
/** Free text (a path, a spec). */
export interface StringOption extends Base { type: "string"; default?: string }
/** A number checked against [min, max] (and integer when asked). */
export interface NumberOption extends Base {
  type: "number"; default?: number; min?: number; max?: number; integer?: boolean;
  /** `min` itself is refused (e.g. a pixel size must be > 0). */
  minExclusive?: boolean;
  /** `max` itself is refused (e.g. a probability threshold must be < 1). */
  maxExclusive?: boolean;
}
/** Comma-separated numbers, each checked like a {@link NumberOption}. */
export interface NumberListOption extends Base {
  type: "numbers"; default?: number[]; min?: number; max?: number; integer?: boolean; maxLength?: number;
}
/** One word of a fixed set. */
export interface EnumOption<C extends string = string> extends Base { type: "enum"; choices: readonly C[]; default?: C }
/** Free text, repeatable (`-p a=1 -p b=2`): every value in order, [] when absent. */
export interface StringsOption extends Base { type: "strings"; short?: string }
/** Present or absent. */
export interface FlagOption extends Omit<Base, "required"> { type: "boolean" }
/** Any option declaration. */
export type OptionDecl = StringOption | StringsOption | NumberOption | NumberListOption | EnumOption | FlagOption;
/** Option name (kebab-case, without `--`) → declaration. */
export type OptionTable = Record<string, OptionDecl>;

type ValueOf<D> = D extends FlagOption ? boolean : D extends StringsOption ? string[] : D extends EnumOption<infer C> ? C : D extends NumberOption ? number
  : D extends NumberListOption ? number[] : string;
type Always<D> = D extends FlagOption ? true : D extends StringsOption ? true : D extends { default: unknown } ? true : D extends { required: true } ? true : false;
/** The typed values `parseOptions` returns: options with a default (or required) are never undefined. */
export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]: Always<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined };

type EnumFields<C extends string> = Omit<EnumOption<C>, "type" | "choices" | "default">;
function enumOption<const C extends string>(choices: readonly C[], d: EnumFields<C> & { default: C }): EnumOption<C> & { default: C };
function enumOption<const C extends string>(choices: readonly C[], d: EnumFields<C> & { required: true }): EnumOption<C> & { required: true };
function enumOption<const C extends string>(choices: readonly C[], d: EnumFields<C>): EnumOption<C>;
function enumOption<const C extends string>(choices: readonly C[], d: EnumFields<C> & { default?: C }): EnumOption<C> {
  return { ...d, type: "enum", choices };
}

/** Builders that keep literal types (enum choices, presence of a default) for {@link OptionValues}. */
export const opt = {
  string<D extends Omit<StringOption, "type">>(d: D): D & { type: "string" } { return { ...d, type: "string" }; },
  number<D extends Omit<NumberOption, "type">>(d: D): D & { type: "number" } { return { ...d, type: "number" }; },
  numbers<D extends Omit<NumberListOption, "type">>(d: D): D & { type: "numbers" } { return { ...d, type: "numbers" }; },
  strings<D extends Omit<StringsOption, "type">>(d: D): D & { type: "strings" } { return { ...d, type: "strings" }; },
  enum: enumOption,
  flag(description: string): FlagOption { return { type: "boolean", description }; },
};

/** A command's declaration: what `--help` shows and what `parseOptions` accepts. */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  name: string;
  /** One line for `nanomorph --help`. */
  summary: string;
  /** The usage line after `usage: nanomorph ` (e.g. `particles --images DIR [options]`). */
  usage: string;
  /** Paragraphs between the usage line and the options. */
  description: string;
  /** Every option the command takes (shared groups spread in), in the order the help lists them. */
  options: T;
  /** Example command lines (without `nanomorph `… they are shown as given). */
  examples?: string[];
  /** Positional arguments allowed (e.g. `data fetch NAME`). Default false. */
  positionals?: boolean;
}

const WIDTH = 104;

function wrap(text: string, indent: number, first: number): string[] {
  const lines: string[] = [];
  let line = "", room = WIDTH - first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = WIDTH - indent;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The allowed values in words: "an integer in 1..4096", "a number in (0, 1)", "a number > 0". */
function rangeText(d: NumberOption | NumberListOption): string {
  const lo = d.min, hi = d.max;
  const loX = "minExclusive" in d && d.minExclusive, hiX = "maxExclusive" in d && d.maxExclusive;
  if (d.integer) {
    if (lo !== undefined && hi !== undefined) return `an integer in ${loX ? lo + 1 : lo}..${hiX ? hi - 1 : hi}`;
    if (lo !== undefined) return `an integer ${loX ? ">" : "≥"} ${lo}`;
    return hi !== undefined ? `an integer ${hiX ? "<" : "≤"} ${hi}` : "an integer";
  }
  if (lo !== undefined && hi !== undefined) return `a number in ${loX ? "(" : "["}${lo}, ${hi}${hiX ? ")" : "]"}`;
  if (lo !== undefined) return `a number ${loX ? ">" : "≥"} ${lo}`;
  return hi !== undefined ? `a number ${hiX ? "<" : "≤"} ${hi}` : "a number";
}

function defaultText(d: OptionDecl): string | null {
  if (d.defaultText) return d.defaultText;
  if (d.type === "boolean" || d.type === "strings" || d.default === undefined) return null;
  return Array.isArray(d.default) ? d.default.join(",") : String(d.default);
}

/** The option's help line(s), e.g. `  --size PX   encoder input side (integer ≥ 32; default 224)`. */
function optionHead(name: string, d: OptionDecl): string {
  return `  ${d.type === "strings" && d.short ? `-${d.short}, ` : ""}--${name}${d.type === "boolean" ? "" : ` ${d.placeholder ?? (d.type === "enum" ? d.choices.join("|") : d.type === "numbers" ? "LIST" : d.type === "number" ? "N" : "VALUE")}`}`;
}

function optionLines(name: string, d: OptionDecl, column: number): string[] {
  const head = optionHead(name, d);
  const notes: string[] = [];
  if (d.type === "number" || d.type === "numbers") notes.push(d.type === "numbers" ? `comma-separated, each ${rangeText(d)}` : rangeText(d).replace(/^an? /, ""));
  if (d.type === "enum" && d.placeholder) notes.push(d.choices.join(" | "));
  const def = defaultText(d);
  if (def !== null) notes.push(`default ${def}`);
  if (d.type !== "boolean" && d.required) notes.push("required");
  const text = notes.length ? `${d.description} (${notes.join("; ")})` : d.description;
  const body = wrap(text, column, column);
  const pad = head.length + 2 <= column ? head.padEnd(column) : `${head}\n${" ".repeat(column)}`;
  return [pad + body[0], ...body.slice(1).map((l) => " ".repeat(column) + l)];
}

/** The `--help` text of a command, generated from its spec. */
export function helpText(spec: CommandSpec): string {
  const entries = Object.entries(spec.options);
  const column = Math.min(30, 2 + Math.max(0, ...entries.map(([n, d]) => optionHead(n, d).length)));
  const out = [`usage: nanomorph ${spec.usage}`, ""];
  for (const para of spec.description.split(/\n\s*\n/)) out.push(...wrap(para, 0, 0), "");
  if (entries.length) {
    out.push("options:");
    for (const [n, d] of entries) out.push(...optionLines(n, d, column));
    out.push("");
  }
  if (spec.examples?.length) out.push("examples:", ...spec.examples.map((e) => `  ${e}`));
  return out.join("\n").trimEnd();
}

function checkNumber(name: string, d: NumberOption | NumberListOption, raw: string): number {
  const x = raw.trim() === "" ? NaN : Number(raw);
  const loX = "minExclusive" in d && d.minExclusive, hiX = "maxExclusive" in d && d.maxExclusive;
  const bad = !Number.isFinite(x) || (d.integer && !Number.isInteger(x)) ||
    (d.min !== undefined && (loX ? x <= d.min : x < d.min)) || (d.max !== undefined && (hiX ? x >= d.max : x > d.max));
  if (bad) throw new UsageError(`--${name} must be ${d.type === "numbers" ? `comma-separated numbers, each ${rangeText(d)}` : rangeText(d)}, got '${raw}'`);
  return x;
}

/** Convert one raw option value by its declaration. @throws UsageError naming `--name` */
export function convertOption(name: string, d: OptionDecl, raw: string | boolean | undefined): unknown {
  if (d.type === "boolean") return raw === true;
  if (d.type === "strings") return raw === undefined ? [] : (raw as unknown as string[]);
  if (raw === undefined) {
    if (d.required) throw new UsageError(`--${name} ${d.placeholder ?? "VALUE"} is required`);
    return d.default;
  }
  const s = String(raw);
  switch (d.type) {
    case "string":
      if (s.trim() === "") throw new UsageError(`--${name} needs a value, got an empty string`);
      return s;
    case "number":
      return checkNumber(name, d, s);
    case "numbers": {
      const parts = s.split(",").map((p) => p.trim());
      if (d.maxLength !== undefined && parts.length > d.maxLength) throw new UsageError(`--${name} takes at most ${d.maxLength} values, got ${parts.length}`);
      return parts.map((p) => checkNumber(name, d, p));
    }
    case "enum":
      if (!d.choices.includes(s)) throw new UsageError(`--${name} must be ${d.choices.slice(0, -1).join(", ")}${d.choices.length > 1 ? " or " : ""}${d.choices[d.choices.length - 1]}, got '${s}'`);
      return s;
  }
}

/** Parsed argv: typed option values and the positionals (when the spec allows them). */
export interface ParsedCommand<T extends OptionTable> {
  values: OptionValues<T>;
  positionals: string[];
  /** The arguments as given (e.g. to record the command that made a model). */
  argv: string[];
}

/**
 * Parse `argv` (after the command's name) against the spec's option tables. Strict: an unknown option,
 * a missing value, a value out of range or a positional where none is allowed is a UsageError that names it.
 */
export function parseOptions<T extends OptionTable>(spec: CommandSpec<T>, argv: string[]): ParsedCommand<T> {
  const table: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [n, d] of Object.entries(spec.options)) {
    table[n] = d.type === "strings" ? { type: "string", multiple: true, ...(d.short ? { short: d.short } : {}) } : { type: d.type === "boolean" ? "boolean" : "string" };
  }
  // args.parse: node's util.parseArgs, strict, with `--x -3` taken as x's value (so the range check speaks).
  const r = parse(argv, table, spec.positionals === true);
  const values: Record<string, unknown> = {};
  for (const [n, d] of Object.entries(spec.options)) values[n] = convertOption(n, d, r.values[n]);
  return { values: values as OptionValues<T>, positionals: r.positionals, argv };
}

/**
 * A {@link Command} from its spec: help generated from the option table, argv parsed and checked before
 * `run` sees typed values. `run` should import the library it drives (`await import(...)`) so that
 * loading the command stays cheap.
 */
export function defineCommand<T extends OptionTable>(spec: CommandSpec<T>, run: (args: ParsedCommand<T>) => Promise<number>): Command & { spec: CommandSpec<T> } {
  // async: a parse error rejects the returned promise, as any other failure of the command does.
  return { name: spec.name, summary: spec.summary, help: helpText(spec), spec, run: async (argv) => run(parseOptions(spec, argv)) };
}
