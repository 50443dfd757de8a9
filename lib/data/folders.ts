import * as fs from "fs";
import * as path from "path";

/**
 * File extensions read as images (lower-case, with the dot): common image formats and the microscope
 * formats of lib/data/formats (.dm3 .dm4 .ser .emd .mrc). `.emi` is left out on purpose: it sits
 * beside its `_1.ser`, which holds the pixels, so listing both would count one image twice
 * (decodeImage still accepts an .emi path and reads its .ser).
 */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".dm3", ".dm4", ".ser", ".emd", ".mrc"];

/** True when `file`'s extension is one of {@link IMAGE_EXTENSIONS} (case-insensitive). */
export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/**
 * A folder-per-class dataset: `files[i]` has label `labels[i]`, an index into `classes`
 * (class names sorted, so the label numbering is stable).
 */
export interface ClassFolder {
  files: string[];
  labels: number[];
  classes: string[];
}

/** Options for {@link listClassFolder}. */
export interface ListClassFolderOptions {
  /**
   * Class names to expect, in label order. Default: every sub-folder that holds at least one image,
   * sorted by name. With this set, a missing class folder is an error.
   */
  classes?: string[];
}

/**
 * Sub-folder names that are never classes: our synthetic sets keep masks and ground truth beside the
 * class folders in folders that start with `_` (`_masks/`, `_masks_binary/`, `_truth/`); dot-folders
 * are hidden files.
 */
function isReservedFolder(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

/** What a directory entry is, following symbolic links (folders of links to images are common); a dangling link is "other". */
export function entryKind(dir: string, e: fs.Dirent): "file" | "dir" | "other" {
  if (e.isFile()) return "file";
  if (e.isDirectory()) return "dir";
  if (!e.isSymbolicLink()) return "other";
  try {
    const st = fs.statSync(path.join(dir, e.name));
    return st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  } catch {
    return "other";
  }
}

/** Image files directly in `dir`, sorted; mask-named files (`*_label.*`, `*_mask.*`, see pairKey) are left out. */
function sortedImages(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => entryKind(dir, e) === "file" && isImageFile(e.name) && !isMaskName(e.name))
    .map((e) => e.name)
    .sort()
    .map((n) => path.join(dir, n));
}

/** True for a mask file name by the pairing convention: stem ends in `_label`, `_labels`, `_mask`, `_masks` or `_gt`. */
export function isMaskName(file: string): boolean {
  const stem = path.basename(file, path.extname(file));
  return pairKey(file) !== stem;
}

/**
 * List a folder-per-class dataset (`dir/<class>/<image>`): every image file in every class folder,
 * sorted by class then file name. Folders starting with `_` or `.` are skipped, and so are mask files
 * kept beside the images (`*_label.png` as in the paper's data; see {@link isMaskName}).
 * Throws when `dir` does not exist, when it has no class folder with images, or when an expected class
 * (`opts.classes`) is missing or empty.
 */
export function listClassFolder(dir: string, opts: ListClassFolderOptions = {}): ClassFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`listClassFolder: ${dir} is not a directory`);
  let classes: string[];
  if (opts.classes) {
    classes = opts.classes.slice();
  } else {
    classes = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => entryKind(dir, e) === "dir" && !isReservedFolder(e.name))
      .map((e) => e.name)
      .filter((n) => sortedImages(path.join(dir, n)).length > 0)
      .sort();
    if (classes.length === 0) throw new Error(`listClassFolder: ${dir} has no class sub-folders holding images`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  classes.forEach((c, label) => {
    const cdir = path.join(dir, c);
    if (!fs.existsSync(cdir)) throw new Error(`listClassFolder: class folder ${cdir} is missing`);
    const imgs = sortedImages(cdir);
    if (imgs.length === 0) throw new Error(`listClassFolder: class folder ${cdir} holds no images`);
    for (const f of imgs) {
      files.push(f);
      labels.push(label);
    }
  });
  return { files, labels, classes };
}

/** Split names recognised in a split-folder dataset, in the order they are reported. */
export const SPLIT_NAMES: readonly string[] = ["train", "augmented_train", "validation", "test"];

/**
 * A split-folder dataset (`dir/train/<class>/…`, `dir/validation/<class>/…` or `dir/val/…`,
 * `dir/test/…`, the virus set's `dir/augmented_train/…`). Every present split uses the same class list
 * (the union of class folder names, sorted), so labels agree across splits.
 */
export interface SplitFolder {
  classes: string[];
  /** Present splits by canonical name (`val/` is reported as `validation`). */
  splits: Partial<Record<"train" | "augmented_train" | "validation" | "test", ClassFolder>>;
}

