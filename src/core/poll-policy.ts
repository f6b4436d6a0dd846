import type { Snapshot } from '../shared/workstation.js';
import { isTransitional } from './phase.js';

/** Poll intervals, ms. Steady phases stay under one DescribeInstances a minute. */
export const POLL = {
  fast: 500,
  sshProbe: 500,
  slowest: 5_000,
  /** A wait that has lasted five minutes is in no hurry: a few seconds more do not matter. */
  patient: 15_000,
  steady: 60_000,
} as const;

/**
 * How long to wait before looking again. Fast while a transition is under way (backing off
 * slowly for long ones such as imaging), slow when nothing is changing.
 */
export function nextPollDelay(snapshot: Snapshot, transitionStartedAt: number | null, now: number): number {
  if (!isTransitional(snapshot.phase)) return POLL.steady;
  const elapsed = transitionStartedAt === null ? 0 : Math.max(0, now - transitionStartedAt);
  // Double the interval for each 2 minutes the transition (or the wait for ssh) has lasted.
  const doublings = Math.floor(elapsed / 120_000);
  return Math.min(POLL.fast * 2 ** doublings, POLL.slowest);
}

/**
 * The shortest delay between polls of a command waiting since `waitStartedAt` (rig up, stop,
 * down): half a second at first, doubling each minute, at most 5 s for the first five minutes and
 * 15 s after. A 15-minute wait costs under 300 DescribeInstances, not ~1,800.
 */
export function waitPollDelay(waitStartedAt: number, now: number): number {
  const elapsed = Math.max(0, now - waitStartedAt);
  const doublings = Math.min(Math.floor(elapsed / 60_000), 10);
  return Math.min(POLL.fast * 2 ** doublings, elapsed < 5 * 60_000 ? POLL.slowest : POLL.patient);
}

/**
 * While AWS cannot be reached, the watcher looks again after this long: the steady pace (or the
 * transition's) doubled for each failure in a row, at most every five minutes. Resume and network
 * return refresh at once instead (FleetWatch.refreshNow).
 */
export function offlinePollDelay(usualDelay: number, failuresInARow: number): number {
  const doublings = Math.min(Math.max(0, failuresInARow - 1), 10);
  return Math.min(Math.max(usualDelay, POLL.slowest) * 2 ** doublings, 5 * 60_000);
}

/**
 * While the instance runs but ssh has not answered yet, each poll probes ssh; EC2 is asked again
 * only this often (a stop from elsewhere is still noticed), so a box whose ssh never answers does
 * not cost a DescribeInstances every half second.
 */
export function describeIntervalWhileProbing(transitionStartedAt: number | null, now: number): number {
  const elapsed = transitionStartedAt === null ? 0 : Math.max(0, now - transitionStartedAt);
  return elapsed < 10 * 60_000 ? 10_000 : POLL.steady;
}
