/**
 * What each report section can and cannot show under a profile, in words a reader of REPORT.md can
 * act on. Built from the profile's own configs (encoders, sizes, epochs, splits), so the text follows
 * the configs when they change.
 */
import { loadConfig } from "../config/index";
import { pretrainConfigFor } from "../ssl/config";
import type { ProbeRunConfig } from "../probe/config";

/** What a section's numbers can and cannot be used for under one profile. */
export interface SectionLimits {
  can: string;
  cannot: string;
}

function probeCfg(profile: string): ProbeRunConfig | null {
  try { return loadConfig<ProbeRunConfig>("probe", profile as never); } catch { return null; }
}

/**
 * The limits of `section` under `profile` ("paper" is the paper's own scale: no limits beyond the
 * data). Unknown sections get a generic line.
 */
export function sectionLimits(section: string, profile: string): SectionLimits {
  if (profile === "paper") {
    return { can: "compare with the paper's numbers, at the paper's sizes and repeats", cannot: "say more than the data it ran on (stand-in data stays a stand-in)" };
  }
  const probe = probeCfg(profile);
  let ssl = "";
  try {
    const c = pretrainConfigFor(profile as never, { method: "simclr" });
    ssl = `a ${c.encoder} pretrained for ${c.epochs} epochs at ${c.imageSize} px`;
  } catch { ssl = "a small encoder pretrained briefly"; }
  const size = probe ? `${probe.size} px` : "a reduced size";
  const splits = probe ? `${probe.splits} split(s) × ${probe.encoderSeeds.length} encoder seed(s)` : "few repeats";
  switch (section) {
    case "nanowireAccuracy":
    case "probeHeads":
    case "oneShot":
      return {
        can: `show the shape of accuracy vs labels per class, the protocols' difference (paper vs honest) and that every step runs; ${splits} per box`,
        cannot: `judge SSL vs ImageNet encoders: at \`${profile}\` the self-supervised encoder is ${ssl}, far from the paper's ResNet50 after 200 epochs, and ImageNet's ResNet50 sees ${size} inputs (paper: 224 px); with ${splits} the boxes are wide, so medians closer than their intervals are not different`,
      };
    case "labelBudget":
      return {
        can: "show whether coverage picks avoid missing a class at small budgets",
        cannot: `say whether suggested picks beat random ones on real data: with weak \`${profile}\` features (${ssl}; ImageNet at ${size}) the feature space barely separates the classes, and then a coverage pick has no advantage (it can come out below random)`,
      };
    case "mnpAccuracy":
    case "virusAccuracy":
      return {
        can: "show that the probe transfers to another set and how the fixed test set narrows the boxes",
        cannot: `reproduce the paper's transfer numbers: the encoders are \`${profile}\`-sized (${size} inputs) and, without the real mNP/virus sets, the data are synthetic stand-ins`,
      };
    case "segmentation":
      return {
        can: "show Dice/IoU against the labelled masks per class and the overlays, i.e. that the U-Net pipeline learns",
        cannot: `match the paper's Dice: at \`${profile}\` the input is small and the decoder trains for few epochs; thin structures are lost in the resize`,
      };
    case "quantification":
      return {
        can: "show percolation and density per class on the ground-truth masks, which do not depend on the profile",
        cannot: "say anything about predicted masks (these are the ground-truth masks)",
      };
    case "hyperparameters":
      return {
        can: "show that the grid runs and is cached cell by cell",
        cannot: `show the paper's trends (batch size, projection, crop, resolution): each cell is ${ssl}, scored with few folds and seeds; differences between settings are within noise`,
      };
    case "particles":
      return {
        can: "show detection precision/recall against known sizes (synthetic) and real instance maps (EMPS when present); these do not depend on the profile beyond the image count",
        cannot: "speak for micrographs unlike EMPS figure crops (other contrast, overlapping particles) without checking a few by eye",
      };
    default:
      return { can: "show that this section runs end to end", cannot: `stand for the paper's scale: \`${profile}\` uses reduced sizes` };
  }
}
