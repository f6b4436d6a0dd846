import { describe, expect, it } from 'vitest';
import { formatDuration, formatEnteredUsd, formatHourly, formatUsd } from '../../src/core/format.js';
import { trayModel, type TrayMenuItem, type TrayModel } from '../../src/core/tray-model.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { PHASES, type Phase } from '../../src/shared/workstation.js';
import { NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';
import type { ErrorInfo } from '../../src/shared/errors.js';

const PRICE = { hourlyUsd: 0.526 };
/** What the cost meter answers for the run of snapshotIn('ready'): its own session figure, and the month. */
const METERED = { hourlyUsd: 0.526, priceSource: 'bundled', market: 'on-demand', sessionUsd: 0.7, monthUsd: 4.2, monthComplete: true } as const;

function item(model: TrayModel, action: string): Extract<TrayMenuItem, { kind: 'action' | 'checkbox' }> {
  const found = model.menu.find((entry) => (entry.kind === 'action' || entry.kind === 'checkbox') && entry.action === action);
  if (!found || (found.kind !== 'action' && found.kind !== 'checkbox')) throw new Error(`no ${action} item`);
  return found;
}

function enabled(model: TrayModel): string[] {
  return model.menu.flatMap((entry) => (entry.kind === 'action' && entry.enabled ? [entry.action] : []));
}

describe('trayModel', () => {
  it('shows the hourly rate, uptime and session cost in the macOS title while the instance is billed', () => {
    const model = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, PRICE);
    // Without a cost meter the session is rate × uptime: 72 minutes at $0.526/h.
    expect(model.title).toBe('$0.53/h · 1h12m · $0.63');
    expect(model.icon).toBe('ready');
    expect(model.tooltip).toBe('CloudRig: gpu (g4dn.xlarge, us-east-1): Ready for ssh · $0.53/h · up 1h12m · this session $0.63');
  });

  it('shows the cost meter\'s session and month, and says where the price comes from', () => {
    const model = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, METERED);
    expect(model.title).toBe('$0.53/h · 1h12m · $0.70');
    expect(model.tooltip).toBe('CloudRig: gpu (g4dn.xlarge, us-east-1): Ready for ssh · $0.53/h (bundled price) · up 1h12m · this session $0.70 · this month $4.20');
    const spot = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, { ...METERED, hourlyUsd: 0.2104, priceSource: 'live', market: 'spot' });
    expect(spot.tooltip).toContain('· $0.21/h (spot · live price) ·');
  });

  it('shows uptime alone when the price is not known, and nothing when stopped but the month in the tooltip', () => {
    expect(trayModel(snapshotIn('running'), settingsWithGpu(), NOW, null).title).toBe('1h12m');
    const stopped = trayModel(snapshotIn('stopped'), settingsWithGpu(), NOW, { ...METERED, sessionUsd: 0 });
    expect(stopped.title).toBe('');
    expect(stopped.tooltip).toBe('CloudRig: gpu (g4dn.xlarge, us-east-1): Stopped · this month $4.20');
  });

  it('leaves the session out until the cost meter has answered', () => {
    const model = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, { hourlyUsd: 0.526, sessionUsd: null });
    expect(model.title).toBe('$0.53/h · 1h12m');
  });

  it('offers Start when stopped, and only the actions that make sense', () => {
    const model = trayModel(snapshotIn('stopped'), settingsWithGpu(), NOW, PRICE);
    expect(item(model, 'start')).toMatchObject({ label: 'Start', enabled: true });
    expect(enabled(model)).toEqual(['start', 'save-and-terminate', 'terminate', 'show-popover', 'settings', 'quit']);
  });

  it('offers Stop, copy and terminal once ssh answers', () => {
    const model = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, PRICE);
    expect(item(model, 'stop')).toMatchObject({ label: 'Stop', enabled: true });
    expect(enabled(model)).toEqual(['stop', 'copy-ssh', 'open-terminal', 'save-and-terminate', 'terminate', 'show-popover', 'settings', 'quit']);
  });

  it('lets the ssh command be copied but not opened while ssh is not answering yet', () => {
    const model = trayModel(snapshotIn('running'), settingsWithGpu(), NOW, PRICE);
    expect(item(model, 'copy-ssh')).toMatchObject({ enabled: true });
    expect(item(model, 'open-terminal')).toMatchObject({ enabled: false });
    expect(model.icon).toBe('starting');
  });

  it('says Start launches a new instance when there is none', () => {
    const model = trayModel(snapshotIn('absent'), settingsWithGpu(), NOW, PRICE);
    expect(item(model, 'start')).toMatchObject({ label: 'Start (launch a new instance)', enabled: true });
    expect(item(model, 'terminate')).toMatchObject({ enabled: false });
    expect(model.icon).toBe('stopped');
  });

  it('disables Start/Stop while an operation owns the instance', () => {
    for (const phase of ['launching', 'stopping', 'imaging', 'terminating'] as const) {
      const model = trayModel(snapshotIn(phase), settingsWithGpu(), NOW, PRICE);
      const primary = model.menu[1];
      expect(primary, phase).toMatchObject({ kind: 'action', enabled: false });
      expect(item(model, 'terminate')).toMatchObject({ enabled: phase === 'stopping' });
    }
  });

  it('shows the error icon and message when AWS said no, and still offers Start', () => {
    const error: ErrorInfo = { code: 'VcpuLimitExceeded', message: 'Your vCPU quota is too low.', fix: { action: 'request-quota', region: 'us-east-1', quotaCode: 'L-DB2E81BA', quotaName: 'Running On-Demand G and VT instances', desired: 4 } };
    const model = trayModel(snapshotIn('error', { error }), settingsWithGpu(), NOW, PRICE);
    expect(model.icon).toBe('error');
    expect(model.tooltip).toContain('Your vCPU quota is too low.');
    expect(item(model, 'start')).toMatchObject({ enabled: true });
  });

  it('shows an error that quotes the box in the tooltip with its control characters escaped', () => {
    const error: ErrorInfo = { code: 'SshFailed', message: 'ssh failed: \u001b]0;pwned\u0007\u009b2J\u202Egnp.exe', fix: { action: 'check-workstation-answers', name: 'gpu' } };
    const { tooltip } = trayModel(snapshotIn('ready', { error }), settingsWithGpu(), NOW, PRICE);
    expect(tooltip).toContain('ssh failed: \\e]0;pwned\\x07\\x9b2J\\u202egnp.exe');
    // eslint-disable-next-line no-control-regex
    expect(tooltip).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('shows the error icon for an error on a stopped instance, but not over a transition', () => {
    // (Offline is not such an error: the last known phase stays, see offline-view.test.ts.)
    const error: ErrorInfo = { code: 'ExpiredCredentials', message: 'Your AWS credentials have expired.', fix: { action: 'configure-credentials', profile: null, problem: 'expired' } };
    expect(trayModel(snapshotIn('stopped', { error }), settingsWithGpu(), NOW).icon).toBe('error');
    expect(trayModel(snapshotIn('pending', { error }), settingsWithGpu(), NOW).icon).toBe('starting');
  });

  it('maps every phase to one of the five tray icons', () => {
    const icons = Object.fromEntries(PHASES.map((phase: Phase) => [phase, trayModel(snapshotIn(phase), settingsWithGpu(), NOW).icon]));
    expect(icons).toEqual({
      absent: 'stopped', launching: 'starting', pending: 'starting', running: 'starting', ready: 'ready',
      stopping: 'stopping', stopped: 'stopped', imaging: 'stopping', terminating: 'stopping', error: 'error',
    });
  });

  it('invites setting up a workstation on first run', () => {
    const model = trayModel(null, defaultSettings(), NOW);
    expect(model.tooltip).toBe('CloudRig: no workstation set up yet');
    expect(item(model, 'settings')).toMatchObject({ label: 'Set up a workstation…', enabled: true });
    expect(enabled(model)).toEqual(['show-popover', 'settings', 'quit']);
  });

  it('reflects the start-at-login setting as a checkbox', () => {
    expect(item(trayModel(snapshotIn('stopped'), settingsWithGpu({ startAtLogin: true }), NOW), 'toggle-start-at-login')).toMatchObject({ checked: true });
    expect(item(trayModel(snapshotIn('stopped'), settingsWithGpu(), NOW), 'toggle-start-at-login')).toMatchObject({ checked: false });
  });
});

describe('formatting', () => {
  it('writes durations the way a menu bar has room for', () => {
    expect([0, 59_000, 12 * 60_000, 72 * 60_000, 26 * 3_600_000].map(formatDuration)).toEqual(['0m', '0m', '12m', '1h12m', '1d2h']);
  });

  it('writes money with cents, and rates cheaper than a dime with a tenth of a cent', () => {
    expect([formatUsd(0.644), formatUsd(0.001), formatUsd(0), formatHourly(0.526), formatHourly(0.0416)]).toEqual(['$0.64', '<$0.01', '$0.00', '$0.53/h', '$0.042/h']);
  });

  it('writes an amount the user typed (a budget) with the precision it was typed at', () => {
    expect([0.005, 20, 12.5, 0.0125, 1e-7].map(formatEnteredUsd)).toEqual(['$0.005', '$20.00', '$12.50', '$0.0125', '$0.000000']);
  });
});
