import type { InstanceFacts, SavedImage, Step } from '../../shared/workstation.js';
import { isLive } from '../duplicates.js';
import { CloudRigError } from '../errors.js';
import { resourceName } from '../workstation-service.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** What AWS holds for a workstation about to be removed. */
export interface RemovalPlan {
  readonly name: string;
  readonly region: string;
  /** Its instances that are not terminated (shutting-down included: the group waits for them). */
  readonly instances: readonly InstanceFacts[];
  readonly images: readonly SavedImage[];
}

/** What to do with what the workstation holds: each must be said when there is some. */
export interface RemovalChoices {
  /** Terminate its instance (and any duplicate): its disk is deleted. */
  readonly terminate: boolean;
  /** Its saved images: deleted (with their snapshots), kept in AWS, or not said. */
  readonly images: 'delete' | 'keep' | null;
  readonly onStep?: (step: Step) => void;
}

/** What a removal did. */
export interface Removal {
  readonly name: string;
  readonly terminated: readonly string[];
  readonly deletedImages: readonly string[];
  readonly keptImages: readonly string[];
  /** What was deleted in AWS besides instances and images (the key pair, the security group), by name. */
  readonly deleted: readonly string[];
}

/** Asks AWS what the workstation holds (its instances and saved images); an unknown name lists the known ones. */
export async function removalPlan(core: CloudRigCore, name: string): Promise<RemovalPlan> {
  const spec = core.service.spec(name);
  const gateway = core.cloud.gateway(spec.region);
  const [instances, images] = await Promise.all([gateway.findWorkstationInstances(spec.name), gateway.listImages(spec.name)]);
  return { name: spec.name, region: spec.region, instances, images };
}

/** The refusal for a plan the choices do not cover, or null when they cover it. */
export function uncoveredRemoval(plan: RemovalPlan, choices: Pick<RemovalChoices, 'terminate' | 'images'>): CloudRigError | null {
  // One already shutting down needs no say: the removal waits for it to end.
  const live = plan.instances.filter(isLive);
  if (live.length > 0 && !choices.terminate) {
    const list = live.map((i) => `${i.instanceId} (${i.state})`).join(', ');
    return new CloudRigError('WorkstationInUse', `Workstation ${plan.name} still has ${live.length === 1 ? 'an instance' : 'instances'} in ${plan.region}: ${list}; nothing was removed.`,
      { action: 'settle-before-removal', name: plan.name, holds: 'instance' });
  }
  if (plan.images.length > 0 && choices.images === null) {
    const list = plan.images.map((image) => image.imageId).join(', ');
    return new CloudRigError('WorkstationInUse', `Workstation ${plan.name} has ${plan.images.length} saved image${plan.images.length === 1 ? '' : 's'} in ${plan.region} (${list}); nothing was removed.`,
      { action: 'settle-before-removal', name: plan.name, holds: 'images' });
  }
  return null;
}

/**
 * Removes a workstation: its instances terminated and its images deleted or kept as chosen (refused
 * when a choice is missing), then its key pair and security group deleted in AWS, then everything
 * this machine keeps for it. Each step passes over what is already gone, and this machine's
 * settings go last, so a removal that was interrupted is finished by running it again.
 *
 * It holds the workstation's launch lock throughout, and is refused at once while another process
 * holds it: a launch in flight has made its key pair and group and is about to start an instance
 * that a removal would leave billed with no workstation to end it.
 */
export async function removeWorkstation(core: CloudRigCore, name: string, choices: RemovalChoices): Promise<Removal> {
  const spec = core.service.spec(name);
  let held = false;
  try {
    return await core.locks.withLock(spec.name, () => {
      held = true;
      return removeHoldingLock(core, spec.name, choices);
    }, { wait: false });
  } catch (error) {
    if (held || !(error instanceof CloudRigError && error.code === 'Busy')) throw error;
    throw new CloudRigError('Busy', `Workstation ${spec.name} is being started or launched by another CloudRig process; nothing was removed.`,
      { action: 'retry', reason: 'busy' });
  }
}

async function removeHoldingLock(core: CloudRigCore, name: string, choices: RemovalChoices): Promise<Removal> {
  const plan = await removalPlan(core, name);
  const refusal = uncoveredRemoval(plan, choices);
  if (refusal) throw refusal;
  const gateway = core.cloud.gateway(plan.region);
  const step = (id: string, label: string): void => choices.onStep?.({ id, label });
  // Terminates the live ones (allowed above) and waits until every one has ended: the group is free then.
  if (plan.instances.length > 0) {
    await core.service.down(plan.name, { saveImage: false, onStep: choices.onStep }).catch((error: unknown) => {
      // Ended meanwhile (it was shutting down, or someone else terminated it): the goal holds.
      if (!(error instanceof CloudRigError && error.code === 'NoInstance')) throw error;
    });
  }
  const deletedImages: string[] = [];
  if (choices.images === 'delete') {
    for (const image of plan.images) {
      step('delete-image', `Deleting image ${image.imageId} and its snapshots`);
      await gateway.deleteImage(image.imageId);
      deletedImages.push(image.imageId);
    }
  }
  const deleted: string[] = [];
  const resource = resourceName(plan.name);
  step('key-pair', `Deleting key pair ${resource}`);
  await gateway.deleteKeyPair(resource);
  deleted.push(`key pair ${resource}`);
  step('security-group', `Deleting security group ${resource}`);
  if (await gateway.deleteSecurityGroup(plan.name)) deleted.push(`security group ${resource}`);
  step('local', 'Forgetting its settings, key and host-key pins here');
  await core.service.forget(plan.name);
  // CloudRig's ssh config lists each saved workstation: its Host block goes with it.
  await core.sshConfig.sync();
  return {
    name: plan.name,
    terminated: plan.instances.map((i) => i.instanceId),
    deletedImages,
    keptImages: choices.images === 'delete' ? [] : plan.images.map((image) => image.imageId),
    deleted,
  };
}
