// What a workstation has cost: running intervals → session and month cost (what it still costs
// while stopped is still-costing.ts). Pure: callers pass `now` and prices in.
//
// Billing model (EC2 Linux on-demand and spot): per second while the instance is `running`, with a
// minimum of 60 seconds each time it enters `running`; pending, stopping and stopped are not billed.
// Months are calendar months in UTC, because AWS bills in UTC: "this month" then matches the
// invoice, even if it starts at a local evening rather than at local midnight.
import type { InstanceFacts } from '../shared/workstation.js';
import type { PriceSource } from './price-catalog.js';

/** AWS's convention for turning hourly prices into monthly ones. */
export const HOURS_PER_MONTH = 730;

/** EC2 bills at least this much for each start. */
export const MINIMUM_BILLED_MS = 60_000;

/**
 * When a stop is seen without a stop time, the run is closed at the moment it was seen if the
 * previous observation is at most this old (we were watching); otherwise at the last time it was
 * seen running, marked estimated.
 */
export const WATCHED_GAP_MS = 5 * 60_000;

/** Runs older than this are dropped from the history. */
export const HISTORY_RETENTION_MS = 400 * 24 * 3_600_000;

const HOUR_MS = 3_600_000;

/** One stretch of billed running time of one instance. */
export interface RunInterval {
  readonly instanceId: string;
  readonly instanceType: string;
  /** Epoch ms when it entered `running` (EC2's LaunchTime, which each start updates). */
  readonly startedAt: number;
  /** Epoch ms when it left `running`; null while it still runs. */
  readonly endedAt: number | null;
  /** Epoch ms of the last observation that saw it running. */
  readonly lastSeenAt: number;
  /** The rate it is billed at; null when no price was known. */
  readonly hourlyUsd: number | null;
  readonly priceSource: PriceSource | null;
  /** True when the end was inferred (the stop happened while nobody watched) rather than observed. */
  readonly estimated: boolean;
}

/** The persisted runs of one workstation. */
export interface RunHistory {
  readonly workstation: string;
  /** Epoch ms since when every run is recorded; runs before it are unknown (history rebuilt from AWS). */
  readonly completeSince: number;
  readonly intervals: readonly RunInterval[];
}

/** What one look at AWS showed. */
export interface RunObservation {
  /** The workstation's instance, or null when it has none. */
  readonly facts: InstanceFacts | null;
  /** The rate of that instance now (see hourlyRateOf), or null when unknown. */
  readonly rate: { readonly usd: number; readonly source: PriceSource } | null;
  readonly now: number;
}

/** Reads and updates run histories; implemented in adapters/store. */
export interface RunHistoryStore {
  read(workstation: string): Promise<RunHistory | null>;
  /** Reads the freshest copy, applies `change`, writes it back atomically; returns what was written. */
  update(workstation: string, change: (current: RunHistory | null) => RunHistory): Promise<RunHistory>;
  list(): Promise<RunHistory[]>;
}

/**
 * Folds one observation into the history. With no history yet it is rebuilt from AWS's times: the
 * current run from LaunchTime, or the last run from LaunchTime to the stop time in
 * StateTransitionReason ("User initiated (2026-11-27 10:00:00 GMT)").
 */
export function observeRun(history: RunHistory | null, workstation: string, observation: RunObservation): RunHistory {
  const { facts, rate, now } = observation;
  const intervals = [...(history?.intervals ?? [])];
  const running = facts !== null && facts.state === 'running';
  const launchedAt = parseTime(facts?.launchedAt ?? null);
  const runStart = running ? (launchedAt !== null && launchedAt <= now ? launchedAt : now) : null;

  const openIndex = intervals.findIndex((interval) => interval.endedAt === null);
  const open = openIndex >= 0 ? intervals[openIndex] : undefined;

  if (open !== undefined && facts !== null && runStart !== null && isSameRun(open, facts.instanceId, runStart)) {
    intervals[openIndex] = {
      ...open,
      lastSeenAt: now,
      ...(rate !== null && shouldReprice(open, rate.source) ? { hourlyUsd: rate.usd, priceSource: rate.source } : {}),
    };
    return finish(history, workstation, intervals, now, null);
  }

  // A newer run of any instance bounds the old one: it stopped before this one started.
  if (open !== undefined) intervals[openIndex] = close(open, facts, Math.max(open.startedAt, Math.min(now, runStart ?? now)));

  if (facts !== null && runStart !== null) {
    const reopened = intervals.findIndex((i) => i.instanceId === facts.instanceId && i.startedAt === runStart);
    if (reopened >= 0) {
      // We closed this run on a stale observation; it is still going.
      intervals[reopened] = { ...intervals[reopened]!, endedAt: null, lastSeenAt: now, estimated: false };
      return finish(history, workstation, intervals, now, null);
    }
    // Never overlap a run already counted (a restart seen late, or clocks that disagree).
    const lastEnd = Math.max(0, ...intervals.map((i) => i.endedAt ?? i.startedAt));
    const startedAt = Math.max(runStart, Math.min(lastEnd, now));
    intervals.push({
      instanceId: facts.instanceId,
      instanceType: facts.instanceType,
      startedAt,
      endedAt: null,
      lastSeenAt: now,
      hourlyUsd: rate?.usd ?? null,
      priceSource: rate?.source ?? null,
      estimated: false,
    });
    return finish(history, workstation, intervals, now, startedAt);
  }

  if (history === null && facts !== null) {
    const rebuilt = rebuildLastRun(facts, rate, now);
    if (rebuilt !== null) return finish(null, workstation, [rebuilt], now, rebuilt.startedAt);
  }
  return finish(history, workstation, intervals, now, now);
}

