import { describe, expect, it } from 'vitest';
import type { StillCosting } from '../../src/core/still-costing.js';
import { appView, currentWorkstation, workstationView } from '../../src/core/popover-model.js';
import type { Reminder } from '../../src/core/reminder-policy.js';
import type { IdleStatus } from '../../src/core/idle-watchdog.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { instanceIn, NOW, settingsWithGpu, snapshotIn, specOf } from './support/snapshots.js';
import type { ErrorInfo } from '../../src/shared/errors.js';

const PRICE = { hourlyUsd: 0.526 };
/** The cost meter's answer: the bundled on-demand rate, its own session figure, the month so far. */
const METERED = { hourlyUsd: 0.526, priceSource: 'bundled', market: 'on-demand', sessionUsd: 0.7049, monthUsd: 4.2, monthComplete: false } as const;
const KEPT: StillCosting = {
  items: [
    { kind: 'volume', id: 'vol-1', label: 'Volume vol-1 (100 GiB gp3)', monthlyUsd: 8, source: 'bundled' },
    { kind: 'image', id: 'ami-1', label: 'Image cloudrig-gpu-1 (ami-1, up to 100 GiB of snapshots)', monthlyUsd: 5, source: 'bundled' },
  ],
  monthlyUsd: 13,
  source: 'bundled',
};
const RUNNING_REMINDER: Reminder = {
  id: 'gpu:running:1:0', kind: 'running', workstation: 'gpu', title: 'gpu has been running for 2 h', body: '$1.05 so far at $0.53/h. Stop it if you are done.',
  actions: ['stop', 'snooze'], autoStop: false,
};

describe('workstationView', () => {
  it('shows the launch as requesting → pending → running → ssh ready', () => {
    const steps = (phase: 'launching' | 'pending' | 'running') =>
      workstationView(snapshotIn(phase), settingsWithGpu(), NOW).progress?.map((step) => `${step.label}:${step.state}`);
    expect(steps('launching')).toEqual(['Requesting:current', 'Pending:todo', 'Running:todo', 'SSH ready:todo']);
    expect(steps('pending')).toEqual(['Requesting:done', 'Pending:current', 'Running:todo', 'SSH ready:todo']);
    expect(steps('running')).toEqual(['Requesting:done', 'Pending:done', 'Running:done', 'SSH ready:current']);
  });

  it('shows no progress once ready, with uptime, rate, session cost and the ssh command', () => {
    const view = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, PRICE);
    expect(view).toMatchObject({
      phaseLabel: 'Ready for ssh',
      tone: 'good',
      progress: null,
      uptime: '1h12m',
      hourly: '$0.53/h',
      // 72 minutes at $0.526/h.
      session: '$0.63',
      primary: { action: 'stop', label: 'Stop', enabled: true },
      canCopy: true,
      canOpenTerminal: true,
      canTerminate: true,
    });
    expect(view.sshCommand).toMatch(/^ssh -i .* ubuntu@ec2-198-51-100-7/);
  });

  it('badges a ready box whose setup script failed "Setup failed" in red: the worst current fact wins', () => {
    const failure: ErrorInfo = { code: 'SetupScriptFailed', message: 'The setup script failed (exit 6).', fix: { action: 'fix-setup-script', name: 'gpu', problem: 'failed', log: '/var/lib/cloudrig/setup/setup.log' } };
    const view = workstationView(snapshotIn('ready', { setupFailure: failure }), settingsWithGpu(), NOW, PRICE);
    expect(view).toMatchObject({ phase: 'ready', phaseLabel: 'Setup failed', tone: 'bad', canOpenTerminal: true });
  });

  it('shows the cost meter\'s figures, the price\'s source and the month', () => {
    const view = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, METERED);
    expect(view).toMatchObject({
      hourly: '$0.53/h',
      hourlySource: 'bundled',
      hourlyDetail: "$0.526 per hour on demand, from CloudRig's bundled price table (AWS's price list was not available)",
      // The meter's figure, not rate × uptime.
      session: '$0.70',
      month: '$4.20',
      monthDetail: 'Instance time this month (UTC) since CloudRig started recording it; earlier use is not counted.',
      stillCosting: null,
    });
    expect(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, { ...METERED, priceSource: 'live', market: 'spot' })).toMatchObject({
      hourlySource: 'spot · live', hourlyDetail: '$0.526 per hour (spot), from the AWS price list',
    });
  });

  it('shows no session until the meter answers, and none once stopped', () => {
    expect(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, { ...METERED, sessionUsd: null }).session).toBeNull();
    expect(workstationView(snapshotIn('stopping'), settingsWithGpu(), NOW, METERED).session).toBeNull();
  });

  it('lists what still costs money while stopped or terminated, and nothing while running', () => {
    const stopped = workstationView(snapshotIn('stopped'), settingsWithGpu(), NOW, { ...METERED, sessionUsd: 0, stillCosting: KEPT });
    expect(stopped.stillCosting).toEqual({
      total: '$13.00/month',
      items: [
        { label: 'Volume vol-1 (100 GiB gp3)', monthly: '$8.00/month' },
        { label: 'Image cloudrig-gpu-1 (ami-1, up to 100 GiB of snapshots)', monthly: '$5.00/month' },
      ],
      source: 'bundled',
      hint: 'Billed while stopped (bundled prices). Terminating removes the disk; delete saved images you no longer need.',
    });
    expect(workstationView(snapshotIn('absent'), settingsWithGpu(), NOW, { ...METERED, stillCosting: KEPT }).stillCosting).toMatchObject({
      total: '$13.00/month', hint: 'Billed with no instance running (bundled prices). Delete saved images you no longer need.',
    });
    expect(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, { ...METERED, stillCosting: KEPT }).stillCosting).toBeNull();
    expect(workstationView(snapshotIn('stopped'), settingsWithGpu(), NOW, { ...METERED, stillCosting: { items: [], monthlyUsd: 0, source: 'live' } }).stillCosting).toBeNull();
  });

  it('says what the idle auto-stop will do, from the watchdog\'s answer', () => {
    const ready = snapshotIn('ready');
    const auto = (idle: IdleStatus | null, settings = settingsWithGpu()) =>
      workstationView(ready, settings, NOW, { ...METERED, idle }).autoStop;
    expect(auto(null)).toBe('Stops itself after 60 idle min');
    expect(auto({ idleSince: NOW - 12 * 60_000, keptAwakeUntil: null })).toBe('Idle 12 min; stops itself at 60 min');
    expect(auto({ idleSince: null, keptAwakeUntil: null })).toBe('Stops itself after 60 idle min');
    expect(auto({ idleSince: null, keptAwakeUntil: NOW + 3_600_000 })).toMatch(/^Kept alive until \d\d:\d\d \(snoozed\); then stops itself after 60 idle min$/);
    expect(auto({ idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'kernel' } })).toBe('Kept up: kernel busy; stops itself after 60 idle min');
    expect(auto({ idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'ssh', from: '198.51.100.7' } })).toBe('Kept up: ssh session from 198.51.100.7; stops itself after 60 idle min');
    const off = settingsWithGpu({ workstations: { gpu: specOf({ autoStop: { enabled: false, idleMinutes: 60, gpuBusyPercent: 10 } }) } });
    expect(auto(null, off)).toBe('Idle auto-stop is off');
  });

  it('shows the core step label as the detail during a transition', () => {
    const step = { id: 'requesting', label: 'Requesting a g4dn.xlarge instance from ami-dca37ea5 (parameter)' };
    expect(workstationView(snapshotIn('launching', { step }), settingsWithGpu(), NOW).detail).toBe(step.label);
  });

  it('offers Start on a stopped instance and Launch when there is none, with no session cost', () => {
    const stopped = workstationView(snapshotIn('stopped'), settingsWithGpu(), NOW, PRICE);
    expect(stopped).toMatchObject({ primary: { action: 'start', label: 'Start', enabled: true }, session: null, uptime: null, sshCommand: null, canCopy: false, canTerminate: true });
    expect(workstationView(snapshotIn('absent'), settingsWithGpu(), NOW, PRICE)).toMatchObject({ primary: { label: 'Launch', enabled: true }, canTerminate: false });
  });

  it('keeps the last error with its fix beside the phase', () => {
    const error: ErrorInfo = { code: 'InsufficientInstanceCapacity', message: 'AWS has no g4dn.xlarge capacity free.', fix: { action: 'other-capacity', instanceType: 'g4dn.xlarge', similar: null, otherMarket: null } };
    expect(workstationView(snapshotIn('error', { error }), settingsWithGpu(), NOW)).toMatchObject({ tone: 'bad', phaseLabel: 'Error', error });
  });

  it('shows the ssh host override as the address when one is set', () => {
    const settings = settingsWithGpu({ workstations: { gpu: specOf({ sshHost: '127.0.0.1' }) } });
    expect(workstationView(snapshotIn('ready'), settings, NOW).address).toBe('127.0.0.1');
  });

  it('warns while ssh is open to every address, and not for a narrow range', () => {
    const open = settingsWithGpu({ workstations: { gpu: specOf({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true }) } });
    expect(workstationView(snapshotIn('ready'), open, NOW).ingressWarning).toBe('ssh (tcp/22) is open to every address on the internet (0.0.0.0/0).');
    expect(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW).ingressWarning).toBeNull();
  });

  it('marks spot instances', () => {
    expect(workstationView(snapshotIn('ready', { instance: instanceIn('ready', { spot: true }) }), settingsWithGpu(), NOW).spot).toBe(true);
  });
});

