import { hoursAndMinutes } from './format.js';

// When a kept-alive session tries again after its connection dropped (a laptop waking up, a new
// network): soon at first, since most drops are brief, then ever more rarely, never rarer than
// the cap, so a box that comes back is found within one cap's time. Jittered, so a laptop with
// many sessions (or many laptops behind one restarted router) does not knock all at once.

/** How a reconnect spaces its attempts. */
export interface BackoffPolicy {
  /** The wait before the second attempt (the first is at once). */
  readonly firstMs: number;
  /** Each wait is this many times the one before, until the cap. */
  readonly factor: number;
  /** No wait is longer than this, however many attempts failed. */
  readonly capMs: number;
}

/** One second, doubling, at most 30 s apart. */
export const RECONNECT_BACKOFF: BackoffPolicy = { firstMs: 1_000, factor: 2, capMs: 30_000 };

/**
 * The wait after failed attempt number `attempt` (0 for the first failure): the policy's step for
 * that attempt, capped, of which the upper half is random ("equal jitter"): never less than half
 * the step, so a dead box is not hammered, and never more than the cap. `random` is in [0, 1).
 */
export function reconnectDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = RECONNECT_BACKOFF): number {
  const step = Math.min(policy.capMs, policy.firstMs * policy.factor ** Math.max(0, Math.min(attempt, 64)));
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * jitter);
}

/** "4 s", "2 min": how long a connection was away, for the line that says it is back. */
export function awayFor(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds} s` : hoursAndMinutes(ms);
}
