import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from '../../src/core/app/stats.js';
import { combinedIdle, foldStatsIdle, readingIsIdle, statsIdle, type IdleReading } from '../../src/core/stats-idle.js';

const csv = (name: string): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', name), 'utf8');
/** An idle T4 (0 %), and a g4dn.12xlarge with GPUs at 87, 92, 0 and 45 %. */
const IDLE_GPU = parseNvidiaSmiCsv(csv('g4dn-xlarge-1-gpu.csv'));
const BUSY_GPUS = parseNvidiaSmiCsv(csv('g4dn-12xlarge-4-gpus.csv'));

const MIN = 60_000;
const idle = (at: number): IdleReading => ({ at, gpus: IDLE_GPU, sessions: 0 });
const busy = (at: number): IdleReading => ({ at, gpus: BUSY_GPUS, sessions: 0 });

describe('a stats reading as idle evidence', () => {
  it('is idle with every GPU under the threshold and nobody logged in', () => {
    expect(readingIsIdle(idle(0), 10)).toBe(true);
  });

  it('is busy when any GPU is at or over the threshold, or someone is logged in', () => {
    expect(readingIsIdle(busy(0), 10)).toBe(false);
    // The four-GPU box's busiest GPU is at 92 %: a threshold above it makes it idle.
    expect(readingIsIdle(busy(0), 93)).toBe(true);
    expect(readingIsIdle(busy(0), 92)).toBe(false);
    expect(readingIsIdle({ ...idle(0), sessions: 1 }, 10)).toBe(false);
  });

  it('counts no nvidia-smi, or a GPU without a figure, as not busy (like the watchdog), but unread sessions as no evidence', () => {
    expect(readingIsIdle({ at: 0, gpus: null, sessions: 0 }, 10)).toBe(true);
    expect(readingIsIdle({ at: 0, gpus: [{ utilizationPercent: null }], sessions: 0 }, 10)).toBe(true);
    expect(readingIsIdle({ at: 0, gpus: IDLE_GPU, sessions: null }, 10)).toBe(false);
  });
});

describe('the stats view of a run', () => {
  it('is idle since the first of the latest unbroken run of idle readings', () => {
    const view = statsIdle([idle(0), busy(1 * MIN), idle(2 * MIN), idle(3 * MIN), idle(4 * MIN)], 10);
    expect(view).toEqual({ at: 4 * MIN, idleSince: 2 * MIN, lastBusyAt: 1 * MIN });
  });

  it('is not idle when the latest reading is busy', () => {
    expect(statsIdle([idle(0), idle(1 * MIN), busy(2 * MIN)], 10)).toEqual({ at: 2 * MIN, idleSince: null, lastBusyAt: 2 * MIN });
  });

  it('takes readings in time order and ignores one that arrives late', () => {
    expect(statsIdle([idle(3 * MIN), busy(1 * MIN), idle(2 * MIN)], 10)).toEqual({ at: 3 * MIN, idleSince: 2 * MIN, lastBusyAt: 1 * MIN });
    const now = foldStatsIdle(null, idle(5 * MIN), 10);
    expect(foldStatsIdle(now, busy(4 * MIN), 10)).toBe(now);
  });

  it('has nothing to say without readings', () => {
    expect(statsIdle([], 10)).toBeNull();
  });
});

