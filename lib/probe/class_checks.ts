import type { ProbeImages } from "./dataset";

/**
 * Checks of a probe data set that are cheap and must come before any feature is computed.
 * Throws when fewer than 2 classes are present (a classifier needs two); returns warnings (one line
 * each) for classes that the random 80/20 split cannot both train and test on: a class of one image
 * gets no test image, so its accuracy would silently be left out of the score.
 * @throws Error naming the folder and the classes found
 */
export function checkProbeClasses(images: ProbeImages, dataDir: string): string[] {
  if (images.classes.length < 2) {
    throw new Error(`probe: ${dataDir} has ${images.classes.length} class folder(s) (${images.classes.join(", ") || "none"}); ` +
      "a probe needs at least 2 classes: put each class's images in its own sub-folder");
  }
  if (images.testRows) return [];
  const counts = images.classes.map(() => 0);
  for (const l of images.labels) counts[l]++;
  return images.classes
    .map((c, i) => ({ c, n: counts[i] }))
    .filter((x) => x.n < 2)
    .map((x) => `probe: warning: class '${x.c}' has ${x.n} image; it cannot be in both the training and the test part, ` +
      "so test accuracy is computed without it. Add images to it, or give a fixed --test set");
}
