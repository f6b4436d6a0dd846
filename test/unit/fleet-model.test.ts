import { describe, expect, it } from 'vitest';
import { fleetDelay, namesByRegion } from '../../src/core/app/fleet-watch.js';
import { evaluateFleetReminders, fleetReminderInputs } from '../../src/core/fleet-reminders.js';
import { POLL } from '../../src/core/poll-policy.js';
import { INITIAL_REMINDER_STATE } from '../../src/core/reminder-policy.js';
import { fleetSummary, fleetTrayModel, switcherOrder, trayModel, type TrayMenuItem } from '../../src/core/tray-model.js';
import type { CostStatus } from '../../src/core/cost-tracker.js';
import { RemindersSchema } from '../../src/shared/settings.js';
import { NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';

const gpu = snapshotIn('ready');
const big = snapshotIn('running', { name: 'big', instanceType: 'g5.xlarge', region: 'us-west-2' });
const idle = snapshotIn('stopped', { name: 'spare' });
const COSTS = new Map([['gpu', { hourlyUsd: 0.526 }], ['big', { hourlyUsd: 1.006 }], ['spare', { hourlyUsd: 0.526 }]]);

function rowsOf(menu: readonly TrayMenuItem[]): string[] {
  return menu.flatMap((item) => {
    if (item.kind === 'label') return [item.label];
    if (item.kind === 'action' && item.workstation) return [`${item.workstation} ${item.action}${item.enabled ? '' : ' (disabled)'}`];
    return [];
  });
}

describe('fleet tray model', () => {
  it('sums up the fleet: any running means running, and the title is the total rate', () => {
    const model = fleetTrayModel([gpu, big, idle], settingsWithGpu(), NOW, COSTS);
    expect(model.icon).toBe('starting');
    expect(model.title).toBe('$1.53/h · 2 running');
    expect(model.tooltip).toMatch(/^CloudRig: 2 of 3 running · \$1\.53\/h in total · gpu \(g4dn\.xlarge, us-east-1\): Ready for ssh/);
    expect(fleetTrayModel([gpu, idle], settingsWithGpu(), NOW, COSTS).icon).toBe('ready');
    expect(fleetTrayModel([idle, { ...idle, name: 'other' }], settingsWithGpu(), NOW, COSTS)).toMatchObject({ icon: 'stopped', title: '' });
  });

  it('lists each workstation with its state and rate and its own Start/Stop, Copy SSH command and Open terminal', () => {
    const model = fleetTrayModel([gpu, big, idle], settingsWithGpu(), NOW, COSTS);
    expect(rowsOf(model.menu)).toEqual([
      '3 workstations · 2 of 3 running',
      'gpu: Ready for ssh · $0.53/h', 'gpu stop', 'gpu copy-ssh', 'gpu open-terminal',
      'big: Running, waiting for ssh… · $1.01/h', 'big stop', 'big copy-ssh', 'big open-terminal (disabled)',
      'spare: Stopped', 'spare start', 'spare copy-ssh (disabled)', 'spare open-terminal (disabled)',
    ]);
    // The app's own items close the menu, as with one workstation.
    expect(model.menu.at(-1)).toEqual({ kind: 'action', action: 'quit', label: 'Quit CloudRig', enabled: true });
  });

  it('with one workstation is the single-workstation tray, unchanged', () => {
    expect(fleetTrayModel([gpu], settingsWithGpu(), NOW, COSTS)).toEqual(trayModel(gpu, settingsWithGpu(), NOW, COSTS.get('gpu')!));
    expect(fleetTrayModel([], settingsWithGpu(), NOW)).toEqual(trayModel(null, settingsWithGpu(), NOW));
  });

  it('marks the total as a floor when a running workstation has no known rate', () => {
    expect(fleetSummary([gpu, big], new Map([['gpu', { hourlyUsd: 0.526 }]]))).toEqual({ workstations: 2, running: 2, hourlyUsd: 0.526, rateUnknown: true });
    expect(fleetTrayModel([gpu, big], settingsWithGpu(), NOW, new Map([['gpu', { hourlyUsd: 0.526 }]])).title).toBe('$0.53/h+ · 2 running');
  });
});

describe('popover switcher order', () => {
  it('puts the last used first and the never used after, in settings order', () => {
    expect(switcherOrder(['a', 'b', 'c', 'd'], { c: 200, a: 100 })).toEqual(['c', 'a', 'b', 'd']);
    expect(switcherOrder(['a', 'b'], {})).toEqual(['a', 'b']);
    expect(switcherOrder(['a', 'b'], { gone: 500, b: 1 })).toEqual(['b', 'a']);
  });
});

describe('fleet poll pacing', () => {
  it('groups workstations by region, each region once', () => {
    expect([...namesByRegion([{ name: 'a', region: 'r1' }, { name: 'b', region: 'r2' }, { name: 'c', region: 'r1' }])]).toEqual([['r1', ['a', 'c']], ['r2', ['b']]]);
  });

  it('polls as soon as any workstation needs it, steady when none does, backing off offline', () => {
    expect(fleetDelay([POLL.steady, POLL.fast], 0)).toBe(POLL.fast);
    expect(fleetDelay([], 0)).toBe(POLL.steady);
    expect(fleetDelay([POLL.steady], 3)).toBeGreaterThan(POLL.steady);
  });
});

describe('reminders and budgets over the fleet', () => {
  const cost = (monthUsd: number, sessionUsd: number): CostStatus =>
    ({ hourlyUsd: 0.526, priceSource: 'bundled', market: 'on-demand', priceEstimatedFrom: null, priceUnknown: null, sessionUsd, monthUsd, monthComplete: true, monthUnpriced: false, idleStopMinutes: null });
  const settings = RemindersSchema.parse({ dailyAt: null, afterHours: 1, monthlyBudgetUsd: 10 });
  const members = [
    { snapshot: gpu, cost: cost(5, 0.6), idle: null },
    { snapshot: { ...big, readyAt: null }, cost: cost(4, 1.2), idle: null },
    { snapshot: idle, cost: cost(0.5, 0), idle: null },
  ];

  it('counts every workstation toward the monthly budget and reminds about each running one', () => {
    const inputs = fleetReminderInputs({ members, settings, now: NOW, localOffsetMinutes: () => 0 });
    expect(inputs.map((input) => input.monthUsd)).toEqual([9.5, 9.5, 9.5]);
    const { reminders } = evaluateFleetReminders(INITIAL_REMINDER_STATE, inputs);
    const running = reminders.filter((r) => r.kind === 'running').map((r) => r.workstation);
    expect(running).toEqual(['gpu', 'big']);
    // The month's budget is one, however many workstations spend it: shown once.
    expect(reminders.filter((r) => r.kind === 'budget')).toHaveLength(1);
  });

  it('shows nothing twice on the next evaluation', () => {
    const inputs = fleetReminderInputs({ members, settings, now: NOW, localOffsetMinutes: () => 0 });
    const first = evaluateFleetReminders(INITIAL_REMINDER_STATE, inputs);
    expect(evaluateFleetReminders(first.state, inputs).reminders).toEqual([]);
  });
});
