import { skyPilotTask, type SkyPilotTask } from '../skypilot-task.js';
import type { CloudRigCore } from './cloudrig-core.js';

/**
 * The SkyPilot task for a workstation: its image resolved in its region exactly as a launch resolves
 * it (a parameter path or the newest saved image becomes the AMI id), and the project folder the
 * app pushes. Nothing is launched or changed.
 */
export async function exportSkyPilot(core: CloudRigCore, name: string | undefined, options: { readonly nodes: number; readonly gpus: string | null }): Promise<SkyPilotTask> {
  const spec = core.service.spec(name);
  const image = await core.cloud.gateway(spec.region).resolveImage(spec.image, spec.name, spec.preferSavedImage);
  const folder = core.settings.read().projectFolders[spec.name] ?? null;
  return skyPilotTask({ spec, imageId: image.imageId, folder, nodes: options.nodes, gpus: options.gpus });
}
