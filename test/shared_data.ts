import * as path from "path";

/**
 * The real data folder tests read: `$NANOMORPH_SHARED_DATA` when set (e.g. a git worktree that is not
 * beside `shared/`), else `../shared/data` beside the project root. Tests skip with a message when absent.
 */
export function sharedDataDir(...parts: string[]): string {
  const base = process.env.NANOMORPH_SHARED_DATA ?? path.join(__dirname, "..", "..", "shared", "data");
  return path.join(base, ...parts);
}
