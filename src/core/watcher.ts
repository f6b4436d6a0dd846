import type { Snapshot } from '../shared/workstation.js';
import { offlinePollDelay } from './poll-policy.js';
import type { Clock } from './ports.js';
import type { WorkstationService } from './workstation-service.js';

/**
 * Keeps one workstation's snapshot fresh: polls fast while a transition is under way, slowly
 * when steady, backing off while AWS cannot be reached, and at once when asked (`refreshNow`,
 * e.g. on resume, network return or a UI click).
 */
export class Watcher {
  private wake = new AbortController();
  private running = false;
  private stopped = new AbortController();
  private loop: Promise<void> | null = null;
  private forceNext = false;
  /** Refreshes in a row that could not reach AWS: the watcher backs off while offline. */
  private failures = 0;

  constructor(
    private readonly service: WorkstationService,
    private readonly clock: Clock,
    private readonly name: string,
  ) {}

  /** Starts polling; snapshots arrive through the service's onDidChange. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = new AbortController();
    this.loop = this.run();
  }

  /** Asks EC2 now instead of waiting for the next poll (e.g. after a click, on resume). */
  refreshNow(): void {
    this.forceNext = true;
    this.wake.abort();
  }

  /** Stops polling and waits for an in-flight refresh to end. */
  async dispose(): Promise<void> {
    this.running = false;
    this.stopped.abort();
    this.wake.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wake = new AbortController();
      let snapshot: Snapshot | null = null;
      try {
        const force = this.forceNext;
        this.forceNext = false;
        snapshot = await this.service.refresh(this.name, { force });
      } catch {
        // A missing spec (deleted settings) is not fatal to the loop; look again later.
      }
      if (!this.running) break;
      this.failures = snapshot?.error?.code === 'EndpointUnreachable' ? this.failures + 1 : 0;
      const usual = snapshot ? this.service.nextDelay(snapshot) : 60_000;
      // Offline: back off (each poll may cost a whole request timeout); resume and network return call refreshNow.
      const delay = this.failures > 0 ? offlinePollDelay(usual, this.failures) : usual;
      await this.clock.sleep(delay, AbortSignal.any([this.wake.signal, this.stopped.signal]));
    }
  }
}
