import type { Clock } from '../src/core/ports.js';
import { systemClock } from '../src/adapters/system-clock.js';

/**
 * A clock whose sleeps pass `factor` times faster than real time, so an hour of the watcher's
 * idle polling takes seconds. Only sleeping is accelerated: the time spent working (AWS calls,
 * ssh probes) passes at real speed, so the simulated poll period is sleep + real work, as it
 * would be on the real clock. Meant for one sleeper at a time (the watcher).
 */
export class AcceleratedClock implements Clock {
  private skipped = 0;

  constructor(private readonly factor: number) {}

  now(): number {
    return Date.now() + this.skipped;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const real = ms / this.factor;
    const started = Date.now();
    await systemClock.sleep(real, signal);
    // Up to `real` ms of the sleep count `factor` times; lateness of the timer passes at real speed.
    this.skipped += Math.min(Date.now() - started, real) * (this.factor - 1);
  }
}
