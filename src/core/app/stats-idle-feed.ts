import type { Snapshot } from '../../shared/workstation.js';
import { runKey } from '../run-key.js';
import { foldStatsIdle, type StatsIdle } from '../stats-idle.js';
import type { Rig } from './rig.js';
import type { StatsReading } from './stats.js';

/** Where the stats' view of idleness goes (the monitor's noteStatsIdle). */
export type StatsIdleSink = (name: string, run: string | null, status: StatsIdle) => void;

/**
 * Turns the GPU panel's readings into idle evidence for the reminders: each reading of a ready
 * workstation is folded, with its busy threshold, into the view of the run it belongs to, and the
 * result handed on. A new run (a stop and start) starts from nothing.
 */
export class StatsIdleFeed {
  private last: { name: string; run: string | null; status: StatsIdle } | null = null;

  constructor(private readonly sink: StatsIdleSink) {}

  /** A reading arrived for `snapshot`'s workstation (the snapshot it was taken under). */
  note(rig: Rig, snapshot: Snapshot | null, reading: StatsReading): void {
    if (snapshot === null || snapshot.phase !== 'ready') return;
    let gpuBusyPercent: number;
    try {
      gpuBusyPercent = rig.spec(snapshot.name).autoStop.gpuBusyPercent;
    } catch {
      return; // removed meanwhile: nothing to remind about
    }
    const run = runKey(snapshot);
    const previous = this.last !== null && this.last.name === snapshot.name && this.last.run === run ? this.last.status : null;
    const status = foldStatsIdle(previous, reading, gpuBusyPercent);
    this.last = { name: snapshot.name, run, status };
    this.sink(snapshot.name, run, status);
  }
}
