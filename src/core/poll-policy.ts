import type { Snapshot } from '../shared/workstation.js';
import { isTransitional } from './phase.js';

/** Poll intervals, ms. Steady phases stay under one DescribeInstances a minute. */
export const POLL = {
  fast: 500,
  sshProbe: 500,
  slowest: 5_000,
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
 * While the instance runs but ssh has not answered yet, each poll probes ssh; EC2 is asked again
 * only this often (a stop from elsewhere is still noticed), so a box whose ssh never answers does
 * not cost a DescribeInstances every half second.
 */
export function describeIntervalWhileProbing(transitionStartedAt: number | null, now: number): number {
  const elapsed = transitionStartedAt === null ? 0 : Math.max(0, now - transitionStartedAt);
  return elapsed < 10 * 60_000 ? 10_000 : POLL.steady;
}
