import { describe, expect, it } from 'vitest';
import { notificationPolicy, reminderNotification } from '../../src/core/notification-policy.js';
import type { Reminder } from '../../src/core/reminder-policy.js';
import type { Phase, Snapshot } from '../../src/shared/workstation.js';
import { instanceIn, NOW, settingsWithGpu, snapshotIn, specOf } from './support/snapshots.js';
import type { ErrorInfo } from '../../src/shared/errors.js';

const settings = settingsWithGpu();

const PRICE = { hourlyUsd: 0.526 };

/** Feeds a run of snapshots through the policy as main does, collecting what would be shown. */
function shownFor(snapshots: readonly Snapshot[]): string[] {
  const shown = new Set<string>();
  const titles: string[] = [];
  let prev: Snapshot | null = null;
  for (const next of snapshots) {
    const notification = notificationPolicy(prev, next, NOW, settings, PRICE);
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
      expect(notificationPolicy(null, snapshotIn(phase, { error: phase === 'error' ? { code: 'Unexpected', message: 'm', fix: { action: 'report-bug' } } : null }), NOW, settings)).toBeNull();
    }
    // After a restart the app sees ready→ready: still nothing.
    expect(shownFor(phases('ready', 'ready'))).toEqual([]);
  });

  it('tells when it stopped', () => {
    expect(shownFor(phases('ready', 'stopping', 'stopped'))).toEqual(['gpu stopped']);
    expect(notificationPolicy(snapshotIn('stopping'), snapshotIn('stopped'), NOW, settings, PRICE)).toMatchObject({
      kind: 'stopped', body: 'Compute is no longer billed; only its disk is, until you terminate it.', buttons: [],
    });
  });

  it('announces a stop the idle watchdog made as a saving, once, and not also as a plain stop', () => {
    // EC2's StateReason code and StateTransitionReason, as the gateway joins them; the stop was 2 h ago.
    const reason = 'Client.InstanceInitiatedShutdown | User initiated (2026-11-27 08:00:00 GMT)';
    const stoppedItself = (phase: 'stopping' | 'stopped') => snapshotIn(phase, { instance: instanceIn(phase, { stateReason: reason }) });
    const notification = notificationPolicy(snapshotIn('ready'), stoppedItself('stopped'), NOW, settings, PRICE);
    expect(notification).toEqual({
      key: expect.stringMatching(/^stopped:gpu:/),
      kind: 'idle-stop',
      title: 'gpu stopped itself after 60 idle minutes',
      body: 'About $1.05 saved so far; it would have cost $0.53/h idling.',
      action: 'show-popover',
      buttons: [],
    });
    expect(shownFor([snapshotIn('ready'), stoppedItself('stopping'), stoppedItself('stopped'), stoppedItself('stopped')]))
      .toEqual(['gpu stopped itself after 60 idle minutes']);
  });

  it('words a just-seen idle stop by what each hour stopped saves, and is never an error', () => {
    const now = snapshotIn('stopped', { instance: instanceIn('stopped', { stateReason: 'Client.InstanceInitiatedShutdown | Client.InstanceInitiatedShutdown: Instance initiated shutdown' }) });
    const notification = notificationPolicy(snapshotIn('ready'), now, NOW, settings, PRICE);
    expect(notification).toMatchObject({ kind: 'idle-stop', body: 'Nobody was using it; every hour it stays stopped saves $0.53.' });
    expect(notificationPolicy(snapshotIn('ready'), now, NOW, settings, null)?.body).toBe('Nobody was using it, so it shut itself down.');
  });

  it('says the instance shut itself down when there is no idle auto-stop to credit', () => {
    const noAutoStop = settingsWithGpu({ workstations: { gpu: specOf({ autoStop: { enabled: false, idleMinutes: 60, gpuBusyPercent: 10 } }) } });
    const byItself = snapshotIn('stopped', { instance: instanceIn('stopped', { stateReason: 'Client.InstanceInitiatedShutdown' }) });
    expect(notificationPolicy(snapshotIn('ready'), byItself, NOW, noAutoStop, PRICE)).toMatchObject({ kind: 'stopped', title: 'gpu shut itself down' });
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

  it('shows an error once, with its fix worded for the app as the body', () => {
    const error: ErrorInfo = {
      code: 'VcpuLimitExceeded', message: 'Your vCPU quota is too low.',
      fix: { action: 'request-quota', region: 'us-east-1', quotaCode: 'L-DB2E81BA', quotaName: 'Running On-Demand G and VT instances', desired: 4 },
    };
    const failing = snapshotIn('error', { error });
    const notification = notificationPolicy(snapshotIn('launching'), failing, NOW, settings);
    expect(notification).toMatchObject({ kind: 'error', title: 'gpu: Your vCPU quota is too low.', body: expect.stringMatching(/^Request at least 4 vCPUs .*Settings → Account checks → Request/) });
    expect(notification?.body).not.toMatch(/rig |--/);
    expect(notificationPolicy(failing, { ...failing, observedAt: NOW + 1 }, NOW + 1, settings)).toBeNull();
  });

  it('shows an error that quotes the box with its escape sequences as text (a title cannot retitle or recolour anything)', () => {
    const error: ErrorInfo = { code: 'SshFailed', message: 'ssh to workstation gpu failed: \u001b]0;pwned\u0007\u001b[2J\u009b31mboom.', fix: { action: 'copy-by-hand', text: 'Check \u001b[31mit.' } };
    const notification = notificationPolicy(snapshotIn('ready'), snapshotIn('ready', { error }), NOW, settings);
    expect(notification?.title).toBe('gpu: ssh to workstation gpu failed: \\e]0;pwned\\x07\\e[2J\\x9b31mboom.');
    expect(notification?.body).toBe('Copy it by hand: Check \\e[31mit.');
  });

  it('stays quiet about a Stop aborting a Start (the user changed their mind)', () => {
    const aborted = snapshotIn('running', { error: { code: 'Aborted', message: 'Stopped waiting for ssh to answer.', fix: { action: 'retry', reason: 'aborted' } } });
    expect(notificationPolicy(snapshotIn('running'), aborted, NOW, settings)).toBeNull();
  });

  it('does not announce a running instance the app merely noticed when ssh stopped answering', () => {
    expect(notificationPolicy(snapshotIn('ready'), snapshotIn('running'), NOW, settings)).toBeNull();
  });
});

describe('reminderNotification', () => {
  const reminder: Reminder = {
    id: 'gpu:running:1764230400000:0', kind: 'running', workstation: 'gpu', title: 'gpu has been running for 2 h',
    body: '$1.05 so far at $0.53/h. Stop it if you are done.', actions: ['stop', 'snooze'], autoStop: false,
  };

  it('carries Stop now and Snooze 1 h as buttons, and clicking it opens the popover at those choices', () => {
    expect(reminderNotification(reminder)).toEqual({
      key: 'reminder:gpu:running:1764230400000:0',
      kind: 'reminder',
      title: 'gpu has been running for 2 h',
      body: '$1.05 so far at $0.53/h. Stop it if you are done.',
      action: 'show-reminder',
      buttons: [{ id: 'stop', label: 'Stop now' }, { id: 'snooze', label: 'Snooze 1 h' }],
    });
  });

  it('has no buttons when there is nothing to choose (a budget cap stopping the instance)', () => {
    const stopping = { ...reminder, id: 'gpu:budget:session:1:100', kind: 'budget' as const, title: 'Stopping gpu: budget reached', actions: [], autoStop: true };
    expect(reminderNotification(stopping)).toMatchObject({ action: 'show-popover', buttons: [] });
  });
});
