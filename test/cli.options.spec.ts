import { strict as assert } from "assert";
import { defineCommand, helpText, opt, parseOptions, type CommandSpec } from "../lib/cli/options";
import { UsageError } from "../lib/util/errors";
import { COMMAND_NAMES } from "../lib/cli/main";

const SPEC = {
  name: "demo",
  summary: "a demo",
  usage: "demo --in DIR [options]",
  description: "First paragraph.\n\nSecond paragraph.",
  options: {
    in: opt.string({ placeholder: "DIR", description: "input folder", required: true }),
    size: opt.number({ placeholder: "PX", description: "side", integer: true, min: 32, max: 4096, default: 224 }),
    rate: opt.number({ description: "a rate", min: 0, minExclusive: true, max: 1, maxExclusive: true }),
    ns: opt.numbers({ description: "ns", integer: true, min: 1, max: 64, maxLength: 3, default: [1, 2] }),
    mode: opt.enum(["fast", "slow"], { placeholder: "M", description: "how", default: "fast" }),
    shift: opt.number({ description: "any integer", integer: true }),
    json: opt.flag("print JSON"),
  },
} satisfies CommandSpec;

describe("cli/options: one option table gives the help, the typed values and the range checks", () => {
  it("parses and converts, with defaults for what is absent", () => {
    const { values: v } = parseOptions(SPEC, ["--in", "x", "--size=64", "--ns", "3, 4", "--json"]);
    assert.deepEqual(v, { in: "x", size: 64, rate: undefined, ns: [3, 4], mode: "fast", shift: undefined, json: true });
    const w = parseOptions(SPEC, ["--in", "x", "--rate", "0.25", "--mode", "slow", "--shift", "-3"]).values;
    assert.deepEqual([w.size, w.rate, w.ns, w.mode, w.shift, w.json], [224, 0.25, [1, 2], "slow", -3, false]);
  });

  it("refuses, naming the option and the allowed values: out of range, not a number, wrong word, missing, unknown", () => {
    const bad: Array<[string[], RegExp]> = [
      [["--size", "16"], /^--size must be an integer in 32\.\.4096, got '16'$/],
      [["--size", "64.5"], /^--size must be an integer in 32\.\.4096, got '64\.5'$/],
      [["--size", "-64"], /^--size must be an integer in 32\.\.4096, got '-64'$/],
      [["--rate", "1"], /^--rate must be a number in \(0, 1\), got '1'$/],
      [["--rate", "abc"], /^--rate must be a number in \(0, 1\), got 'abc'$/],
      [["--ns", "1,2,3,4"], /^--ns takes at most 3 values, got 4$/],
      [["--ns", "1,x"], /^--ns must be comma-separated numbers, each an integer in 1\.\.64, got 'x'$/],
      [["--mode", "medium"], /^--mode must be fast or slow, got 'medium'$/],
      [["--in", ""], /^--in needs a value/],
      [["--bogus"], /Unknown option '--bogus'/],
      [["stray"], /positional/i],
    ];
    for (const [args, re] of bad) {
      const argv = args[0] === "--in" ? args : ["--in", "x", ...args];
      assert.throws(() => parseOptions(SPEC, argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), args.join(" "));
    }
    assert.throws(() => parseOptions(SPEC, []), /^UsageError: --in DIR is required$/);
  });

  it("writes the help from the table: usage, paragraphs, one line per option with its range and default", () => {
    const h = helpText(SPEC);
    assert.ok(h.startsWith("usage: nanomorph demo --in DIR [options]\n\nFirst paragraph.\n\nSecond paragraph.\n\noptions:\n"), h);
    assert.match(h, /^ {2}--size PX +side \(integer in 32\.\.4096; default 224\)$/m);
    assert.match(h, /^ {2}--rate N +a rate \(number in \(0, 1\)\)$/m);
    assert.match(h, /^ {2}--mode M +how \(fast \| slow; default fast\)$/m);
    assert.match(h, /^ {2}--in DIR +input folder \(required\)$/m);
    assert.match(h, /^ {2}--json +print JSON$/m);
    for (const line of h.split("\n")) assert.ok(line.length <= 110, `help line too long: ${line}`);
  });

  it("a command's run rejects (never throws synchronously) on a usage error, and gets typed values", async () => {
    let seen: unknown = null;
    const cmd = defineCommand(SPEC, async ({ values }) => { seen = values.size; return 0; });
    assert.equal(await cmd.run(["--in", "x", "--size", "64"]), 0);
    assert.equal(seen, 64);
    const p = cmd.run(["--in", "x", "--size", "1"]);
    assert.ok(p instanceof Promise);
    await assert.rejects(p, /--size must be/);
  });

  it("every nanomorph command's help is generated (usage line first, an options block naming each option)", () => {
    for (const name of COMMAND_NAMES) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const cmd = require(`../lib/cli/${name}`).command as { help: string; spec?: CommandSpec };
      assert.ok(cmd.spec, `${name} is not declared with defineCommand`);
      assert.ok(cmd.help.startsWith(`usage: nanomorph ${name}`), name);
      for (const o of Object.keys(cmd.spec!.options)) assert.match(cmd.help, new RegExp(`^ {2}(-[a-z], )?--${o}\\b`, "m"), `${name} --${o}`);
    }
  });
});
