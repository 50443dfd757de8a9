import * as fs from "fs";
import * as path from "path";

/**
 * Names and relative paths taken from files (a manifest's `dest`, a grid's name, an archive member, a
 * class folder) must stay inside the folder they are meant for. These checks refuse `.`, `..`, absolute
 * paths, separators in single names, and symlinks that lead out of the root.
 */

/** A name that must be one path segment: refused when empty, `.`, `..`, or holding `/`, `\` or NUL. */
export function checkName(name: string, what: string): string {
  if (typeof name !== "string" || name.length === 0) throw new Error(`${what}: the name is empty`);
  if (name === "." || name === "..") throw new Error(`${what}: '${name}' is not allowed as a name (it would point at a folder itself or its parent)`);
  if (/[\\/\0]/.test(name)) throw new Error(`${what}: '${name}' must be a single name, without / or \\`);
  return name;
}

/** Realpath of the longest existing prefix of `p`, with the rest appended (a path not created yet). */
export function realPrefix(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  while (!fs.existsSync(head)) {
    const up = path.dirname(head);
    if (up === head) break;
    tail.unshift(path.basename(head));
    head = up;
  }
  return path.join(fs.realpathSync(head), ...tail);
}

/** True when `child` is `parent` or inside it (both absolute, already resolved). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * `root/rel` for a relative path `rel` that must stay strictly inside `root`: refused when absolute
 * (`/x`, `C:\x`, `\\host`), when a segment is `.` or `..`, and when an existing symlink on the way
 * leads outside `root`. Returns the absolute path (symlinks not resolved).
 * @throws Error naming `what`, the value and the root
 */
export function confinedPath(root: string, rel: string, what: string): string {
  if (typeof rel !== "string" || rel.length === 0) throw new Error(`${what}: the path is empty`);
  if (path.isAbsolute(rel) || /^[a-zA-Z]:|^[\\/]/.test(rel)) throw new Error(`${what}: '${rel}' is an absolute path; give a path relative to ${root}`);
  for (const seg of rel.split(/[\\/]+/).filter((s) => s.length > 0)) {
    if (seg === "." || seg === "..") throw new Error(`${what}: '${rel}' contains '${seg}'; it must stay inside ${root}`);
    if (seg.includes("\0")) throw new Error(`${what}: '${rel}' contains a NUL character`);
  }
  const abs = path.resolve(root, rel);
  const realRoot = realPrefix(root);
  if (!isInside(abs, path.resolve(root)) || abs === path.resolve(root)) throw new Error(`${what}: '${rel}' does not lie inside ${root}`);
  const real = realPrefix(abs);
  if (!isInside(real, realRoot) || real === realRoot) throw new Error(`${what}: '${rel}' leads outside ${root} through a symbolic link (to ${real})`);
  return abs;
}
