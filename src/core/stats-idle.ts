// The GPU stats as idle evidence for the reminders. The app reads the stats every 30 s while the
// workstation is ready (per-GPU utilisation, logged-in sessions); the box's idle watchdog is asked
// over ssh at most every few minutes, and only when auto-stop is on. Both say the same kind of
// thing — "idle since T" or "busy" — from different vantage points, so they are folded into the one
// IdleStatus the reminder policy takes. Pure: the caller keeps the state and passes the time.
//
// How the two combine (the newer evidence wins):
// - A snooze the watchdog reports (a keep-alive in the future) means not idle, whatever the stats say.
// - Whichever was observed last decides whether the machine is idle now: a busy stats reading clears
//   a stale "idle since" from the watchdog, a later watchdog answer overrides an older reading.
// - When idle, the stretch starts at the earliest "idle since" either source gives that no busy
//   stats reading contradicts (a busy reading at B means nothing was idle before B).
//   Only busy stats readings cut a stretch short this way: the watchdog also counts a lasting ssh
//   connection as use, and the app's own kept-alive connection (the one the readings come over) is
//   one, so its "busy" counts only while it is the newest answer.
// - With no watchdog answer (auto-stop off, so no probe runs; or it failed) the stats alone decide.
// - A busy notebook kernel, which the stats cannot see, holds until the watchdog's next answer: a
//   newer idle reading (no GPU work, nobody logged in) says nothing about it.
import type { IdleStatus } from './idle-watchdog.js';

/** What a stats reading tells about idleness (a StatsReading fits it). */
export interface IdleReading {
  /** Epoch ms the reading was taken. */
  readonly at: number;
  /** The GPUs; null when there is no nvidia-smi (or it failed). */
  readonly gpus: ReadonlyArray<{ readonly utilizationPercent: number | null }> | null;
  /** Logged-in sessions (`who`); null when they could not be read. */
  readonly sessions: number | null;
}

/** The stats' view of idleness after the readings so far in one run. */
export interface StatsIdle {
  /** Epoch ms of the latest reading. */
  readonly at: number;
  /** The first of the latest unbroken run of idle readings; null when the latest reading was not idle. */
  readonly idleSince: number | null;
  /** Epoch ms of the latest reading that was not idle; null when every reading so far was idle. */
  readonly lastBusyAt: number | null;
}

/** The watchdog's answer and when it was asked. */
export interface WatchdogAnswer {
  readonly status: IdleStatus;
  readonly askedAt: number;
}

/**
 * Whether one reading is idle, by the watchdog's own rule: no logged-in session and every GPU under
 * `gpuBusyPercent`. A GPU without a utilisation figure, or a box without nvidia-smi, does not count as
 * busy (a broken driver must not keep reminders quiet forever, as the watchdog does). Sessions that
 * could not be read are not evidence of idleness.
 */
export function readingIsIdle(reading: IdleReading, gpuBusyPercent: number): boolean {
  if (reading.sessions === null || reading.sessions > 0) return false;
  return (reading.gpus ?? []).every((gpu) => gpu.utilizationPercent === null || gpu.utilizationPercent < gpuBusyPercent);
}

/** Folds one more reading (of the same run) into the stats' view. A reading older than the latest is ignored. */
export function foldStatsIdle(previous: StatsIdle | null, reading: IdleReading, gpuBusyPercent: number): StatsIdle {
  if (previous !== null && reading.at < previous.at) return previous;
  if (!readingIsIdle(reading, gpuBusyPercent)) return { at: reading.at, idleSince: null, lastBusyAt: reading.at };
  return { at: reading.at, idleSince: previous?.idleSince ?? reading.at, lastBusyAt: previous?.lastBusyAt ?? null };
}

/** The stats' view of idleness from a run's readings (in any order); null without readings. */
export function statsIdle(readings: readonly IdleReading[], gpuBusyPercent: number): StatsIdle | null {
  return [...readings]
    .sort((a, b) => a.at - b.at)
    .reduce<StatsIdle | null>((state, reading) => foldStatsIdle(state, reading, gpuBusyPercent), null);
}

/**
 * The idle status the reminders take, from the watchdog's answer and the stats' view (either may be
 * missing), at `now`. See the top of this file for the rule.
 */
export function combinedIdle(watchdog: WatchdogAnswer | null, stats: StatsIdle | null, now: number): IdleStatus | null {
  const keptAwakeUntil = watchdog?.status.keptAwakeUntil ?? null;
  if (keptAwakeUntil !== null && keptAwakeUntil > now) return { idleSince: null, keptAwakeUntil };
  if (stats === null) return watchdog?.status ?? null;
  if (watchdog === null) return { idleSince: stats.idleSince, keptAwakeUntil: null };
  const statsNewer = stats.at >= watchdog.askedAt && watchdog.status.keptUpBy?.kind !== 'kernel';
  const idleNow = statsNewer ? stats.idleSince !== null : watchdog.status.idleSince !== null;
  // What keeps it up is the watchdog's word, as long as the watchdog too said it was in use.
  if (!idleNow) {
    const keptUpBy = watchdog.status.idleSince === null ? watchdog.status.keptUpBy ?? null : null;
    return { idleSince: null, keptAwakeUntil: null, ...(keptUpBy !== null ? { keptUpBy } : {}) };
  }
  const starts = [stats.idleSince, watchdog.status.idleSince]
    .filter((since): since is number => since !== null && (stats.lastBusyAt === null || since > stats.lastBusyAt));
  // Only the watchdog (newer) says idle, and a busy reading came after the start it gives: the
  // stretch began after that reading, no later than the watchdog was asked.
  return { idleSince: starts.length > 0 ? Math.min(...starts) : watchdog.askedAt, keptAwakeUntil: null };
}
