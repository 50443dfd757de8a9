/**
 * An option or argument a caller gave has a bad value (out of range, not fitting the data, naming a
 * missing folder). Library functions throw it naming the option as the CLI spells it (`--splits`); the
 * CLI prints it without a stack and exits 2, a notebook shows the message.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
