import * as fs from "fs";

/**
 * Check that a file is a whole HDF5 file before handing it to h5wasm, whose `File` does not throw on
 * a bad file: it prints pages of HDF5 library diagnostics and fails later with "name not defined".
 *
 * Format facts used (HDF5 file format specification, "Superblock"): the 8-byte signature
 * `\x89HDF\r\n\x1a\n` sits at offset 0, 512, 1024, 2048 … ; the byte after it is the superblock
 * version; versions 0/1 store the size of offsets at +13 and the end-of-file address at
 * +24 + 2·O (+4 more bytes of B-tree K in version 1), versions 2/3 store the size of offsets at +9
 * and the end-of-file address at +12 + 2·O. The end-of-file address is relative to the superblock
 * (base address = signature offset for files written by the library). A file shorter than that
 * address was cut (an interrupted download or copy).
 */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why `file` cannot be a readable HDF5 file, or null when its header and length are consistent. */
export function hdf5Problem(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (!st.isFile()) return "is not a file";
  if (st.size === 0) return "is empty (0 bytes)";
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(96);
    for (let at = 0; at < st.size; at = at === 0 ? 512 : at * 2) {
      const n = fs.readSync(fd, head, 0, head.length, at);
      if (n < 8) break;
      if (!head.subarray(0, 8).equals(SIGNATURE)) continue;
      const version = head[8];
      let sizeOfOffsets: number, eofAt: number;
      if (version === 0 || version === 1) {
        sizeOfOffsets = head[13];
        eofAt = 24 + (version === 1 ? 4 : 0) + 2 * sizeOfOffsets;
      } else if (version === 2 || version === 3) {
        sizeOfOffsets = head[9];
        eofAt = 12 + 2 * sizeOfOffsets;
      } else return `has an HDF5 signature but an unknown superblock version ${version}`;
      if (![2, 4, 8].includes(sizeOfOffsets) || n < eofAt + sizeOfOffsets) return `is truncated inside its HDF5 header (${st.size} bytes)`;
      let eof = 0;
      for (let k = sizeOfOffsets - 1; k >= 0; k--) eof = eof * 256 + head[eofAt + k];
      if (at + eof > st.size) return `is truncated: its HDF5 header says ${at + eof} bytes, the file has ${st.size}`;
      return null;
    }
    const first = Buffer.alloc(Math.min(8, st.size));
    fs.readSync(fd, first, 0, first.length, 0);
    return `is not an HDF5 file (no HDF5 signature; ${st.size} bytes starting ${JSON.stringify(first.toString("latin1"))})`;
  } finally {
    fs.closeSync(fd);
  }
}

/** Throw naming the file and the fix when {@link hdf5Problem} finds one. `who` prefixes the message. */
export function assertHdf5(file: string, who: string): void {
  const p = hdf5Problem(file);
  if (p) throw new Error(`${who}: ${file} ${p}; download or export the .h5 file again`);
}