function isSameRun(open: RunInterval, instanceId: string, runStart: number): boolean {
  // A LaunchTime after the open run's start means a stop and a start happened between looks.
  return open.instanceId === instanceId && runStart <= open.startedAt + 1_000;
}

function shouldReprice(open: RunInterval, source: PriceSource): boolean {
  return open.hourlyUsd === null || (open.priceSource === 'bundled' && source === 'live');
}

/** Ends an open run no later than `latest` (now, or the start of the run that followed it). */
function close(open: RunInterval, facts: InstanceFacts | null, latest: number): RunInterval {
  const stoppedAt = facts !== null && facts.instanceId === open.instanceId ? transitionTime(facts.stateReason) : null;
  if (stoppedAt !== null && stoppedAt >= open.startedAt && stoppedAt <= latest) {
    return { ...open, endedAt: stoppedAt, estimated: false };
  }
  if (latest - open.lastSeenAt <= WATCHED_GAP_MS) return { ...open, endedAt: latest, estimated: false };
  return { ...open, endedAt: Math.min(latest, Math.max(open.startedAt, open.lastSeenAt)), estimated: true };
}

function rebuildLastRun(facts: InstanceFacts, rate: RunObservation['rate'], now: number): RunInterval | null {
  if (facts.state !== 'stopped' && facts.state !== 'stopping') return null;
  const startedAt = parseTime(facts.launchedAt);
  const endedAt = transitionTime(facts.stateReason);
  if (startedAt === null || endedAt === null || endedAt < startedAt || endedAt > now) return null;
  return {
    instanceId: facts.instanceId,
    instanceType: facts.instanceType,
    startedAt,
    endedAt,
    lastSeenAt: endedAt,
    hourlyUsd: rate?.usd ?? null,
    priceSource: rate?.source ?? null,
    estimated: false,
  };
}

function finish(
  history: RunHistory | null,
  workstation: string,
  intervals: RunInterval[],
  now: number,
  startOfTracking: number | null,
): RunHistory {
  const kept = intervals
    .filter((interval) => (interval.endedAt ?? now) >= now - HISTORY_RETENTION_MS)
    .sort((a, b) => a.startedAt - b.startedAt);
  const completeSince = history?.completeSince ?? startOfTracking ?? now;
  return { workstation, completeSince, intervals: kept };
}

/**
 * Merges two copies of one workstation's history (two processes, or a file written meanwhile): runs
 * are the same when instance and start agree; a closed copy beats an open one, a later look beats an
 * earlier one.
 */
export function mergeRunHistories(a: RunHistory, b: RunHistory): RunHistory {
  const byKey = new Map<string, RunInterval>();
  for (const interval of [...a.intervals, ...b.intervals]) {
    const key = `${interval.instanceId}@${interval.startedAt}`;
    const known = byKey.get(key);
    byKey.set(key, known === undefined ? interval : newerOf(known, interval));
  }
  // Only one run can be open: if both copies hold different open runs, the older one ended.
  const merged = [...byKey.values()].sort((x, y) => x.startedAt - y.startedAt);
  const result = merged.map((interval, index) => {
    const next = merged[index + 1];
    if (interval.endedAt !== null || next === undefined) return interval;
    return { ...interval, endedAt: Math.min(Math.max(interval.lastSeenAt, interval.startedAt), next.startedAt), estimated: true };
  });
  return { workstation: a.workstation, completeSince: Math.min(a.completeSince, b.completeSince), intervals: result };
}

