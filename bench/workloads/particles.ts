/**
 * `particles-otsu-50`: 50 real micrographs of about 512 px through nanomorph's particle pipeline as
 * `nanomorph particles` runs it per image (decode, foreground, h-maxima distance watershed, drop rules,
 * every measurement; no scale-bar reading, no files written): the EMPS training images whose sides
 * are both 512–520 px, the first 50 by id (`empsDir()`: `$NANOMORPH_EMPS_DIR`, else the default real-data folder).
 * Without them it falls back to 50 synthetic 512-px particle images (lib/data/synth/sized_particles)
 * and says so in the report's `info` and the description.
 *
 * The route from file to particles is a parameter ({@link ParticleRoute}): today Otsu (σ 1 px, border
 * polarity, opening 3 px, holes filled) + the watershed; a bundled instance model plugs in as another
 * route (instances straight from the model, or a foreground `MaskSource`) through {@link particlesWorkload}.
 *
 * Peer: the scikit-image recipe on the same files (bench/peers/particles_skimage.py, /usr/bin/python3):
 * Gaussian σ 1, Otsu, the same border polarity rule, opening by disk(3), hole filling, Euclidean
 * distance transform, h-maxima (h 2) markers, watershed of −distance in the mask, border particles
 * cleared, regions under 10 px dropped, regionprops (area, equivalent diameter, Feret max, Crofton
 * perimeter, solidity, eccentricity, orientation, axes, centroid). The report gives images/s for both.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import sharp from "sharp";
import type { Workload, WorkloadRunner } from "../workload";
import { cacheDir } from "../../lib/util/paths";
import { writeJsonAtomic } from "../../lib/util/fsx";
import { empsDir } from "../../lib/data/external";
import { analyseImage, type MaskSource } from "../../lib/particles/image_particles";
import type { ExtractOptions, ExtractedParticles } from "../../lib/particles/extract";
import { loadObjectFilter } from "../../lib/particles/object_filter";
import { loadOutlineRefiner } from "../../lib/particles/outline_refiner";
import { loadObjectJudge } from "../../lib/particles/object_judge";
import { writeSizedParticleSet } from "../../lib/data/synth/sized_particles";

const PYTHON = "/usr/bin/python3";
/** Images per repetition. */
export const PARTICLE_BENCH_IMAGES = 50;
/** Extraction settings of both sides (the `particles` CLI defaults). */
const SETTINGS = { minArea: 10, h: 2, dropBorder: true, smooth: 1, open: 3 } as const;

/** Extraction settings of the pipeline after the foreground/instances (the CLI's defaults). */
export const BENCH_EXTRACT: ExtractOptions = { minArea: SETTINGS.minArea, h: SETTINGS.h, dropBorder: SETTINGS.dropBorder };

/**
 * How the workload turns one micrograph file into measured particles, prepared untimed. A route may
 * produce a foreground for the watershed or instances directly; e.g. an instance model:
 * `{ name: "bundled", label: "…", prepare: async () => { const m = loadParticleModel("bundled");
 * return { particles: async (f) => measureInstances(await predictInstances(m, f), null, BENCH_EXTRACT),
 * dispose: () => m.dispose() }; } }` then `particlesWorkload(thatRoute)` ({@link MODEL_ROUTE} is that route).
 */
export interface ParticleRoute {
  /** Short name, used in the workload name (`particles-<name>-50`). */
  name: string;
  /** One line for the description, e.g. "Otsu foreground". */
  label: string;
  /** Build what the route needs (e.g. load a model); `dispose` frees it. */
  prepare(): Promise<{ particles(file: string): Promise<ExtractedParticles>; dispose(): void }>;
}

/**
 * A route through `analyseImage` with a foreground `MaskSource` (Otsu, a mask model), then the
 * watershed, drops and measurements; `filter` ("bundled" or a file) adds the object filter, `refiner`
 * (the same) the outline refiner after the edge growth, `judge` (the same) the object judge.
 */
export function maskSourceRoute(name: string, label: string, source: MaskSource, filter?: string, refiner?: string, judge?: string): ParticleRoute {
  return {
    name, label,
    prepare: async () => {
      const objectFilter = filter ? loadObjectFilter(filter) : undefined;
      const outlineRefiner = refiner ? loadOutlineRefiner(refiner) : null, objectJudge = judge ? loadObjectJudge(judge) : null;
      return { particles: async (f) => (await analyseImage(f, "", source, null, { ...BENCH_EXTRACT, objectFilter, refiner: outlineRefiner, judge: objectJudge })).extracted, dispose: () => undefined };
    },
  };
}

/** The route before the object filter: Otsu foreground on the border side, then the h-maxima watershed (the peer's recipe). */
export const OTSU_ROUTE: ParticleRoute = maskSourceRoute("otsu", "Otsu foreground (σ 1, border polarity, opening 3 px, holes filled) + h-maxima distance watershed (h 2)",
  { kind: "otsu", polarity: "border", smooth: SETTINGS.smooth, open: SETTINGS.open });

/**
 * Today's default route (`particles` with no options): candidate segmentations on both sides of the
 * threshold, the particles the bundled object judge picks among them, grown to their edges.
 */
export const FILTER_ROUTE: ParticleRoute = maskSourceRoute("filter", "six Otsu segmentations (holes filled or not, watershed h 1/2/4, shading flattened, a cut nearer the background), both sides, the particles picked among them by the bundled object judge, grown to their edges and on by the bundled outline refiner (the default of `particles`)",
  { kind: "otsu", polarity: "filter", smooth: SETTINGS.smooth, open: SETTINGS.open }, "bundled", "bundled", "bundled");

