// Bringing a workstation up: start the stopped instance, or launch one when there is none (never a
// second), under the home's lock; then wait until it runs and ssh answers. A launch saves its
// ClientToken before RunInstances, so a retry, a crash and rerun, or a second process reuses it,
// and pins the host key it seeded before any probe.
import type { Snapshot, WorkstationSpec } from '../shared/workstation.js';
import { followAddressDrift } from './address-drift.js';
import { isSpotInterruption, keeperOf } from './duplicates.js';
import { seededPin, type SeededHostKey } from './host-keys.js';
import { untilRunning, waitFor } from './instance-wait.js';
import { ensureKeyPair } from './key-pair.js';
import { DEFAULT_UP_TIMEOUT_MS, resourceName, type Lifecycle, type OperationOptions, type UpOptions } from './lifecycle-context.js';
import type { CloudGateway } from './ports.js';
import { validateDisk } from './validate.js';
import { recordArchive, resolveLaunchImage } from './archived-image.js';
import { launchEnded } from './ended-launch.js';

/**
 * Starts the stopped instance, or launches one when there is none; waits until it runs and
 * (unless told not to) until ssh answers. Never launches a second instance.
 */
export async function bringUp(lifecycle: Lifecycle, spec: WorkstationSpec, options: UpOptions): Promise<Snapshot> {
  const { deps, fleet } = lifecycle;
  const deadline = deps.clock.now() + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
  const gateway = deps.cloud.gateway(spec.region);
  try {
    // Read again once the lock is held: a removal that held it may have taken the workstation away.
    await deps.locks.withLock(spec.name, (lockLost) => startOrLaunch(lifecycle, lifecycle.spec(spec.name), gateway, deadline, options, lockLost), {
      // The wait can last minutes (another launch waits for its instance): say what it waits for.
      onWait: () => options.onStep?.({ id: 'lock', label: `Waiting for another CloudRig process to finish with ${spec.name}` }),
    });
    lifecycle.setOperation(spec, null, { id: 'pending', label: 'Waiting for the instance to run' }, options);
    const watch = untilRunning(fleet.of(spec.name).lastKnown?.instanceId ?? null);
    let snapshot = await waitFor(lifecycle, spec, (s) => s.instance?.state === 'running', 'the instance to run', deadline, options, watch);
    if (options.waitSsh !== false) {
      options.onStep?.({ id: 'ssh', label: `Waiting for ssh on ${lifecycle.target(spec, snapshot.instance)?.host ?? 'the instance'}` });
      snapshot = await waitFor(lifecycle, spec, (s) => s.phase === 'ready', 'ssh to answer', deadline, options, untilRunning(snapshot.instance?.instanceId ?? null));
    }
    return snapshot;
  } catch (error) {
    fleet.of(spec.name).operation = null;
    const failure = await lifecycle.failureSayingWhatIsBilled(spec, error);
    lifecycle.publish(spec, fleet.of(spec.name).snapshot?.instance ?? null, failure.toInfo());
    throw failure;
  } finally {
    const workstation = fleet.of(spec.name);
    workstation.operation = null;
    workstation.launchedHere = null;
  }
}

/** For a workstation whose CIDR follows the public IP, re-admits the current address before anything starts. */
async function refreshIngress(lifecycle: Lifecycle, spec: WorkstationSpec, options: OperationOptions): Promise<WorkstationSpec> {
  if (!spec.ingressAuto) return spec;
  const drift = await followAddressDrift(lifecycle.deps, spec);
  if (drift.changed || drift.cidr === null) options.onStep?.({ id: 'ingress', label: drift.message });
  return drift.cidr === null ? spec : { ...spec, ingressCidr: drift.cidr };
}

async function startOrLaunch(lifecycle: Lifecycle, spec: WorkstationSpec, gateway: CloudGateway, deadline: number, options: OperationOptions, lockLost: AbortSignal): Promise<void> {
  spec = await refreshIngress(lifecycle, spec, options);
  let instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
  if (instance?.state === 'stopping') {
    options.onStep?.({ id: 'stopping', label: `Waiting for ${instance.instanceId} to finish stopping` });
    instance = (await waitFor(lifecycle, spec, (s) => s.instance?.state !== 'stopping', 'the instance to stop', deadline, options)).instance;
  }
  if (instance?.state === 'shutting-down') {
    options.onStep?.({ id: 'terminating', label: `Waiting for ${instance.instanceId} to finish terminating` });
    await waitFor(lifecycle, spec, (s) => s.instance === null, 'the old instance to terminate', deadline, options);
    instance = null;
  }
  if (instance?.state === 'stopped' && isSpotInterruption(instance)) {
    // Only the spot service may start it again (EC2 refuses StartInstances): wait for it instead.
    options.onStep?.({ id: 'spot-capacity', label: `${instance.instanceId} was stopped by AWS for spot capacity; waiting for its persistent spot request to get capacity and start it again` });
    return;
  }
  if (instance?.state === 'stopped') {
    lifecycle.setOperation(spec, 'pending', { id: 'starting', label: `Starting ${instance.instanceId}`, instanceId: instance.instanceId }, options);
    await gateway.startInstance(instance.instanceId);
    lifecycle.fleet.of(spec.name).described = null;
    return;
  }
  if (instance) {
    options.onStep?.({ id: 'found', label: `Found ${instance.instanceId} (${instance.state})`, instanceId: instance.instanceId });
    return;
  }
  await launch(lifecycle, spec, gateway, options, lockLost);
}