describe('appView', () => {
  it('is the setup screen until a workstation exists', () => {
    expect(appView(null, defaultSettings(), NOW)).toEqual({ screen: 'setup', workstation: null, notice: null, reminder: null });
  });

  it('offers Stop now and Snooze 1 h for an open reminder while the instance runs', () => {
    expect(appView(snapshotIn('ready'), settingsWithGpu(), NOW, METERED, null, RUNNING_REMINDER).reminder).toEqual({
      id: 'gpu:running:1:0',
      title: 'gpu has been running for 2 h',
      body: '$1.05 so far at $0.53/h. Stop it if you are done.',
      canStop: true,
      canSnooze: true,
      snoozeLabel: 'Snooze 1 h',
    });
    // Once it stopped, or for a reminder without choices (a budget auto-stop), there is nothing to answer.
    expect(appView(snapshotIn('stopped'), settingsWithGpu(), NOW, METERED, null, RUNNING_REMINDER).reminder).toBeNull();
    expect(appView(snapshotIn('ready'), settingsWithGpu(), NOW, METERED, null, { ...RUNNING_REMINDER, actions: [], autoStop: true }).reminder).toBeNull();
  });

  it('shows the current workstation, falling back to the first saved one', () => {
    expect(appView(snapshotIn('stopped'), settingsWithGpu(), NOW, null, 'Saved gpu')).toMatchObject({ screen: 'workstation', notice: 'Saved gpu', workstation: { name: 'gpu' } });
    expect(currentWorkstation(settingsWithGpu({ current: null }))).toBe('gpu');
    expect(currentWorkstation(settingsWithGpu({ current: 'gone' }))).toBe('gpu');
  });
});
