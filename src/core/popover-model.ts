import { duplicatesError } from './duplicates.js';
import type { Settings } from '../shared/settings.js';
import type { AppView, ReminderView, WorkstationView } from '../shared/views.js';
import type { Snapshot } from '../shared/workstation.js';
import {
  autoStopText,
  hourlyDetail,
  hourlyText,
  monthDetail,
  monthText,
  priceSourceLabel,
  priceUnknownText,
  sessionText,
  stillCostingView,
  type CostFacts,
} from './cost-view.js';
import { formatDuration } from './format.js';
import { ingressWarning } from './ingress.js';
import {
  canCopySsh,
  canStart,
  canStop,
  canTerminate,
  offlineOf,
  PHASE_LABELS,
  progressOf,
  toneOf,
  uptimeMs,
} from './phase-view.js';
import { SNOOZE_HOURS, type Reminder } from './reminder-policy.js';
import { archivedDetail } from './archived-image.js';

/** The badge once the setup script failed on a box that otherwise answers ssh. */
export const SETUP_FAILED_LABEL = 'Setup failed';

/** Whether the "still costing you" list belongs on screen: nothing runs, but things may be kept. */
export function showsStillCosting(snapshot: Snapshot): boolean {
  return snapshot.phase === 'stopped' || snapshot.phase === 'absent';
}

/** The popover's view of one workstation at `now`. */
export function workstationView(snapshot: Snapshot, settings: Settings, now: number, cost: CostFacts | null = null): WorkstationView {
  const { phase, instance } = snapshot;
  const uptime = uptimeMs(snapshot, now);
  const spec = settings.workstations[snapshot.name];
  const stop = canStop(snapshot) || phase === 'launching';
  const offline = offlineOf(snapshot, now);
  // The worst current fact wins the badge: a failed setup script beats "Ready for ssh".
  const setupFailed = snapshot.setupFailure !== undefined && (phase === 'ready' || phase === 'running');
  return {
    name: snapshot.name,
    region: snapshot.region,
    instanceType: snapshot.instanceType,
    phase,
    phaseLabel: offline ? `${PHASE_LABELS[phase].replace(/…$/, '')} (${offline.label})` : setupFailed ? SETUP_FAILED_LABEL : PHASE_LABELS[phase],
    tone: setupFailed ? 'bad' : toneOf(phase),
    detail: offline
      ? (offline.ageMs === null
        ? 'AWS cannot be reached, so the state is not known yet. CloudRig looks again when the network is back.'
        : 'AWS cannot be reached: this is the last state it reported. CloudRig looks again when the network is back.')
      : (snapshot.step?.label ?? archivedDetail(phase, spec)),
    progress: progressOf(phase),
    instanceId: instance?.instanceId ?? null,
    address: spec?.sshHost ?? instance?.publicDns ?? instance?.publicIp ?? null,
    spot: instance?.spot ?? spec?.spot ?? false,
    uptime: uptime === null ? null : formatDuration(uptime),
    hourly: hourlyText(cost),
    hourlySource: priceSourceLabel(cost),
    hourlyDetail: hourlyDetail(cost),
    session: sessionText(snapshot, cost, now),
    priceUnknown: priceUnknownText(cost),
    month: monthText(cost),
    monthDetail: monthDetail(cost),
    stillCosting: showsStillCosting(snapshot) ? stillCostingView(cost?.stillCosting, instance !== null) : null,
    autoStop: autoStopText(snapshot, settings, cost?.idle, now),
    sshCommand: canCopySsh(snapshot) ? snapshot.sshCommand : null,
    primary: stop
      ? { action: 'stop', label: 'Stop', enabled: canStop(snapshot) }
      : { action: 'start', label: instance === null ? 'Launch' : 'Start', enabled: canStart(snapshot) },
    canCopy: canCopySsh(snapshot),
    canOpenTerminal: canCopySsh(snapshot) && phase === 'ready',
    canTerminate: canTerminate(snapshot),
    // A second live instance is an error the user must see, with every id (each is billed).
    error: snapshot.error ?? duplicatesError(snapshot),
    ingressWarning: ingressWarning(spec),
  };
}

/**
 * The reminder the popover offers Stop now / Snooze for: only while that workstation's instance
 * runs (once it stopped, the question is moot).
 */
export function reminderView(reminder: Reminder | null, snapshot: Snapshot | null): ReminderView | null {
  if (!reminder || !snapshot || reminder.workstation !== snapshot.name || reminder.actions.length === 0) return null;
  if (snapshot.instance?.state !== 'running') return null;
  return {
    id: reminder.id,
    title: reminder.title,
    body: reminder.body,
    canStop: reminder.actions.includes('stop') && canStop(snapshot),
    canSnooze: reminder.actions.includes('snooze'),
    snoozeLabel: `Snooze ${SNOOZE_HOURS} h`,
  };
}

/** The workstation the app shows: the `current` setting when it exists, else the first one, else null. */
export function currentWorkstation(settings: Settings): string | null {
  if (settings.current !== null && settings.workstations[settings.current]) return settings.current;
  return Object.keys(settings.workstations)[0] ?? null;
}

/** The whole popover: setup until a workstation exists, then that workstation (and any open reminder). */
export function appView(
  snapshot: Snapshot | null,
  settings: Settings,
  now: number,
  cost: CostFacts | null = null,
  notice: string | null = null,
  reminder: Reminder | null = null,
): AppView {
  const hasWorkstation = currentWorkstation(settings) !== null;
  const shown = hasWorkstation && snapshot ? snapshot : null;
  return {
    screen: hasWorkstation ? 'workstation' : 'setup',
    workstation: shown ? workstationView(shown, settings, now, cost) : null,
    notice,
    reminder: reminderView(reminder, shown),
  };
}
