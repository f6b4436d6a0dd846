// Taking a workstation down: stop it (the disk stays), or terminate every instance of it (duplicates
// included), first saving an image when asked, so nothing installed is lost. A failure says whether
// an instance is still billed; an image that was saved is kept and named.
import type { InstanceFacts, Snapshot, WorkstationSpec } from '../shared/workstation.js';
import { thenFix } from '../shared/fix-steps.js';
import { isLive, keeperOf } from './duplicates.js';
import { CloudRigError, toErrorInfo } from './errors.js';
import { untilStopped, waitFor } from './instance-wait.js';
import {
  DEFAULT_IMAGE_TIMEOUT_MS, DEFAULT_UP_TIMEOUT_MS, resourceName, type DownOptions, type Lifecycle, type OperationOptions,
} from './lifecycle-context.js';
import { POLL } from './poll-policy.js';
import type { CloudGateway } from './ports.js';

/**
 * Stops the instance and returns once it is stopped. A failure says whether the instance is
 * still billed; a wait that sees it terminated by someone else ends at once saying so.
 */
export async function stopWorkstation(lifecycle: Lifecycle, spec: WorkstationSpec, options: OperationOptions & { timeoutMs?: number }): Promise<Snapshot> {
  const { deps, fleet } = lifecycle;
  const gateway = deps.cloud.gateway(spec.region);
  const deadline = deps.clock.now() + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
  try {
    const instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
    if (!instance) {
      throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, { action: 'nothing-to-stop', name: spec.name });
    }
    fleet.of(spec.name).lastKnown = instance;
    if (instance.state === 'pending') {
      options.onStep?.({ id: 'pending', label: `Waiting for ${instance.instanceId} to finish starting` });
      await waitFor(lifecycle, spec, (s) => s.instance?.state !== 'pending', 'the instance to start', deadline, options, untilStopped(instance.instanceId));
    }
    if (instance.state !== 'stopped') {
      options.onStep?.({ id: 'stopping', label: `Stopping ${instance.instanceId}` });
      await gateway.stopInstance(instance.instanceId);
      fleet.of(spec.name).described = null;
    }
    return await waitFor(lifecycle, spec, (s) => s.instance?.state === 'stopped', 'the instance to stop', deadline, options, untilStopped(instance.instanceId));
  } catch (error) {
    if (error instanceof CloudRigError && (error.code === 'NoInstance' || error.code === 'InstanceInterrupted')) throw error;
    throw await lifecycle.failureSayingWhatIsBilled(spec, error);
  }
}

/**
 * Terminates the instance. With `saveImage`, first creates an image and waits until it is
 * available, so nothing installed is lost.
 */
export async function terminateWorkstation(lifecycle: Lifecycle, spec: WorkstationSpec, options: DownOptions): Promise<{ snapshot: Snapshot; imageId: string | null }> {
  const { deps, fleet } = lifecycle;
  const gateway = deps.cloud.gateway(spec.region);
  const deadline = deps.clock.now() + (options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS);
  const instances = await gateway.findWorkstationInstances(spec.name).catch(async (error: unknown) => {
    throw await lifecycle.failureSayingWhatIsBilled(spec, error);
  });
  const instance = keeperOf(instances);
  if (!instance) {
    await deps.ledger.clear(spec.name);
    throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, { action: 'nothing-to-stop', name: spec.name });
  }
  fleet.of(spec.name).lastKnown = instance;
  let imageId: string | null = null;
  /** Set once the image (if any) is available and termination starts: the image is then safe. */
  let terminating: string | null | undefined;
  try {
    if (options.saveImage && isLive(instance)) imageId = await saveImage(lifecycle, spec, gateway, instance, deadline, options);
    if (imageId !== null) await options.beforeTerminate?.(imageId, instance);
    // Every instance of the workstation, duplicates included: none may keep billing unseen.
    terminating = imageId;
    for (const each of instances.filter(isLive)) {
      lifecycle.setOperation(spec, 'terminating', { id: 'terminating', label: `Terminating ${each.instanceId}`, instanceId: each.instanceId }, options);
      await gateway.terminateInstance(each.instanceId);
    }
    // EC2 accepted every terminate: from here nothing is billed by the hour (an interrupt says so).
    options.onStep?.({ id: 'terminate-sent', label: `Waiting for ${instance.instanceId} to terminate`, instanceId: instance.instanceId });
    fleet.of(spec.name).described = null;
    await deps.ledger.clear(spec.name);
    // The instance's host key dies with it: the next launch pins its own.
    await deps.keys.forgetHostKeys(spec.name);
  } catch (error) {
    throw await lifecycle.failureSayingWhatIsBilled(spec, error, terminating ? `Image ${terminating} was saved and is kept; the instance was not terminated.` : '');
  } finally {
    fleet.of(spec.name).operation = null;
  }
  const snapshot = await waitFor(lifecycle, spec, (s) => s.instance === null, 'the instance to terminate', deadline, options);
  return { snapshot, imageId };
}

