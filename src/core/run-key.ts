import type { InstanceFacts, Snapshot } from '../shared/workstation.js';

/**
 * Which run of which instance: the instance and when it was launched, so a stop and start is a
 * new run. The one key for runs used by readiness, idle probes, reminders and notifications.
 */
export function instanceRunKey(instance: Pick<InstanceFacts, 'instanceId' | 'launchedAt'>): string {
  return `${instance.instanceId}@${instance.launchedAt ?? ''}`;
}

/** The run a snapshot is about, null when it has no instance. */
export function runKey(snapshot: Pick<Snapshot, 'instance'>): string | null {
  return snapshot.instance === null ? null : instanceRunKey(snapshot.instance);
}
