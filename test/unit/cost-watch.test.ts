import { describe, expect, it } from 'vitest';
import type { CostStatus } from '../../src/core/cost-tracker.js';
import {
  budgetStopDue,
  IDLE_PROBE_MS,
  idleProbeDue,
  keptResourcesDue,
  pendingReminder,
  reminderApplies,
  reminderInputOf,
  runKey,
} from '../../src/core/cost-watch.js';
import { parseIdleStatus } from '../../src/core/idle-watchdog.js';
import { evaluateReminders, INITIAL_REMINDER_STATE, type Reminder } from '../../src/core/reminder-policy.js';
import { RemindersSchema } from '../../src/shared/settings.js';
import { instanceIn, NOW, snapshotIn } from './support/snapshots.js';

const MINUTE = 60_000;
const utc = (): number => 0;
/** The meter's answer for snapshotIn('ready'): 72 minutes at the bundled rate. */
const COST: CostStatus = {
  hourlyUsd: 0.526, priceSource: 'bundled', market: 'on-demand', priceEstimatedFrom: null, priceUnknown: null, sessionUsd: 0.6312, monthUsd: 3.1, monthComplete: true, monthUnpriced: false, idleStopMinutes: 60,
};
const LAUNCHED = NOW - 72 * MINUTE;

function reminder(overrides: Partial<Reminder> = {}): Reminder {
  return {
    id: `gpu:running:${LAUNCHED}:0`, kind: 'running', workstation: 'gpu', title: 'gpu has been running for 2 h', body: '…',
    actions: ['stop', 'snooze'], autoStop: false, ...overrides,
  };
}

describe('idleProbeDue', () => {
  it('asks the watchdog only while ssh answers and auto-stop is on, at most every five minutes', () => {
    expect(idleProbeDue(snapshotIn('ready'), true, null, NOW)).toBe(true);
    expect(idleProbeDue(snapshotIn('ready'), true, NOW - IDLE_PROBE_MS + 1, NOW)).toBe(false);
    expect(idleProbeDue(snapshotIn('ready'), true, NOW - IDLE_PROBE_MS, NOW)).toBe(true);
    expect(idleProbeDue(snapshotIn('running'), true, null, NOW)).toBe(false);
    expect(idleProbeDue(snapshotIn('stopped'), true, null, NOW)).toBe(false);
    expect(idleProbeDue(snapshotIn('ready'), false, null, NOW)).toBe(false);
    expect(idleProbeDue(null, true, null, NOW)).toBe(false);
  });
});

describe('keptResourcesDue', () => {
  it('looks up what is kept when the workstation comes to rest, not on every poll', () => {
    expect(keptResourcesDue('stopping', 'stopped')).toBe(true);
    expect(keptResourcesDue('terminating', 'absent')).toBe(true);
    expect(keptResourcesDue(null, 'stopped')).toBe(true);
    expect(keptResourcesDue('stopped', 'stopped')).toBe(false);
    expect(keptResourcesDue('ready', 'ready')).toBe(false);
    expect(keptResourcesDue('stopped', 'pending')).toBe(false);
  });
});

describe('reminderInputOf', () => {
  const input = (snapshot = snapshotIn('ready'), idle: { idleSince: number | null; keptAwakeUntil: number | null } | null = null) =>
    reminderInputOf({ snapshot, cost: COST, othersMonthUsd: 10, idle, settings: RemindersSchema.parse({}), now: NOW, localOffsetMinutes: utc });

  it('dates the run from EC2\'s launch time, and adds the other workstations\' month (the budget is global)', () => {
    expect(input()).toMatchObject({ workstation: 'gpu', runningSince: LAUNCHED, sessionUsd: 0.6312, monthUsd: 13.1, hourlyUsd: 0.526, idleSince: null });
  });

  it('has no run when the instance is not running', () => {
    expect(input(snapshotIn('stopped')).runningSince).toBeNull();
    expect(input(snapshotIn('pending')).runningSince).toBeNull();
  });

  it('takes the idle time from the watchdog only while ssh answers', () => {
    const idle = { idleSince: NOW - 40 * MINUTE, keptAwakeUntil: null };
    expect(input(snapshotIn('ready'), idle).idleSince).toBe(NOW - 40 * MINUTE);
    expect(input(snapshotIn('running'), idle).idleSince).toBeNull();
  });

  it('turns the watchdog\'s answer over ssh into an idle reminder, once', () => {
    // What idleStatusCommand prints on an instance whose clock runs 5 s ahead, idle for 35 minutes.
    const remoteNow = NOW / 1000 + 5;
    const idle = parseIdleStatus(`now=${remoteNow}\nidle-since=${remoteNow - 35 * 60}\nkeepalive=\n`, NOW);
    const first = evaluateReminders(INITIAL_REMINDER_STATE, input(snapshotIn('ready'), idle));
    expect(first.reminders.map((r) => [r.kind, r.title, r.actions])).toEqual([['idle', 'gpu has been idle for 35 min', ['stop', 'snooze']]]);
    expect(evaluateReminders(first.state, input(snapshotIn('ready'), idle)).reminders).toEqual([]);
  });
});

describe('the open reminder', () => {
  const ready = snapshotIn('ready');

  it('is the newest reminder with choices, kept for the run it is about', () => {
    const first = pendingReminder(null, [reminder()], ready, NOW);
    expect(first).toEqual({ reminder: reminder(), run: runKey(ready) });
    expect(pendingReminder(first, [], ready, NOW)).toBe(first);
    const idle = reminder({ id: 'gpu:idle:1', kind: 'idle' });
    expect(pendingReminder(first, [idle, reminder({ id: 'budget:month:2026-11:80', kind: 'budget', actions: [] })], ready, NOW)?.reminder).toBe(idle);
  });

  it('goes away when the run ends, and does not come back for the next run', () => {
    const open = pendingReminder(null, [reminder()], ready, NOW);
    expect(pendingReminder(open, [], snapshotIn('stopped'), NOW)).toBeNull();
    const nextRun = snapshotIn('ready', { instance: instanceIn('ready', { launchedAt: new Date(NOW - MINUTE).toISOString() }) });
    expect(pendingReminder(open, [], nextRun, NOW)).toBeNull();
  });

  it('answers apply only to the run the reminder was about', () => {
    const open = pendingReminder(null, [reminder()], ready, NOW);
    expect(reminderApplies(open, ready, NOW)).toBe(true);
    const nextRun = snapshotIn('ready', { instance: instanceIn('ready', { launchedAt: new Date(NOW - MINUTE).toISOString() }) });
    expect(reminderApplies(open, nextRun, NOW)).toBe(false);
    expect(reminderApplies(open, snapshotIn('stopped'), NOW)).toBe(false);
    expect(reminderApplies(null, ready, NOW)).toBe(false);
  });
});

describe('budgetStopDue', () => {
  it('stops when a budget cap with auto-stop was reached and the instance can be stopped', () => {
    const cap = reminder({ id: 'gpu:budget:session:1:100', kind: 'budget', actions: [], autoStop: true });
    expect(budgetStopDue([cap], snapshotIn('ready'))).toBe(true);
    expect(budgetStopDue([cap], snapshotIn('stopping'))).toBe(false);
    expect(budgetStopDue([reminder()], snapshotIn('ready'))).toBe(false);
    expect(budgetStopDue([{ ...cap, workstation: 'other' }], snapshotIn('ready'))).toBe(false);
  });
});