function newerOf(x: RunInterval, y: RunInterval): RunInterval {
  if ((x.endedAt === null) !== (y.endedAt === null)) {
    const closed = x.endedAt === null ? y : x;
    const open = x.endedAt === null ? x : y;
    // A run seen running after the other copy closed it is still running.
    return open.lastSeenAt > (closed.endedAt ?? 0) + WATCHED_GAP_MS ? open : closed;
  }
  if (x.endedAt !== null && y.endedAt !== null && x.estimated !== y.estimated) return x.estimated ? y : x;
  return y.lastSeenAt >= x.lastSeenAt ? y : x;
}

/** Epoch ms from an ISO time, or null. */
function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The time in EC2's StateTransitionReason, e.g. `User initiated (2026-11-27 10:00:00 GMT)`. */
export function transitionTime(reason: string | null): number | null {
  const match = reason?.match(/\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)/);
  if (!match) return null;
  return parseTime(`${match[1]}T${match[2]}Z`);
}

/** Epoch ms of the first instant of the UTC calendar month containing `epochMs`. */
export function utcMonthStart(epochMs: number): number {
  const date = new Date(epochMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** `2026-11` for any instant in November 2026 UTC. */
export function utcMonthKey(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** Billed milliseconds of one run inside [from, to), counting the 60 s minimum where the run starts. */
export function billedMs(interval: RunInterval, from: number, to: number, now: number): number {
  const end = interval.endedAt ?? now;
  const overlap = Math.max(0, Math.min(end, to) - Math.max(interval.startedAt, from));
  const startsInside = interval.startedAt >= from && interval.startedAt < to;
  const shortfall = Math.max(0, MINIMUM_BILLED_MS - Math.max(0, end - interval.startedAt));
  return overlap + (startsInside ? shortfall : 0);
}

/** What the runs cost inside [from, to); runs without a price count as zero and are reported. */
export function costBetween(history: RunHistory, from: number, to: number, now: number): { usd: number; unpriced: boolean } {
  let usd = 0;
  let unpriced = false;
  for (const interval of history.intervals) {
    const ms = billedMs(interval, from, to, now);
    if (ms === 0) continue;
    if (interval.hourlyUsd === null) unpriced = true;
    else usd += (interval.hourlyUsd * ms) / HOUR_MS;
  }
  return { usd, unpriced };
}

/** The latest run, as a surface shows it. */
export interface SessionCost {
  readonly instanceId: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly running: boolean;
  /** Null when the run has no known price: unknown, never counted as zero. */
  readonly usd: number | null;
  readonly hourlyUsd: number | null;
  readonly priceSource: PriceSource | null;
}

/** The current run (or, when stopped, the last one); null when there has been none. */
export function sessionCost(history: RunHistory | null, now: number): SessionCost | null {
  const last = history?.intervals.at(-1);
  if (last === undefined) return null;
  const ms = billedMs(last, last.startedAt, Number.POSITIVE_INFINITY, now);
  return {
    instanceId: last.instanceId,
    startedAt: last.startedAt,
    endedAt: last.endedAt,
    running: last.endedAt === null,
    usd: last.hourlyUsd === null ? null : (last.hourlyUsd * ms) / HOUR_MS,
    hourlyUsd: last.hourlyUsd,
    priceSource: last.priceSource,
  };
}

/** This UTC month's cost. */
export interface MonthCost {
  /** `2026-11`. */
  readonly month: string;
  readonly usd: number;
  /** False when the history starts after the month began: the real figure may be higher. */
  readonly complete: boolean;
  /** True when some run had no known price and counts as zero. */
  readonly unpriced: boolean;
}

/** Instance cost of the UTC calendar month containing `now`, up to `now`. */
export function monthCost(history: RunHistory | null, now: number): MonthCost {
  const from = utcMonthStart(now);
  if (history === null) return { month: utcMonthKey(now), usd: 0, complete: false, unpriced: false };
  const { usd, unpriced } = costBetween(history, from, now + 1, now);
  return { month: utcMonthKey(now), usd, complete: history.completeSince <= from, unpriced };
}

/** The fields `rig status --json` and the tray need. */
export interface CostSummary {
  /** The current run's cost; 0 when not running; null when it runs at an unknown rate. */
  readonly sessionUsd: number | null;
  /** The month's priced runs; with `monthUnpriced`, only a floor. */
  readonly monthUsd: number;
  readonly monthComplete: boolean;
  /** True when a run this month has no known price, so `monthUsd` leaves it out. */
  readonly monthUnpriced: boolean;
  readonly running: boolean;
}

/** Session and month cost at `now`. */
export function costSummary(history: RunHistory | null, now: number): CostSummary {
  const session = sessionCost(history, now);
  const month = monthCost(history, now);
  return {
    sessionUsd: session?.running ? session.usd : 0,
    monthUsd: month.usd,
    monthComplete: month.complete,
    monthUnpriced: month.unpriced,
    running: session?.running ?? false,
  };
}