describe('the stats and the watchdog together (the newer evidence wins)', () => {
  const now = 60 * MIN;

  it('with no watchdog answer (auto-stop off: no probe runs), the stats alone give the idle status', () => {
    expect(combinedIdle(null, statsIdle([busy(0), idle(10 * MIN), idle(50 * MIN)], 10), now)).toEqual({ idleSince: 10 * MIN, keptAwakeUntil: null });
    expect(combinedIdle(null, statsIdle([idle(10 * MIN), busy(50 * MIN)], 10), now)).toEqual({ idleSince: null, keptAwakeUntil: null });
  });

  it('with no readings, the watchdog answer stands as it is', () => {
    const status = { idleSince: 5 * MIN, keptAwakeUntil: null };
    expect(combinedIdle({ status, askedAt: 40 * MIN }, null, now)).toBe(status);
    expect(combinedIdle(null, null, now)).toBeNull();
  });

  it('a busy reading newer than the watchdog answer clears its stale "idle since"', () => {
    const watchdog = { status: { idleSince: 5 * MIN, keptAwakeUntil: null }, askedAt: 40 * MIN };
    expect(combinedIdle(watchdog, statsIdle([busy(45 * MIN)], 10), now)).toEqual({ idleSince: null, keptAwakeUntil: null });
  });

  it('a newer watchdog answer decides over an older reading', () => {
    const stats = statsIdle([idle(10 * MIN), idle(20 * MIN)], 10);
    expect(combinedIdle({ status: { idleSince: null, keptAwakeUntil: null }, askedAt: 30 * MIN }, stats, now)).toEqual({ idleSince: null, keptAwakeUntil: null });
    // Newer and idle after a busy reading the stats saw: the stretch began after that reading.
    const afterBusy = statsIdle([busy(20 * MIN)], 10);
    expect(combinedIdle({ status: { idleSince: 25 * MIN, keptAwakeUntil: null }, askedAt: 30 * MIN }, afterBusy, now)).toEqual({ idleSince: 25 * MIN, keptAwakeUntil: null });
    expect(combinedIdle({ status: { idleSince: 5 * MIN, keptAwakeUntil: null }, askedAt: 30 * MIN }, afterBusy, now)).toEqual({ idleSince: 30 * MIN, keptAwakeUntil: null });
  });

  it('when both say idle, the stretch starts at the earliest start no busy reading contradicts', () => {
    // The watchdog has watched longer than the app: its earlier start stands.
    const watchdog = { status: { idleSince: 5 * MIN, keptAwakeUntil: null }, askedAt: 40 * MIN };
    expect(combinedIdle(watchdog, statsIdle([idle(30 * MIN), idle(50 * MIN)], 10), now)).toEqual({ idleSince: 5 * MIN, keptAwakeUntil: null });
    // A busy reading at 20 min contradicts a start at 5 min: the stats' start stands.
    expect(combinedIdle(watchdog, statsIdle([busy(20 * MIN), idle(30 * MIN), idle(50 * MIN)], 10), now)).toEqual({ idleSince: 30 * MIN, keptAwakeUntil: null });
  });

  it('idle readings newer than a watchdog "busy" say idle (its busy may be the app’s own kept-alive connection)', () => {
    const watchdog = { status: { idleSince: null, keptAwakeUntil: null }, askedAt: 40 * MIN };
    expect(combinedIdle(watchdog, statsIdle([idle(30 * MIN), idle(50 * MIN)], 10), now)).toEqual({ idleSince: 30 * MIN, keptAwakeUntil: null });
  });

  it('a busy notebook kernel the watchdog saw holds until its next answer: newer idle readings cannot see kernels', () => {
    const kernel = { status: { idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'kernel' } as const }, askedAt: 40 * MIN };
    expect(combinedIdle(kernel, statsIdle([idle(30 * MIN), idle(50 * MIN)], 10), now)).toEqual({ idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'kernel' } });
    // The watchdog's next answer (idle) decides again.
    const after = { status: { idleSince: 55 * MIN, keptAwakeUntil: null, keptUpBy: null }, askedAt: 56 * MIN };
    expect(combinedIdle(after, statsIdle([idle(30 * MIN), idle(58 * MIN)], 10), now)).toEqual({ idleSince: 30 * MIN, keptAwakeUntil: null });
  });

  it('a busy reading and a watchdog that also says busy: the watchdog names what keeps it up', () => {
    const gpu = { status: { idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'gpu', percent: 87 } as const }, askedAt: 40 * MIN };
    expect(combinedIdle(gpu, statsIdle([busy(50 * MIN)], 10), now)).toEqual({ idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'gpu', percent: 87 } });
  });

  it('a snooze in force keeps it "not idle" whatever the readings say; one that has run out does not', () => {
    const snoozed = { status: { idleSince: null, keptAwakeUntil: now + 30 * MIN }, askedAt: 10 * MIN };
    const readings = statsIdle([idle(20 * MIN), idle(50 * MIN)], 10);
    expect(combinedIdle(snoozed, readings, now)).toEqual({ idleSince: null, keptAwakeUntil: now + 30 * MIN });
    const ended = { status: { idleSince: null, keptAwakeUntil: now - MIN }, askedAt: 10 * MIN };
    expect(combinedIdle(ended, readings, now)).toEqual({ idleSince: 20 * MIN, keptAwakeUntil: null });
  });
});
