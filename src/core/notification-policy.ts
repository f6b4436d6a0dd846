import type { Settings } from '../shared/settings.js';
import { appFix } from '../shared/app-fix-wording.js';
import { printable } from '../shared/untrusted-text.js';
import { runKey } from './run-key.js';
import type { Snapshot } from '../shared/workstation.js';
import { transitionTime } from './cost-meter.js';
import { duplicatesError, spotInterruptionNotice } from './duplicates.js';
import { idleStopNotice, instanceInitiatedStop } from './idle-watchdog.js';
import { SNOOZE_HOURS, type Reminder, type ReminderAction } from './reminder-policy.js';

/** What clicking a notification does: a reminder opens the popover at its Stop now / Snooze choices. */
export type NotificationAction = 'open-terminal' | 'show-popover' | 'show-reminder';

/** A button on the notification (macOS shows them; elsewhere the popover offers the same choices). */
export interface NotificationButton {
  readonly id: ReminderAction;
  readonly label: string;
}

/** A native notification to raise. `key` is unique per event, so the same event is never shown twice. */
export interface NotificationModel {
  readonly key: string;
  readonly kind: 'running' | 'ready' | 'stopped' | 'idle-stop' | 'terminated' | 'error' | 'reminder';
  readonly title: string;
  readonly body: string;
  readonly action: NotificationAction;
  readonly buttons: readonly NotificationButton[];
}

/** What the policy needs to know about price: the rate, for what an idle stop saves. */
export interface NotificationPrice {
  readonly hourlyUsd: number | null;
}

/** The labels of a reminder's buttons. */
export const REMINDER_BUTTON_LABELS: Readonly<Record<ReminderAction, string>> = {
  stop: 'Stop now',
  snooze: `Snooze ${SNOOZE_HOURS} h`,
  archive: 'Archive',
};

/** Which run of which instance a snapshot is about (`none` without one). */
function runOf(snapshot: Snapshot): string {
  return runKey(snapshot) ?? 'none';
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
 * - A stop the instance made itself (EC2: InstanceInitiatedShutdown) with idle auto-stop on is the
 *   watchdog's doing: it raises the idle-stop notice (what it saved), not a plain "stopped".
 */
export function notificationPolicy(
  prev: Snapshot | null,
  next: Snapshot,
  now: number,
  settings: Settings,
  price: NotificationPrice | null = null,
): NotificationModel | null {
  if (!prev || prev.name !== next.name) return null;
  const name = next.name;

  // An `Aborted` error is the user changing their mind (Stop during a Start's wait): not news.
  if (next.error && next.error.code !== 'Aborted' && !sameError(prev, next)) {
    return {
      key: `error:${name}:${next.error.code}:${now}`,
      kind: 'error',
      // The message may quote the box (what its sshd or a command said): shown as text, control characters escaped.
      title: printable(`${name}: ${next.error.message}`),
      body: printable(appFix(next.error.fix)),
      action: 'show-popover',
      buttons: [],
    };
  }
  // A second live instance appearing is billed unseen unless the user hears of it.
  const duplicates = duplicatesError(next);
  if (duplicates && !duplicatesError(prev)) {
    return {
      key: `duplicates:${name}:${(next.duplicates ?? []).map((i) => i.instanceId).join(',')}`,
      kind: 'error',
      title: `${name}: ${duplicates.message}`,
      body: appFix(duplicates.fix),
      action: 'show-popover',
      buttons: [],
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
        // After a spot interruption nobody here started it: say who did.
        title: prev.spotInterrupted ? `${name} is running again: AWS found spot capacity` : `${name} is running`,
        body: `${where} is billed from now. Waiting for ssh to answer…`,
        action: 'show-popover',
        buttons: [],
      };
    case 'ready':
      return {
        key: `ready:${name}:${run}`,
        kind: 'ready',
        title: `${name} is ready for ssh`,
        body: `${where}. Click to open a terminal on it.`,
        action: 'open-terminal',
        buttons: [],
      };
    case 'stopped': {
      if (prev.phase === 'absent' || prev.phase === 'error') return null;
      // One key per run whatever the wording, so an idle stop is never also announced as a plain stop.
      const key = `stopped:${name}:${run}`;
      if (next.spotInterrupted) {
        const notice = spotInterruptionNotice(name);
        return { key, kind: 'stopped', title: notice.title, body: notice.body, action: 'show-popover', buttons: [] };
      }
      if (instanceInitiatedStop(next.instance)) {
        const autoStop = settings.workstations[name]?.autoStop;
        if (autoStop?.enabled) {
          const notice = idleStopNotice({
            workstation: name,
            idleMinutes: autoStop.idleMinutes,
            hourlyUsd: price?.hourlyUsd ?? null,
            stoppedAt: Math.min(now, transitionTime(next.instance?.stateReason ?? null) ?? now),
            now,
          });
          return { key, kind: 'idle-stop', title: notice.title, body: notice.body, action: 'show-popover', buttons: [] };
        }
        return {
          key,
          kind: 'stopped',
          title: `${name} shut itself down`,
          body: 'It was shut down from inside the instance. Compute is no longer billed; only its disk is.',
          action: 'show-popover',
          buttons: [],
        };
      }
      return {
        key,
        kind: 'stopped',
        title: `${name} stopped`,
        body: 'Compute is no longer billed; only its disk is, until you terminate it.',
        action: 'show-popover',
        buttons: [],
      };
    }
    case 'absent':
      if (prev.phase !== 'terminating' && prev.phase !== 'imaging') return null;
      return {
        key: `terminated:${name}:${runOf(prev)}`,
        kind: 'terminated',
        title: `${name} terminated`,
        body: 'Nothing of it is billed any more. The next launch starts a fresh instance.',
        action: 'show-popover',
        buttons: [],
      };
    default:
      return null;
  }
}

/**
 * The notification for a reminder: its buttons are the reminder's actions (Stop now, Snooze 1 h);
 * clicking it opens the popover at the same choices, for platforms without notification buttons.
 */
export function reminderNotification(reminder: Reminder): NotificationModel {
  return {
    key: `reminder:${reminder.id}`,
    kind: 'reminder',
    title: reminder.title,
    body: reminder.body,
    action: reminder.actions.length > 0 ? 'show-reminder' : 'show-popover',
    buttons: reminder.actions.map((id) => ({ id, label: REMINDER_BUTTON_LABELS[id] })),
  };
}
