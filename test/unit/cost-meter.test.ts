import { describe, expect, it } from 'vitest';
import {
  costSummary,
  mergeRunHistories,
  monthCost,
  observeRun,
  sessionCost,
  transitionTime,
  utcMonthKey,
  type RunHistory,
  type RunObservation,
} from '../../src/core/cost-meter.js';
import { stillCosting } from '../../src/core/still-costing.js';
import { bundledStoragePrices } from '../../src/core/price-catalog.js';
import type { InstanceFacts, InstanceStateName } from '../../src/shared/workstation.js';
import { FakeClock } from './support/fake-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RATE = { usd: 0.526, source: 'bundled' as const };

function facts(state: InstanceStateName, launchedAt: number, stateReason: string | null = null, instanceId = 'i-0abc'): InstanceFacts {
  return {
    instanceId,
    state,
    instanceType: 'g4dn.xlarge',
    publicIp: state === 'running' ? '203.0.113.10' : null,
    publicDns: null,
    launchedAt: new Date(launchedAt).toISOString(),
    availabilityZone: 'us-east-1a',
    spot: false,
    imageId: 'ami-1',
    stateReason,
  };
}

/** EC2's StateTransitionReason for a user stop at `at`. */
function stoppedAt(at: number): string {
  return `User initiated (${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
}

/** Watches like the app does: one observation per `stepMs` from the clock's now until `until`. */
function watch(history: RunHistory | null, clock: FakeClock, until: number, observed: InstanceFacts | null, stepMs = MINUTE): RunHistory {
  let current = history;
  while (clock.now() < until) {
    current = observeRun(current, 'gpu', { facts: observed, rate: RATE, now: clock.now() });
    clock.advance(Math.min(stepMs, until - clock.now()));
  }
  return observeRun(current, 'gpu', { facts: observed, rate: RATE, now: clock.now() });
}

describe('cost meter', () => {
  it('bills a start/stop/start day as two sessions and their sum for the month', () => {
    const clock = new FakeClock('2026-11-10T08:00:00Z');
    const firstStart = clock.now();
    let history = watch(null, clock, firstStart + 2 * HOUR, facts('running', firstStart));
    expect(sessionCost(history, clock.now())?.usd).toBeCloseTo(2 * 0.526, 6);

    // Stopped at 10:00; the app sees it 30 s later.
    const stop = firstStart + 2 * HOUR;
    clock.advance(30_000);
    history = observeRun(history, 'gpu', { facts: facts('stopped', firstStart, stoppedAt(stop)), rate: RATE, now: clock.now() });
    expect(history.intervals).toHaveLength(1);
    expect(history.intervals[0]).toMatchObject({ startedAt: firstStart, endedAt: stop, estimated: false });
    expect(costSummary(history, clock.now())).toMatchObject({ sessionUsd: 0, running: false });

    // Started again at 13:00 for 30 minutes.
    clock.set('2026-11-10T13:00:00Z');
    const secondStart = clock.now();
    history = watch(history, clock, secondStart + 30 * MINUTE, facts('running', secondStart));

    const summary = costSummary(history, clock.now());
    expect(history.intervals).toHaveLength(2);
    expect(summary.running).toBe(true);
    expect(summary.sessionUsd).toBeCloseTo(0.5 * 0.526, 6);
    expect(summary.monthUsd).toBeCloseTo(2.5 * 0.526, 6);
    expect(summary.monthComplete).toBe(false); // history began on Nov 10, after the month began
  });

  it('survives a restart: the persisted history, read back, goes on counting without a duplicate run', () => {
    const clock = new FakeClock('2026-11-10T08:00:00Z');
    const start = clock.now();
    const before = watch(null, clock, start + HOUR, facts('running', start));

    // The app quits for 20 minutes, then reads its file back (JSON) and looks again.
    const restored = JSON.parse(JSON.stringify(before)) as RunHistory;
    clock.advance(20 * MINUTE);
    const after = watch(restored, clock, clock.now() + 10 * MINUTE, facts('running', start));

    expect(after.intervals).toHaveLength(1);
    expect(sessionCost(after, clock.now())?.usd).toBeCloseTo((90 / 60) * 0.526, 6);
  });

  it('splits a run across a UTC month boundary: the month shows only its own hours', () => {
    const clock = new FakeClock('2026-10-31T23:00:00Z');
    const start = clock.now();
    const history = watch(null, clock, Date.parse('2026-11-01T01:00:00Z'), facts('running', start));

    const month = monthCost(history, clock.now());
    expect(month.month).toBe('2026-11');
    expect(month.usd).toBeCloseTo(1 * 0.526, 6);
    expect(month.complete).toBe(true); // tracked since Oct 31, before November began
    expect(sessionCost(history, clock.now())?.usd).toBeCloseTo(2 * 0.526, 6);
  });

  it('uses UTC months, not local ones', () => {
    // 23:30 on Nov 30 in New York is already December in UTC.
    expect(utcMonthKey(Date.parse('2026-11-30T23:30:00-05:00'))).toBe('2026-12');
  });

  it('rebuilds a missing history from the launch time of a running instance', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    const launched = now - 3 * HOUR;
    const history = observeRun(null, 'gpu', { facts: facts('running', launched), rate: RATE, now });

    expect(history.intervals).toEqual([expect.objectContaining({ startedAt: launched, endedAt: null })]);
    expect(costSummary(history, now).sessionUsd).toBeCloseTo(3 * 0.526, 6);
    expect(history.completeSince).toBe(launched);
    expect(monthCost(history, now).complete).toBe(false);
  });

  it('rebuilds the last run of a stopped instance from its launch time and StateTransitionReason', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    const launched = now - 5 * HOUR;
    const stopped = now - 2 * HOUR;
    const history = observeRun(null, 'gpu', { facts: facts('stopped', launched, stoppedAt(stopped)), rate: RATE, now });

    expect(history.intervals).toEqual([expect.objectContaining({ startedAt: launched, endedAt: stopped })]);
    expect(monthCost(history, now).usd).toBeCloseTo(3 * 0.526, 6);
  });

  it('reads the stop time from both AWS (GMT) and moto (UTC) reasons', () => {
    expect(transitionTime('User initiated (2026-11-27 10:00:05 GMT)')).toBe(Date.parse('2026-11-27T10:00:05Z'));
    expect(transitionTime('User initiated (2026-11-27 10:00:05 UTC)')).toBe(Date.parse('2026-11-27T10:00:05Z'));
    expect(transitionTime('Client.InstanceInitiatedShutdown')).toBeNull();
  });

  it('closes a run that stopped unwatched at the last time it was seen running, marked estimated', () => {
    const clock = new FakeClock('2026-11-10T08:00:00Z');
    const start = clock.now();
    let history = watch(null, clock, start + HOUR, facts('running', start));
    const lastSeen = clock.now();

    // The laptop sleeps; the instance is found stopped the next morning, with no stop time given.
    clock.advance(14 * HOUR);
    history = observeRun(history, 'gpu', { facts: facts('stopped', start, 'Client.InstanceInitiatedShutdown'), rate: RATE, now: clock.now() });

    expect(history.intervals[0]).toMatchObject({ endedAt: lastSeen, estimated: true });
    expect(monthCost(history, clock.now()).usd).toBeCloseTo(0.526, 6);
  });

  it('notices a stop and a start between two looks by the newer launch time', () => {
    const clock = new FakeClock('2026-11-10T08:00:00Z');
    const start = clock.now();
    let history = watch(null, clock, start + HOUR, facts('running', start));
    clock.advance(3 * HOUR);
    const restart = clock.now() - 30 * MINUTE;
    history = observeRun(history, 'gpu', { facts: facts('running', restart), rate: RATE, now: clock.now() });

    expect(history.intervals).toHaveLength(2);
    expect(history.intervals[0]!.endedAt).toBeLessThanOrEqual(restart);
    expect(history.intervals[1]).toMatchObject({ startedAt: restart, endedAt: null });
    expect(costSummary(history, clock.now()).sessionUsd).toBeCloseTo(0.5 * 0.526, 6);
  });

  it('bills at least 60 seconds for each start', () => {
    const clock = new FakeClock('2026-11-10T08:00:00Z');
    const start = clock.now();
    let history = observeRun(null, 'gpu', { facts: facts('running', start), rate: RATE, now: start + 5_000 });
    history = observeRun(history, 'gpu', { facts: facts('stopped', start, stoppedAt(start + 10_000)), rate: RATE, now: start + 20_000 });
    expect(monthCost(history, start + 20_000).usd).toBeCloseTo(0.526 / 60, 8);
  });

  it('reprices a run from the bundled rate once a live price arrives', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    let history = observeRun(null, 'gpu', { facts: facts('running', now - HOUR), rate: RATE, now });
    const live: RunObservation = { facts: facts('running', now - HOUR), rate: { usd: 0.5, source: 'live' }, now: now + MINUTE };
    history = observeRun(history, 'gpu', live);
    expect(history.intervals[0]).toMatchObject({ hourlyUsd: 0.5, priceSource: 'live' });
  });

  it('counts a run without a price as zero and says so', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    const history = observeRun(null, 'gpu', { facts: facts('running', now - HOUR), rate: null, now });
    expect(monthCost(history, now)).toMatchObject({ usd: 0, unpriced: true });
  });

  it('merges two writers: the closed copy of a run wins, runs only one side knows are kept', () => {
    const t0 = Date.parse('2026-11-10T08:00:00Z');
    const run = { instanceId: 'i-1', instanceType: 'g4dn.xlarge', startedAt: t0, hourlyUsd: 0.526, priceSource: 'bundled' as const, estimated: false };
    const app: RunHistory = { workstation: 'gpu', completeSince: t0, intervals: [{ ...run, endedAt: t0 + HOUR, lastSeenAt: t0 + HOUR }] };
    const cli: RunHistory = {
      workstation: 'gpu',
      completeSince: t0 - HOUR,
      intervals: [
        { ...run, startedAt: t0 - HOUR, endedAt: t0 - 30 * MINUTE, lastSeenAt: t0 - 30 * MINUTE },
        { ...run, endedAt: null, lastSeenAt: t0 + 50 * MINUTE },
      ],
    };
    const merged = mergeRunHistories(app, cli);
    expect(merged.completeSince).toBe(t0 - HOUR);
    expect(merged.intervals.map((i) => [i.startedAt, i.endedAt])).toEqual([
      [t0 - HOUR, t0 - 30 * MINUTE],
      [t0, t0 + HOUR],
    ]);
  });

  it('lists what a stopped workstation still costs per month: volume, image snapshots, a kept IPv4', () => {
    const prices = bundledStoragePrices('us-east-1');
    const costing = stillCosting(
      {
        volumes: [{ volumeId: 'vol-1', sizeGiB: 100, volumeType: 'gp3' }],
        images: [{ imageId: 'ami-1', name: 'gpu-2026-11-10', state: 'available', createdAt: null, snapshotIds: ['snap-1'], sizeGiB: 100 }],
        snapshots: [{ snapshotId: 'snap-2', sizeGiB: 20 }],
        addresses: [{ publicIp: '203.0.113.9', allocationId: 'eipalloc-1' }],
      },
      prices,
    );
    expect(costing.items.map((item) => [item.kind, Number(item.monthlyUsd.toFixed(2))])).toEqual([
      ['volume', 8],
      ['image', 5],
      ['snapshot', 1],
      ['public-ipv4', 3.65],
    ]);
    expect(costing.monthlyUsd).toBeCloseTo(17.65, 6);
    expect(costing.source).toBe('bundled');
  });
});
