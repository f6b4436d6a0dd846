import type { Phase, Snapshot } from '../shared/workstation.js';
import type { ProgressStep, Tone } from '../shared/views.js';
import { formatDuration } from './format.js';
import { isBilledRunning, isTransitional } from './phase.js';

/** What the user reads for each phase. */
export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  absent: 'No instance',
  launching: 'Launching…',
  pending: 'Starting…',
  running: 'Running, waiting for ssh…',
  ready: 'Ready for ssh',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  imaging: 'Saving image…',
  terminating: 'Terminating…',
  error: 'Error',
};

/** The tone of a phase: idle (nothing billed), busy (changing), good (usable), bad (needs you). */
export function toneOf(phase: Phase): Tone {
  if (phase === 'ready') return 'good';
  if (phase === 'error') return 'bad';
  return isTransitional(phase) ? 'busy' : 'idle';
}

/** Error codes that mean AWS could not be reached (network down, asleep, endpoint silent), not that it refused. */
const OFFLINE_CODES: ReadonlySet<string> = new Set(['EndpointUnreachable']);

/** What the surfaces say while AWS cannot be reached: the last known state and how old it is. */
export interface OfflineView {
  /** Milliseconds since AWS last answered; null when it never has (no state is known). */
  readonly ageMs: number | null;
  /** "offline, as of 5m ago" or "offline, state unknown". */
  readonly label: string;
}

/**
 * Whether the snapshot is an offline one, and the age of what it shows. Offline, a snapshot keeps
 * the last instance AWS reported (and that observation's time): a running instance stays running.
 */
export function offlineOf(snapshot: Snapshot, now: number): OfflineView | null {
  if (!snapshot.error || !OFFLINE_CODES.has(snapshot.error.code)) return null;
  if (snapshot.instance === null) return { ageMs: null, label: 'offline, state unknown' };
  const ageMs = Math.max(0, now - snapshot.observedAt);
  return { ageMs, label: `offline, as of ${formatDuration(ageMs)} ago` };
}

/** The tray icon for a snapshot; an error the user must act on wins over a steady phase. */
export type TrayIcon = 'stopped' | 'starting' | 'ready' | 'stopping' | 'error';

export function iconOf(snapshot: Snapshot | null): TrayIcon {
  if (!snapshot) return 'stopped';
  const { phase } = snapshot;
  // Offline with a known instance: show its last known phase, not an error (nor "stopped").
  const offlineWithState = snapshot.instance !== null && snapshot.error !== null && OFFLINE_CODES.has(snapshot.error.code);
  if (phase === 'error' || (snapshot.error && !offlineWithState && !isTransitional(phase))) return 'error';
  switch (phase) {
    case 'launching':
    case 'pending':
    case 'running':
      return 'starting';
    case 'ready':
      return 'ready';
    case 'stopping':
    case 'imaging':
    case 'terminating':
      return 'stopping';
    default:
      return 'stopped';
  }
}

const UP_STEPS = [
  { id: 'requesting', label: 'Requesting' },
  { id: 'pending', label: 'Pending' },
  { id: 'running', label: 'Running' },
  { id: 'ssh', label: 'SSH ready' },
] as const;

/** Steps already done when each phase of the way up is observed (the current one is next). */
const UP_DONE: Partial<Record<Phase, number>> = { launching: 0, pending: 1, running: 3 };

function steps(all: ReadonlyArray<{ id: string; label: string }>, done: number): ProgressStep[] {
  return all.map((step, index) => ({ ...step, state: index < done ? 'done' : index === done ? 'current' : 'todo' }));
}

/** The progress steps for a transition under way; null when the workstation is steady. */
export function progressOf(phase: Phase): ProgressStep[] | null {
  const up = UP_DONE[phase];
  if (up !== undefined) return steps(UP_STEPS, up);
  if (phase === 'stopping') return steps([{ id: 'stopping', label: 'Stopping' }, { id: 'stopped', label: 'Stopped' }], 0);
  if (phase === 'imaging') {
    return steps([{ id: 'imaging', label: 'Saving image' }, { id: 'terminating', label: 'Terminating' }, { id: 'terminated', label: 'Terminated' }], 0);
  }
  if (phase === 'terminating') return steps([{ id: 'terminating', label: 'Terminating' }, { id: 'terminated', label: 'Terminated' }], 0);
  return null;
}

/** Milliseconds this run of the instance has been billed, or null when it is not running. */
export function uptimeMs(snapshot: Snapshot, now: number): number | null {
  if (!isBilledRunning(snapshot.phase) || !snapshot.instance?.launchedAt) return null;
  const launched = Date.parse(snapshot.instance.launchedAt);
  return Number.isNaN(launched) ? null : Math.max(0, now - launched);
}

/** Compute cost of this run so far at an hourly rate (EC2 bills Linux by the second). */
export function sessionCostUsd(snapshot: Snapshot, hourlyUsd: number | null, now: number): number | null {
  const ms = uptimeMs(snapshot, now);
  if (ms === null || hourlyUsd === null) return null;
  // A started instance is billed at least one minute.
  return (hourlyUsd * Math.max(ms, 60_000)) / 3_600_000;
}

/** Whether the instance can be stopped now (a pending one is stopped once it runs). */
export function canStop(snapshot: Snapshot): boolean {
  return snapshot.phase === 'pending' || snapshot.phase === 'running' || snapshot.phase === 'ready';
}

/** Whether Start can be pressed now: start the stopped instance, or launch one. */
export function canStart(snapshot: Snapshot): boolean {
  return snapshot.phase === 'absent' || snapshot.phase === 'stopped' || snapshot.phase === 'error';
}

/** Whether Start would launch a new instance rather than start the existing one. */
export function wouldLaunch(snapshot: Snapshot): boolean {
  return snapshot.instance === null || snapshot.phase === 'absent';
}

/** Whether there is an instance to terminate and no other operation owns it. */
export function canTerminate(snapshot: Snapshot): boolean {
  if (snapshot.instance === null) return false;
  const { phase } = snapshot;
  return phase === 'pending' || phase === 'running' || phase === 'ready' || phase === 'stopping' || phase === 'stopped';
}

/** Whether the ssh command can be used now (copied; opened once ssh answers). */
export function canCopySsh(snapshot: Snapshot): boolean {
  return snapshot.sshCommand !== null && (snapshot.phase === 'running' || snapshot.phase === 'ready');
}
