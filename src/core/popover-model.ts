import type { Settings } from '../shared/settings.js';
import type { AppView, WorkstationView } from '../shared/views.js';
import type { Snapshot } from '../shared/workstation.js';
import { formatDuration, formatHourly, formatUsd } from './format.js';
import { isBilledRunning } from './phase.js';
import {
  canCopySsh,
  canStart,
  canStop,
  canTerminate,
  PHASE_LABELS,
  progressOf,
  sessionCostUsd,
  toneOf,
  uptimeMs,
} from './phase-view.js';
import type { PriceFacts } from './tray-model.js';

/** The popover's view of one workstation at `now`. */
export function workstationView(snapshot: Snapshot, settings: Settings, now: number, price: PriceFacts | null = null): WorkstationView {
  const { phase, instance } = snapshot;
  const hourlyUsd = price?.hourlyUsd ?? null;
  const uptime = uptimeMs(snapshot, now);
  const session = sessionCostUsd(snapshot, hourlyUsd, now);
  const spec = settings.workstations[snapshot.name];
  const stop = canStop(snapshot) || phase === 'launching';
  return {
    name: snapshot.name,
    region: snapshot.region,
    instanceType: snapshot.instanceType,
    phase,
    phaseLabel: PHASE_LABELS[phase],
    tone: toneOf(phase),
    detail: snapshot.step?.label ?? null,
    progress: progressOf(phase),
    instanceId: instance?.instanceId ?? null,
    address: spec?.sshHost ?? instance?.publicDns ?? instance?.publicIp ?? null,
    spot: instance?.spot ?? spec?.spot ?? false,
    uptime: uptime === null ? null : formatDuration(uptime),
    hourly: hourlyUsd === null ? null : formatHourly(hourlyUsd),
    session: session === null || !isBilledRunning(phase) ? null : formatUsd(session),
    sshCommand: canCopySsh(snapshot) ? snapshot.sshCommand : null,
    primary: stop
      ? { action: 'stop', label: 'Stop', enabled: canStop(snapshot) }
      : { action: 'start', label: instance === null ? 'Launch' : 'Start', enabled: canStart(snapshot) },
    canCopy: canCopySsh(snapshot),
    canOpenTerminal: canCopySsh(snapshot) && phase === 'ready',
    canTerminate: canTerminate(snapshot),
    error: snapshot.error,
  };
}

/** The workstation the app shows: the `current` setting when it exists, else the first one, else null. */
export function currentWorkstation(settings: Settings): string | null {
  if (settings.current !== null && settings.workstations[settings.current]) return settings.current;
  return Object.keys(settings.workstations)[0] ?? null;
}

/** The whole popover: setup until a workstation exists, then that workstation. */
export function appView(snapshot: Snapshot | null, settings: Settings, now: number, price: PriceFacts | null = null, notice: string | null = null): AppView {
  const hasWorkstation = currentWorkstation(settings) !== null;
  return {
    screen: hasWorkstation ? 'workstation' : 'setup',
    workstation: hasWorkstation && snapshot ? workstationView(snapshot, settings, now, price) : null,
    notice,
  };
}
