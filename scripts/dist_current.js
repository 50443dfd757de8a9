"use strict";
// The one rule for "is the compiled CLI current?", shared by bin/nanomorph and the start-up bench.
const fs = require("fs");
const path = require("path");

/**
 * Why `<root>/dist` must not be run now (no build, or a source under lib/ newer than the build's
 * stamp), or null when it is current. Plain JavaScript: it runs before anything is compiled.
 * @param {string} root the project root
 * @returns {string | null}
 */
function distStaleReason(root) {
  let built;
  try {
    built = fs.statSync(path.join(root, "dist", "BUILD_STAMP")).mtimeMs;
  } catch {
    return "no compiled CLI (dist/BUILD_STAMP missing)";
  }
  const stack = [path.join(root, "lib")];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/\.(ts|js|json)$/.test(e.name) && fs.statSync(p).mtimeMs > built) return `${path.relative(root, p)} is newer than dist/`;
    }
  }
  return null;
}

module.exports = { distStaleReason };