/**
 * Saves an image of the instance and waits until it is available. A rerun (after a crash or a
 * timeout) finds the image already saved from this instance by its source tag and waits for that
 * one instead of making a second; its snapshots are tagged once it is available.
 */
async function saveImage(lifecycle: Lifecycle, spec: WorkstationSpec, gateway: CloudGateway, instance: InstanceFacts, deadline: number, options: OperationOptions): Promise<string> {
  const existing = await gateway.findImageFrom(spec.name, instance.instanceId);
  let imageId: string;
  if (existing) {
    imageId = existing.imageId;
    lifecycle.setOperation(spec, 'imaging', { id: 'imaging', label: `Reusing image ${imageId} (${existing.state}) already saved from ${instance.instanceId}`, instanceId: instance.instanceId, imageId }, options);
  } else {
    // One name per instance: EC2 refuses a second image of a name, so a retried or rerun CreateImage
    // (it takes no idempotency token) can never leave two images of one instance.
    const imageName = `${resourceName(spec.name)}-${instance.instanceId}`;
    lifecycle.setOperation(spec, 'imaging', { id: 'imaging', label: `Saving image ${imageName}`, instanceId: instance.instanceId }, options);
    imageId = await gateway.createImage(instance.instanceId, imageName, spec.name);
  }
  lifecycle.setOperation(spec, 'imaging', { id: 'imaging-wait', label: `Waiting for ${imageId} to be available`, instanceId: instance.instanceId, imageId }, options);
  try {
    await waitForImage(lifecycle, gateway, spec.name, imageId, deadline, options);
    await gateway.tagImageSnapshots(imageId, spec.name);
  } catch (error) {
    // A failed image is gone already (waitForImage deleted it): nothing to review, only to retry.
    if (error instanceof CloudRigError && error.code === 'ImageFailed') throw error;
    const info = toErrorInfo(error);
    throw new CloudRigError(info.code, `Image ${imageId} was requested but is not confirmed available, so ${instance.instanceId} was not terminated: ${info.message}`,
      thenFix(info.fix, { action: 'review-image', name: spec.name, imageId }));
  }
  return imageId;
}

/**
 * Polls the image until it is available. Not the SDK's waitUntilImageAvailable: that waiter
 * retries on every error DescribeImages raises (access denied, a dead endpoint, a 400) until its
 * maximum wait, here up to an hour; this loop fails at once with the mapped error instead.
 */
async function waitForImage(lifecycle: Lifecycle, gateway: CloudGateway, name: string, imageId: string, deadline: number, options: OperationOptions): Promise<void> {
  const { clock } = lifecycle.deps;
  let delay: number = POLL.fast;
  for (;;) {
    const image = await gateway.describeImage(imageId);
    if (image?.state === 'available') return;
    if (image && (image.state === 'failed' || image.state === 'invalid' || image.state === 'error')) {
      // Deleted, or a retry would find it again (by its source tag, or by its name, which it keeps
      // while it exists) and wait on it instead of making a new one: the retry could never succeed.
      const deleted = await gateway.deleteImage(imageId).then(() => true, () => false);
      throw new CloudRigError('ImageFailed',
        `Image ${imageId} ended ${image.state}${deleted ? ', so CloudRig deleted it' : ''}; the instance was not terminated.`,
        deleted ? { action: 'retry-image', name } : thenFix({ action: 'retry-image', name }, { action: 'review-image', name, imageId }));
    }
    if (clock.now() >= deadline) {
      throw new CloudRigError('Timeout', `Image ${imageId} is not available yet; the instance was not terminated.`, { action: 'wait-for-image', name });
    }
    await clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, POLL.slowest);
  }
}
