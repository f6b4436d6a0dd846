import { describe, expect, it } from 'vitest';
import { iconOf, offlineOf } from '../../src/core/phase-view.js';
import { offlinePollDelay, POLL, waitPollDelay } from '../../src/core/poll-policy.js';
import { workstationView } from '../../src/core/popover-model.js';
import { trayModel } from '../../src/core/tray-model.js';
import { defaultSettings } from '../../src/shared/settings.js';
import type { Phase } from '../../src/shared/workstation.js';
import { NOW, snapshotIn, specOf } from './support/snapshots.js';
import type { ErrorInfo } from '../../src/shared/errors.js';

const OFFLINE: ErrorInfo = { code: 'EndpointUnreachable', message: 'Could not reach AWS EC2 at https://ec2.us-east-1.amazonaws.com: ENOTFOUND.', fix: { action: 'retry', reason: 'network' } };
const settings = { ...defaultSettings(), workstations: { gpu: specOf() } };
const FIVE_MIN = 5 * 60_000;

/** What the core publishes when a refresh could not reach AWS: the last instance, observed `ago` ms before NOW. */
function offlineSnapshot(phase: Phase, ago = FIVE_MIN) {
  return snapshotIn(phase, { error: OFFLINE, observedAt: NOW - ago });
}

describe('offline: the last known state, with its age, never turned into stopped or absent', () => {
  for (const phase of ['ready', 'running', 'pending', 'stopped'] as const) {
    it(`a ${phase} workstation seen offline keeps its phase and says "offline, as of 5m ago"`, () => {
      const snapshot = offlineSnapshot(phase);
      expect(offlineOf(snapshot, NOW)).toEqual({ ageMs: FIVE_MIN, label: 'offline, as of 5m ago' });
      const view = workstationView(snapshot, settings, NOW);
      expect(view.phase).toBe(phase);
      expect(view.phaseLabel).toMatch(/\(offline, as of 5m ago\)$/);
      expect(view.detail).toContain('last state it reported');
      const tray = trayModel(snapshot, settings, NOW);
      expect(tray.menu[0]).toMatchObject({ kind: 'label', label: expect.stringMatching(/offline, as of 5m ago/) });
      expect(tray.tooltip).toContain('offline, as of 5m ago');
    });
  }

  it('a ready instance offline keeps the ready icon, the Stop action and its running cost in the tray', () => {
    const snapshot = offlineSnapshot('ready');
    expect(iconOf(snapshot)).toBe('ready');
    const tray = trayModel(snapshot, settings, NOW, null);
    expect(tray.icon).toBe('ready');
    expect(tray.menu[1]).toMatchObject({ action: 'stop', label: 'Stop', enabled: true });
    expect(tray.tooltip).toContain('up 1h12m');
    expect(tray.tooltip).not.toMatch(/Stopped|No instance/);
  });

  it('a running instance offline is shown running (tone busy, Stop offered), not stopped', () => {
    const view = workstationView(offlineSnapshot('running'), settings, NOW);
    expect(view.phaseLabel).toBe('Running, waiting for ssh (offline, as of 5m ago)');
    expect(view.primary).toMatchObject({ action: 'stop', enabled: true });
    expect(view.instanceId).toBe('i-0123456789abcdef0');
  });

  it('offline before AWS ever answered says the state is unknown (an error, never "stopped")', () => {
    const snapshot = snapshotIn('error', { instance: null, error: OFFLINE });
    expect(offlineOf(snapshot, NOW)).toEqual({ ageMs: null, label: 'offline, state unknown' });
    expect(workstationView(snapshot, settings, NOW).phaseLabel).toBe('Error (offline, state unknown)');
    expect(trayModel(snapshot, settings, NOW).icon).toBe('error');
  });

  it('an AWS refusal (not a network failure) is not "offline" and still shows as an error', () => {
    const refused = snapshotIn('ready', { error: { code: 'ExpiredCredentials', message: 'Your AWS credentials have expired.', fix: { action: 'configure-credentials', profile: null, problem: 'expired' } } });
    expect(offlineOf(refused, NOW)).toBeNull();
    expect(iconOf(refused)).toBe('error');
  });
});

describe('polling backs off while waiting and while offline', () => {
  it('a command waiting 15 minutes polls under 300 times; the first minute stays at half a second', () => {
    let polls = 0;
    for (let t = 0; t < 15 * 60_000; t += waitPollDelay(0, t)) polls += 1;
    expect(polls).toBeLessThan(300);
    expect(waitPollDelay(0, 30_000)).toBe(POLL.fast);
    expect(waitPollDelay(0, 14 * 60_000)).toBe(POLL.patient);
  });

  it('offline, the watcher waits longer after each failure, up to five minutes', () => {
    expect(offlinePollDelay(POLL.fast, 1)).toBe(POLL.slowest);
    expect(offlinePollDelay(POLL.fast, 2)).toBe(2 * POLL.slowest);
    expect(offlinePollDelay(POLL.steady, 1)).toBe(POLL.steady);
    expect(offlinePollDelay(POLL.steady, 3)).toBe(4 * POLL.steady);
    expect(offlinePollDelay(POLL.steady, 20)).toBe(5 * 60_000);
  });
});
