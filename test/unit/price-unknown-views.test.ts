// An unknown rate on the app's surfaces: the tray title and tooltip, the popover and the budget
// reminders say "unknown" (with why and the fix) and never $0.00.
import { describe, expect, it } from 'vitest';
import type { CostFacts } from '../../src/core/cost-view.js';
import { workstationView } from '../../src/core/popover-model.js';
import { evaluateReminders, INITIAL_REMINDER_STATE } from '../../src/core/reminder-policy.js';
import { fleetTrayModel, trayModel } from '../../src/core/tray-model.js';
import { RemindersSchema } from '../../src/shared/settings.js';
import { NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';

/** As unknownPrice('us-west-1', 'g5.xlarge', 'denied') words it. */
const UNKNOWN = {
  reason: "no price for g5.xlarge in us-west-1: CloudRig's bundled price table has no prices for us-west-1, and the AWS Pricing API refused (these credentials may not call pricing:GetProducts)",
  fix: 'allow pricing:GetProducts in the IAM policy of these AWS credentials',
};
/** What the monitor passes for a running box whose price nobody knows: no rate, no session, the month unpriced. */
const UNPRICED: CostFacts = {
  hourlyUsd: null, priceSource: null, market: null, priceUnknown: UNKNOWN,
  sessionUsd: null, monthUsd: 0, monthComplete: true, monthUnpriced: true,
};

describe('an unknown rate in the tray and the popover', () => {
  it('the tray title says the rate is unknown and shows no dollar figure', () => {
    const model = trayModel(snapshotIn('ready'), settingsWithGpu(), NOW, UNPRICED);
    expect(model.title).toBe('rate unknown · 1h12m');
    expect(model.tooltip).toContain(`Ready for ssh · Rate unknown: ${UNKNOWN.reason}. To fix: ${UNKNOWN.fix}. · up 1h12m · this session unknown · this month unknown`);
    expect(model.tooltip).not.toContain('$0.00');
  });

  it('a fleet whose only running workstation has no rate shows "rate unknown", not $0.00/h', () => {
    const other = { ...snapshotIn('stopped'), name: 'cpu' };
    const model = fleetTrayModel([snapshotIn('ready'), other], settingsWithGpu(), NOW, new Map([['gpu', UNPRICED]]));
    expect(model.title).toBe('rate unknown · 1 running');
  });

  it('the popover shows the rate, this session and the month as unknown, with the reason and fix', () => {
    const view = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, UNPRICED);
    expect(view).toMatchObject({
      hourly: 'rate unknown',
      hourlySource: null,
      session: 'unknown',
      month: 'unknown',
      priceUnknown: `Rate unknown: ${UNKNOWN.reason}. To fix: ${UNKNOWN.fix}.`,
    });
    expect(view.hourlyDetail).toBe(view.priceUnknown);
  });

  it('a month with priced and unpriced runs reads "at least"', () => {
    const view = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, { ...UNPRICED, monthUsd: 4.2 });
    expect(view.month).toBe('at least $4.20');
  });
});

describe('budgets while a rate is unknown', () => {
  it('a reminder says the budgets cannot be checked, why and the fix, once per run', () => {
    const runningSince = NOW - 30 * 60_000;
    const input = {
      workstation: 'gpu', now: NOW, runningSince, idleSince: null, hourlyUsd: null, sessionUsd: null,
      monthUsd: 0, monthUnpriced: true, priceUnknown: UNKNOWN,
      settings: RemindersSchema.parse({ dailyAt: null, monthlyBudgetUsd: 50, sessionBudgetUsd: 5 }),
      localOffsetMinutes: () => 0,
    };
    const first = evaluateReminders(INITIAL_REMINDER_STATE, input);
    expect(first.reminders).toHaveLength(1);
    expect(first.reminders[0]).toMatchObject({
      kind: 'budget',
      title: "Budget cannot be checked: gpu's rate is unknown",
      body: `Your monthly budget of $50.00 and per-session budget of $5.00 cannot be checked while gpu's rate is unknown (${UNKNOWN.reason}). To fix: ${UNKNOWN.fix}.`,
      actions: ['stop', 'snooze'],
      autoStop: false,
    });
    expect(evaluateReminders(first.state, { ...input, now: NOW + 60_000 }).reminders).toEqual([]);
  });
});
