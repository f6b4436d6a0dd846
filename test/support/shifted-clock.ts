import type { Clock } from '../../src/core/ports.js';
import { systemClock } from '../../src/adapters/system-clock.js';

/**
 * The real clock, shifted: `now()` runs ahead by whatever the test jumped, while sleeps take real
 * time. For tests of a whole running app (real polling, real AWS and ssh peers) where hours must pass.
 */
export class ShiftedClock implements Clock {
  #offset = 0;

  now(): number {
    return systemClock.now() + this.#offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }

  /** Moves "now" forward by `ms` at once. */
  jump(ms: number): void {
    this.#offset += ms;
  }
}