/** The bundled particle model (`particles --model bundled`): instances from the network's maps, no watershed, then drops and measurements. */
export const MODEL_ROUTE: ParticleRoute = {
  name: "model",
  label: "the bundled particle model (U-Net maps at native size, seeded growing; its manifest's decode settings)",
  prepare: async () => {
    const { initBackend } = await import("../../lib/backend/index");
    await initBackend();
    const { loadParticleModel } = await import("../../lib/particle_model/load");
    const { modelInstances } = await import("../../lib/particle_model/evaluate");
    const { readGrey } = await import("../../lib/particles/grey_image");
    const { measureInstances } = await import("../../lib/particles/extract");
    const model = loadParticleModel("bundled");
    const instances = modelInstances(model);
    return { particles: async (f) => measureInstances(instances(await readGrey(f)), null, BENCH_EXTRACT), dispose: () => model.dispose() };
  },
};

/** Which images the workload runs on and where they came from. */
export interface ParticleBenchData {
  files: string[];
  source: "emps-train" | "synthetic";
  /** Why the fallback was taken, or which folder was read. */
  note: string;
}

/**
 * The first `n` EMPS training images (sorted by id) whose sides are both 512–520 px, or, when the
 * folder is missing or holds fewer, `n` synthetic 512-px particle images generated once into the cache.
 */
export async function particleBenchData(n = PARTICLE_BENCH_IMAGES): Promise<ParticleBenchData> {
  const dir = path.join(empsDir(), "images");
  let why = `${dir} not found`;
  if (fs.existsSync(dir)) {
    const files: string[] = [];
    for (const f of fs.readdirSync(dir).filter((x) => /\.(jpe?g|png)$/i.test(x)).sort()) {
      const m = await sharp(path.join(dir, f)).metadata();
      if (m.width! >= 512 && m.width! <= 520 && m.height! >= 512 && m.height! <= 520) files.push(path.join(dir, f));
      if (files.length === n) return { files, source: "emps-train", note: `first ${n} images of ${dir} (sorted by id) with both sides 512-520 px` };
    }
    why = `${dir} holds only ${files.length} images of 512-520 px`;
  }
  const synth = cacheDir("bench", `particles-synthetic-${n}`);
  const done = path.join(synth, "done.json");
  if (!fs.existsSync(done)) {
    await writeSizedParticleSet(synth, [{ name: "p", spec: { size: 512, count: 60, medianDiameter: 20, sigmaLog: 0.3 } }], n, 2023);
    writeJsonAtomic(done, { images: n });
  }
  const files = fs.readdirSync(path.join(synth, "images", "p")).sort().map((f) => path.join(synth, "images", "p", f));
  return { files, source: "synthetic", note: `${why}: ${n} synthetic 512-px particle images (60 particles each, median diameter 20 px) instead` };
}

/** Whether /usr/bin/python3 has scikit-image and scipy (null) or why not. */
function skimageMissing(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import skimage, scipy, PIL"], { encoding: "utf8" });
  return r.status === 0 ? null : `${PYTHON} lacks scikit-image/scipy/PIL: ${r.stderr.trim().split("\n").pop()}`;
}

/**
 * The particles workload for a route: one repetition = every bench image through `analyseImage`
 * (decode, foreground by the route, watershed, drop rules, measurements), uncalibrated. Setup picks
 * the images ({@link particleBenchData}; `opts.images`, default 50) and writes the peer's plan to
 * cacheDir("bench", name) (name default `particles-<route>-<images>`).
 */
export function particlesWorkload(route: ParticleRoute, opts: { images?: number; name?: string } = {}): Workload {
  const n = opts.images ?? PARTICLE_BENCH_IMAGES;
  const name = opts.name ?? `particles-${route.name}-${n}`;
  const emps = fs.existsSync(path.join(empsDir(), "images"));
  return {
    name,
    description: `${n} ${emps ? "EMPS training micrographs (~512 px)" : "synthetic 512-px particle images (EMPS not found)"} through ` +
      `nanomorph's particle pipeline: decode, ${route.label}, border/min-area 10 px drops, measurements; ` +
      "peer: the scikit-image recipe (Otsu + distance-transform watershed + regionprops) on the same files",
    warmup: 1,
    async setup(): Promise<WorkloadRunner> {
      const data = await particleBenchData(n);
      writeJsonAtomic(path.join(cacheDir("bench", name), "plan.json"), { files: data.files, settings: SETTINGS, source: data.source });
      const r = await route.prepare();
      let kept = 0, found = 0;
      const runner: WorkloadRunner = {
        async run() {
          kept = 0; found = 0;
          for (const f of data.files) {
            const res = await r.particles(f);
            kept += res.dropped.kept;
            found += res.dropped.found;
          }
          runner.info = { ...runner.info, particlesKept: kept, particlesFound: found };
        },
        dispose: () => r.dispose(),
        items: { count: data.files.length, unit: "images" },
        info: { data: data.source, note: data.note, images: data.files.length, route: route.name },
      };
      return runner;
    },
    peer: {
      name: "scikit-image-otsu-watershed",
      command: [PYTHON, "bench/peers/particles_skimage.py", "--name", name],
      warmup: 1,
      unavailable: skimageMissing,
    },
  };
}

export const workloads: Workload[] = [particlesWorkload(OTSU_ROUTE), particlesWorkload(FILTER_ROUTE), particlesWorkload(MODEL_ROUTE)];
