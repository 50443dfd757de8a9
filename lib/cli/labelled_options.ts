import { opt } from "./options";

/**
 * The options that name a labelled set (`particles train`, `eval`, `fit-edges`): micrographs, their
 * instance labels (`--instances`, alias `--labels`) paired by name as --masks is, and optionally the
 * ids of one part of a split file. `images` and `part` describe what the command does with them.
 */
export function labelledSetOptions(o: { images: string; part: string; defaultPart: string }) {
  return {
    images: opt.string({ placeholder: "DIR", description: o.images }),
    instances: opt.string({ placeholder: "DIR", description: "their labels, paired by name as --masks is" }),
    labels: opt.string({ placeholder: "DIR", description: "the same as --instances" }),
    split: opt.string({ placeholder: "FILE", description: "JSON of id lists (e.g. models/particles-emps/split.json); with --part KEY only those ids" }),
    part: opt.string({ placeholder: "KEY", description: o.part, defaultText: o.defaultPart }),
  };
}

/** The labels folder given as `--instances` or its alias `--labels`. */
export function labelsFolder(v: { instances?: unknown; labels?: unknown }): string | undefined {
  return (v.instances ?? v.labels) as string | undefined;
}