async function launch(lifecycle: Lifecycle, spec: WorkstationSpec, gateway: CloudGateway, options: OperationOptions, lockLost: AbortSignal): Promise<void> {
  const { deps } = lifecycle;
  lifecycle.setOperation(spec, 'launching', { id: 'prepare', label: 'Checking key pair and security group' }, options);
  await ensureKeyPair(deps.keys, gateway, spec.name, spec.instanceType);
  const group = await gateway.ensureSecurityGroup(spec.name, spec.ingressCidr, 22);
  lifecycle.setOperation(spec, 'launching', { id: 'image', label: 'Finding the image' }, options);
  const image = await resolveLaunchImage(gateway, spec);
  validateDisk(spec.diskGiB, image.minDiskGiB);
  // The token is saved before the call: a retry, a crash and rerun, or a second process reuses it.
  let record = await deps.ledger.get(spec.name);
  // A token whose instance EC2 reports terminated would only bring that instance back: a new one.
  if (!record || await launchEnded(gateway, record)) {
    record = { clientToken: deps.newId(), requestedAt: deps.clock.now(), instanceId: null };
    await deps.ledger.put(spec.name, record);
  }
  lifecycle.setOperation(spec, 'launching', { id: 'requesting', label: `Requesting a ${spec.instanceType}${spec.spot ? ' spot' : ''} instance from ${image.imageId} (${image.source})` }, options);
  // The host key is made for this token: a retry sends the same user data, a new launch a new key.
  const hostKeyFor = (clientToken: string): Promise<SeededHostKey | null> =>
    spec.seedHostKey !== false && deps.hostKeys ? deps.hostKeys.forLaunch(spec.name, clientToken) : Promise.resolve(null);
  let hostKey = await hostKeyFor(record.clientToken);
  const request = {
    workstation: spec.name,
    imageId: image.imageId,
    rootDeviceName: image.rootDeviceName,
    instanceType: spec.instanceType,
    keyName: resourceName(spec.name),
    securityGroupId: group.groupId,
    diskGiB: spec.diskGiB,
    spot: spec.spot,
  };
  const userData = (key: SeededHostKey | null): string | null => deps.userDataFor?.(spec, { hostKey: key }) ?? null;
  const onZoneTried = (zone: string, outcome: string): void =>
    options.onStep?.({ id: 'capacity', label: `${spec.instanceType}: ${outcome} in ${zone}; trying the next availability zone` });
  // Another process may have taken the lock over (this one could not refresh it): it must not launch too.
  lockLost.throwIfAborted();
  let instance = await gateway.runInstance({ ...request, clientToken: record.clientToken, userData: userData(hostKey) }, onZoneTried);
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    // The token belonged to a run that has since ended: EC2 answers with that old instance.
    record = { clientToken: deps.newId(), requestedAt: deps.clock.now(), instanceId: null };
    await deps.ledger.put(spec.name, record);
    hostKey = await hostKeyFor(record.clientToken);
    lockLost.throwIfAborted();
    instance = await gateway.runInstance({ ...request, clientToken: record.clientToken, userData: userData(hostKey) }, onZoneTried);
  }
  const workstation = lifecycle.fleet.of(spec.name);
  workstation.launchedHere = { instanceId: instance.instanceId, clientToken: record.clientToken, onStep: options.onStep };
  workstation.lastKnown = instance;
  await deps.ledger.put(spec.name, { ...record, instanceId: instance.instanceId });
  workstation.described = null;
  workstation.lastLaunch = { instanceId: instance.instanceId, fromSavedImage: image.source === 'saved' };
  // Launched from its archive image: the workstation is no longer archived.
  if (spec.archive?.imageId === image.imageId) recordArchive(deps.settings, spec.name, null, image.imageId);
  // Pinned before any probe: the first connection already checks the key. Without a seeded key
  // (an image without cloud-init) the old pin goes and the first connection takes the key, unverified.
  if (hostKey) await deps.keys.pinHostKeys(spec.name, seededPin(instance.instanceId, hostKey));
  else await deps.keys.forgetHostKeys(spec.name);
  lifecycle.setOperation(spec, 'pending', { id: 'pending', label: `Launched ${instance.instanceId}${hostKey ? '; its ssh host key is pinned' : ''}`, instanceId: instance.instanceId }, options);
}
