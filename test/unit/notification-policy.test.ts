import { describe, expect, it } from 'vitest';
import { notificationPolicy } from '../../src/core/notification-policy.js';
import type { Phase, Snapshot } from '../../src/shared/workstation.js';
import { instanceIn, NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';

const settings = settingsWithGpu();

/** Feeds a run of snapshots through the policy as main does, collecting what would be shown. */
function shownFor(snapshots: readonly Snapshot[]): string[] {
  const shown = new Set<string>();
  const titles: string[] = [];
  let prev: Snapshot | null = null;
  for (const next of snapshots) {
    const notification = notificationPolicy(prev, next, NOW, settings);
    if (notification && !shown.has(notification.key)) {
      shown.add(notification.key);
      titles.push(notification.title);
    }
    prev = next;
  }
  return titles;
}

const phases = (...list: Phase[]): Snapshot[] => list.map((phase) => snapshotIn(phase));

describe('notificationPolicy', () => {
  it('tells when the instance runs and again when ssh answers, in a launch', () => {
    expect(shownFor(phases('absent', 'launching', 'pending', 'running', 'ready'))).toEqual(['gpu is running', 'gpu is ready for ssh']);
  });

  it('makes the ready notification open a terminal when clicked', () => {
    const notification = notificationPolicy(snapshotIn('running'), snapshotIn('ready'), NOW, settings);
    expect(notification).toMatchObject({ kind: 'ready', action: 'open-terminal', body: 'g4dn.xlarge in us-east-1. Click to open a terminal on it.' });
  });

  it('raises only "ready" when running and ready arrive in one poll', () => {
    expect(shownFor(phases('pending', 'ready'))).toEqual(['gpu is ready for ssh']);
  });

  it('never repeats itself on repeated snapshots', () => {
    expect(shownFor(phases('stopped', 'pending', 'pending', 'running', 'running', 'ready', 'ready', 'ready'))).toEqual(['gpu is running', 'gpu is ready for ssh']);
  });

  it('shows nothing for the first snapshot after a restart, whatever the phase', () => {
    for (const phase of ['ready', 'running', 'stopped', 'error'] as const) {
      expect(notificationPolicy(null, snapshotIn(phase, { error: phase === 'error' ? { code: 'X', message: 'm', fix: 'f' } : null }), NOW, settings)).toBeNull();
    }
    // After a restart the app sees ready→ready: still nothing.
    expect(shownFor(phases('ready', 'ready'))).toEqual([]);
  });

  it('tells when it stopped, and says so when the idle auto-stop did it', () => {
    expect(shownFor(phases('ready', 'stopping', 'stopped'))).toEqual(['gpu stopped']);
    const byItself = snapshotIn('stopped', { instance: instanceIn('stopped', { stateReason: 'Client.InstanceInitiatedShutdown' }) });
    expect(notificationPolicy(snapshotIn('ready'), byItself, NOW, settings)?.body).toBe('It stopped itself after 60 idle minutes. Only its disk is billed now.');
  });

  it('notifies a new run after a stop and start, keyed by that run', () => {
    const firstRun = snapshotIn('ready');
    const secondRun = snapshotIn('ready', { instance: instanceIn('ready', { launchedAt: new Date(NOW).toISOString() }) });
    const sequence = [snapshotIn('running'), firstRun, snapshotIn('stopping'), snapshotIn('stopped'), snapshotIn('pending'), secondRun];
    expect(shownFor(sequence)).toEqual(['gpu is ready for ssh', 'gpu stopped', 'gpu is ready for ssh']);
  });

  it('tells when the instance is gone after terminating', () => {
    expect(shownFor(phases('ready', 'imaging', 'terminating', 'absent'))).toEqual(['gpu terminated']);
  });

  it('shows an error once, with its fix as the body', () => {
    const error = { code: 'VcpuLimitExceeded', message: 'Your vCPU quota is too low.', fix: 'Request 4 vCPUs.' };
    const failing = snapshotIn('error', { error });
    const notification = notificationPolicy(snapshotIn('launching'), failing, NOW, settings);
    expect(notification).toMatchObject({ kind: 'error', title: 'gpu: Your vCPU quota is too low.', body: 'Request 4 vCPUs.' });
    expect(notificationPolicy(failing, { ...failing, observedAt: NOW + 1 }, NOW + 1, settings)).toBeNull();
  });

  it('stays quiet about a Stop aborting a Start (the user changed their mind)', () => {
    const aborted = snapshotIn('running', { error: { code: 'Aborted', message: 'Stopped waiting for ssh to answer.', fix: 'Run it again.' } });
    expect(notificationPolicy(snapshotIn('running'), aborted, NOW, settings)).toBeNull();
  });

  it('does not announce a running instance the app merely noticed when ssh stopped answering', () => {
    expect(notificationPolicy(snapshotIn('ready'), snapshotIn('running'), NOW, settings)).toBeNull();
  });
});
