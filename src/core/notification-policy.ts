import type { Settings } from '../shared/settings.js';
import type { Snapshot } from '../shared/workstation.js';

/** What clicking a notification does. */
export type NotificationAction = 'open-terminal' | 'show-popover';

/** A native notification to raise. `key` is unique per event, so the same event is never shown twice. */
export interface NotificationModel {
  readonly key: string;
  readonly kind: 'running' | 'ready' | 'stopped' | 'terminated' | 'error';
  readonly title: string;
  readonly body: string;
  readonly action: NotificationAction;
}

/** Which run of which instance a snapshot is about: a stop and start is a new run. */
function runOf(snapshot: Snapshot): string {
  return `${snapshot.instance?.instanceId ?? 'none'}@${snapshot.instance?.launchedAt ?? ''}`;
}

function sameError(a: Snapshot, b: Snapshot): boolean {
  return a.error?.code === b.error?.code && a.error?.message === b.error?.message;
}

/**
 * The notification (if any) for the change from `prev` to `next`.
 *
 * - No `prev` means the app has just started (or switched workstation): that first snapshot is a
 *   baseline, never news, so a restart does not repeat what was already shown.
 * - Only a change of phase (or of error) raises anything, so repeated snapshots never do.
 * - Running then ready in one poll raises only "ready".
 * - `settings` words the stop notice when the idle auto-stop did it.
 */
export function notificationPolicy(prev: Snapshot | null, next: Snapshot, now: number, settings: Settings): NotificationModel | null {
  if (!prev || prev.name !== next.name) return null;
  const name = next.name;

  // An `Aborted` error is the user changing their mind (Stop during a Start's wait): not news.
  if (next.error && next.error.code !== 'Aborted' && !sameError(prev, next)) {
    return {
      key: `error:${name}:${next.error.code}:${now}`,
      kind: 'error',
      title: `${name}: ${next.error.message}`,
      body: next.error.fix,
      action: 'show-popover',
    };
  }
  if (prev.phase === next.phase) return null;

  const run = runOf(next);
  const where = `${next.instanceType} in ${next.region}`;
  switch (next.phase) {
    case 'running':
      if (prev.phase !== 'pending' && prev.phase !== 'launching' && prev.phase !== 'stopped' && prev.phase !== 'absent') return null;
      return {
        key: `running:${name}:${run}`,
        kind: 'running',
        title: `${name} is running`,
        body: `${where} is billed from now. Waiting for ssh to answer…`,
        action: 'show-popover',
      };
    case 'ready':
      return {
        key: `ready:${name}:${run}`,
        kind: 'ready',
        title: `${name} is ready for ssh`,
        body: `${where}. Click to open a terminal on it.`,
        action: 'open-terminal',
      };
    case 'stopped': {
      if (prev.phase === 'absent' || prev.phase === 'error') return null;
      const autoStop = settings.workstations[name]?.autoStop;
      const byItself = next.instance?.stateReason?.includes('InstanceInitiatedShutdown') ?? false;
      return {
        key: `stopped:${name}:${run}`,
        kind: 'stopped',
        title: `${name} stopped`,
        body: byItself && autoStop?.enabled
          ? `It stopped itself after ${autoStop.idleMinutes} idle minutes. Only its disk is billed now.`
          : 'Compute is no longer billed; only its disk is, until you terminate it.',
        action: 'show-popover',
      };
    }
    case 'absent':
      if (prev.phase !== 'terminating' && prev.phase !== 'imaging') return null;
      return {
        key: `terminated:${name}:${runOf(prev)}`,
        kind: 'terminated',
        title: `${name} terminated`,
        body: 'Nothing of it is billed any more. Start launches a fresh instance.',
        action: 'show-popover',
      };
    default:
      return null;
  }
}