/**
 * List a split-folder dataset. Throws when no split folder is present, when both `validation/` and
 * `val/` exist, or when a split lacks a class that another split has (a class must be in every split).
 */
export function listSplitFolder(dir: string): SplitFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`listSplitFolder: ${dir} is not a directory`);
  const present: { canonical: "train" | "augmented_train" | "validation" | "test"; folder: string }[] = [];
  for (const s of ["train", "augmented_train", "validation", "test"] as const) {
    const candidates = s === "validation" ? ["validation", "val"] : [s];
    const found = candidates.filter((c) => fs.existsSync(path.join(dir, c)) && fs.statSync(path.join(dir, c)).isDirectory());
    if (found.length > 1) throw new Error(`listSplitFolder: ${dir} has both validation/ and val/; keep one`);
    if (found.length === 1) present.push({ canonical: s, folder: path.join(dir, found[0]) });
  }
  if (present.length === 0) throw new Error(`listSplitFolder: ${dir} has none of train/, augmented_train/, validation/ (or val/), test/`);
  const union = new Set<string>();
  for (const p of present) for (const c of listClassFolder(p.folder).classes) union.add(c);
  const classes = [...union].sort();
  const splits: SplitFolder["splits"] = {};
  for (const p of present) splits[p.canonical] = listClassFolder(p.folder, { classes });
  return { classes, splits };
}

/** True when `dir` looks like a split-folder dataset (has a train/, val/, validation/ or test/ folder). */
export function isSplitFolder(dir: string): boolean {
  return ["train", "augmented_train", "validation", "val", "test"].some((s) => {
    const p = path.join(dir, s);
    return fs.existsSync(p) && fs.statSync(p).isDirectory();
  });
}

/** Image/mask file pairs, index-aligned. */
export interface ImageMaskPairs {
  images: string[];
  masks: string[];
}

/** The name key used to match an image with its mask: the file stem without a `_label`/`_mask` suffix. */
export function pairKey(file: string): string {
  const stem = path.basename(file, path.extname(file));
  return stem.replace(/_(label|labels|mask|masks|gt)$/i, "");
}

/** Every image under `dir`, recursively, sorted; skips `_`/`.` folders below `dir`. */
function imagesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      const kind = entryKind(d, e); // follows links, as listClassFolder does
      if (kind === "dir" && !isReservedFolder(e.name)) walk(p);
      else if (kind === "file" && isImageFile(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Match the images under `imagesDir` with the masks under `masksDir` (both searched recursively) by
 * name: `x.jpg` pairs with `x.png`, `x_label.png` or `x_mask.png` (see {@link pairKey}). The two may
 * be the same folder (masks beside the images, as in the paper's data): then only mask-named files
 * are masks. Pairs are
 * sorted by image path. Throws, naming the file, when an image has no mask, a mask has no image, or
 * two files share a key.
 */
export function pairImagesMasks(imagesDir: string, masksDir: string): ImageMaskPairs {
  for (const d of [imagesDir, masksDir]) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new Error(`pairImagesMasks: ${d} is not a directory`);
  }
  const index = (files: string[], what: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const f of files) {
      const k = pairKey(f);
      const prev = m.get(k);
      if (prev) throw new Error(`pairImagesMasks: ${what} ${f} and ${prev} both match the name '${k}'`);
      m.set(k, f);
    }
    return m;
  };
  const masksResolved = path.resolve(masksDir);
  const imagesResolved = path.resolve(imagesDir);
  // masks kept beside the images (the paper's layout): only the mask-named files are masks
  const shared = masksResolved === imagesResolved || imagesResolved.startsWith(masksResolved + path.sep);
  const imageFiles = imagesUnder(imagesDir).filter((f) => (shared || !path.resolve(f).startsWith(masksResolved + path.sep)) && !isMaskName(f));
  const maskFiles = imagesUnder(masksDir).filter((f) => !shared || isMaskName(f));
  const imgs = index(imageFiles, "images");
  const masks = index(maskFiles, "masks");
  for (const [k, f] of imgs) if (!masks.has(k)) throw new Error(`pairImagesMasks: image ${f} has no mask '${k}.*' or '${k}_label.*' in ${masksDir}`);
  for (const [k, f] of masks) if (!imgs.has(k)) throw new Error(`pairImagesMasks: mask ${f} has no image '${k}.*' in ${imagesDir}`);
  const images = [...imgs.values()].sort();
  return { images, masks: images.map((f) => masks.get(pairKey(f)) as string) };
}
