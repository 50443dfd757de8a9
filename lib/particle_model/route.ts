/**
 * A particle model as a route of the particle analysis (lib/particles/experiment.ts takes it as an
 * `InstanceSegmenter`): load it, label each image with it, free it. Built by the caller, so particle
 * analysis never imports the model that is trained on top of it.
 */
import { initBackend } from "../backend/index";
import { loadParticleModel } from "./load";
import { predictInstances } from "./predict";
import type { InstanceModelRoute } from "../particles/image_particles";

/** A loaded model ready to label images, with what the report says about it. */
export type ParticleModelRoute = InstanceModelRoute;

/**
 * Load `spec` ("bundled" or a `particles train` folder) for the analysis.
 * @throws Error naming the folder when it is not a particle model or its weights fail their sha256
 */
export async function particleModelRoute(spec: string): Promise<ParticleModelRoute> {
  await initBackend();
  const pm = loadParticleModel(spec);
  const name = spec === "bundled" ? "bundled" : pm.dir;
  return {
    segmenter: { name, instances: (file) => predictInstances(pm, file) },
    name, design: pm.manifest.decode.design ?? "boundary", steps: pm.manifest.step, fingerprint: pm.manifest.sha256,
    dispose: () => pm.dispose(),
  };
}
