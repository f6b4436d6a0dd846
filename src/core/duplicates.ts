import type { ErrorInfo, InstanceFacts, Snapshot } from '../shared/workstation.js';
import { byText } from '../shared/text-order.js';

/** States in which an instance is (or can again be) billed: more than one of these is a duplicate. */
const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

/** Whether the instance counts as the workstation's (not on its way out). */
export function isLive(instance: InstanceFacts): boolean {
  return LIVE.has(instance.state);
}

/**
 * Orders instances so the one to keep comes first: live before terminating, then the oldest launch,
 * then the smaller id. Every process applies the same order to the same facts, so two machines that
 * both launched agree on which one stays (the older) and which terminates itself.
 */
export function byKeepOrder(a: InstanceFacts, b: InstanceFacts): number {
  return Number(!isLive(a)) - Number(!isLive(b))
    || byText(a.launchedAt ?? '', b.launchedAt ?? '')
    || byText(a.instanceId, b.instanceId);
}

/** The instance that represents the workstation: the one kept when there are several. */
export function keeperOf(instances: readonly InstanceFacts[]): InstanceFacts | null {
  return [...instances].sort(byKeepOrder)[0] ?? null;
}

/** Every live instance, in keep order, when there is more than one; otherwise empty. */
export function duplicatesOf(instances: readonly InstanceFacts[]): InstanceFacts[] {
  const live = instances.filter(isLive).sort(byKeepOrder);
  return live.length > 1 ? live : [];
}

/** The error a surface shows for a workstation with more than one live instance, naming each. */
export function duplicatesError(snapshot: Pick<Snapshot, 'name' | 'duplicates'>): ErrorInfo | null {
  const duplicates = snapshot.duplicates ?? [];
  if (duplicates.length < 2) return null;
  const list = duplicates.map((i) => `${i.instanceId} (${i.state}${i.launchedAt ? `, launched ${i.launchedAt}` : ''})`).join(', ');
  return {
    code: 'DuplicateInstances',
    message: `Workstation ${snapshot.name} has ${duplicates.length} instances, each billed: ${list}.`,
    fix: { action: 'terminate-duplicates', name: snapshot.name, keep: duplicates[0]!.instanceId },
  };
}

/**
 * EC2's words for a spot instance AWS took back: the state reasons (`Server.SpotInstanceShutdown`,
 * `Server.SpotInstanceTermination`) and the spot request's status codes
 * (`instance-terminated-by-price`, `instance-stopped-no-capacity`, …).
 */
const SPOT_INTERRUPTION = /Server\.SpotInstance(Shutdown|Termination)|instance-(stopped|terminated|hibernated)-(by-spot|by-price|no-capacity|capacity-oversubscribed|launch-group-constraint)|Spot(Instance)?Interruption/i;

/** Whether an EC2 state reason says AWS took a spot instance back. */
export function isSpotInterruptionReason(reason: string | null): boolean {
  return reason !== null && SPOT_INTERRUPTION.test(reason);
}

/** EC2's state reason codes for an instance the spot market took back. */
export function isSpotInterruption(instance: InstanceFacts | null): boolean {
  if (!instance?.spot || !instance.stateReason) return false;
  return /Server\.SpotInstance(Shutdown|Termination)|instance-stopped-by-spot|Spot(Instance)?Interruption/i.test(instance.stateReason);
}

/**
 * What every surface says about an instance the spot market stopped: that AWS stopped it for
 * capacity, and that its persistent spot request starts it again by itself (starting it by hand is
 * refused by EC2 while the request holds it).
 */
export function spotInterruptionNotice(workstation: string): { readonly title: string; readonly body: string } {
  return {
    title: `${workstation} was stopped by AWS: the spot market took its capacity back`,
    body: 'Only its disk is billed now. It resumes by itself when its persistent spot request gets capacity again; nothing needs doing meanwhile.',
  };
}
