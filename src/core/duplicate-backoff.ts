// Two machines launched the same workstation: the newer launch backs off. A process terminates only
// an instance it launched itself (by instance id or its ClientToken), and only when it is not the
// one to keep (the oldest); both machines then end on the keeper, whose host key is pinned here.
import type { InstanceFacts, WorkstationSpec } from '../shared/workstation.js';
import { duplicatesOf } from './duplicates.js';
import { derivedPin } from './host-keys.js';
import type { WorkstationServiceDeps } from './lifecycle-context.js';
import type { CloudGateway } from './ports.js';
import type { Workstation } from './workstation.js';

/**
 * When this process launched one of several live instances of the workstation and it is not the
 * one to keep (the oldest), terminates it: of two machines that both launched, the newer backs
 * off, and both end on the older. Returns the instances as they now are.
 */
export async function resolveDuplicates(
  deps: WorkstationServiceDeps, workstation: Workstation, spec: WorkstationSpec, gateway: CloudGateway, instances: InstanceFacts[],
): Promise<InstanceFacts[]> {
  const mine = workstation.launchedHere;
  const duplicates = duplicatesOf(instances);
  if (!mine || duplicates.length < 2) return instances;
  // This run's launches: the one it was answered with, and any other its token made (a retried
  // RunInstances on an endpoint that ignores ClientToken launches again; EC2 reports the token).
  const ours = duplicates.filter((i) => i.instanceId === mine.instanceId || sameLaunch(i.clientToken, mine.clientToken));
  const keeper = duplicates[0]!;
  const extra = ours.filter((i) => i.instanceId !== keeper.instanceId);
  if (!ours.some((i) => i.instanceId === mine.instanceId) || extra.length === 0) return instances;
  for (const duplicate of extra) {
    mine.onStep?.({ id: 'duplicate', label: `Another launch of ${spec.name} came first (${keeper.instanceId}); terminating ${duplicate.instanceId}, the duplicate this run launched` });
    await gateway.terminateInstance(duplicate.instanceId);
    workstation.handedOver.set(duplicate.instanceId, keeper.instanceId);
  }
  workstation.launchedHere = null;
  const record = await deps.ledger.get(spec.name);
  if (record) await deps.ledger.put(spec.name, { ...record, instanceId: keeper.instanceId });
  await pinKeeper(deps, spec, keeper);
  return instances.map((i) => (extra.some((d) => d.instanceId === i.instanceId) ? { ...i, state: 'shutting-down' as const } : i));
}

/**
 * The pin this home holds is its own terminated duplicate's: replaced by the keeper's key, derived
 * from its ClientToken when EC2 reports one. Otherwise the old pin stays, and the first connection
 * to the keeper is refused at once with the command that forgets it (never a wait until the timeout).
 */
async function pinKeeper(deps: WorkstationServiceDeps, spec: WorkstationSpec, keeper: InstanceFacts): Promise<void> {
  if (spec.seedHostKey === false || !deps.hostKeys || !keeper.clientToken) return;
  await deps.keys.pinHostKeys(spec.name, await derivedPin(deps.hostKeys, spec.name, keeper.instanceId, keeper.clientToken));
}

/** Whether an instance's ClientToken is this launch's (or its per-subnet form, which keeps the first 36 characters). */
function sameLaunch(instanceToken: string | undefined, launchToken: string): boolean {
  return instanceToken !== undefined && instanceToken.slice(0, 36) === launchToken.slice(0, 36);
}
