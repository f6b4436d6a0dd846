import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { mergeRunHistories, type RunHistory, type RunHistoryStore } from '../../core/cost-meter.js';
import type { Locks } from '../../core/ports.js';
import { writeFileAtomic } from './atomic-file.js';
import { readJsonFile } from './json-file.js';

const FILE_SUFFIX = '.runs.json';

const RunIntervalSchema = z.object({
  instanceId: z.string().min(1),
  instanceType: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  lastSeenAt: z.number(),
  hourlyUsd: z.number().nonnegative().nullable(),
  priceSource: z.enum(['live', 'bundled']).nullable(),
  estimated: z.boolean(),
});

const RunHistoryFileSchema = z.object({
  version: z.literal(1),
  workstation: z.string().min(1),
  completeSince: z.number(),
  intervals: z.array(RunIntervalSchema),
});

/**
 * Run intervals per workstation as `<home>/cost/<workstation>.runs.json`, written atomically
 * (temp file, then rename), so the month's cost survives restarts and is shared by the app and the
 * CLI. Updates run under the workstation's lock when one is given, and merge with what is on disk
 * either way, so two writers never lose each other's runs.
 */
export class FileRunHistoryStore implements RunHistoryStore {
  constructor(
    private readonly home: string,
    private readonly locks: Locks | null = null,
  ) {}

  /** Where a workstation's runs live. */
  pathOf(workstation: string): string {
    return join(this.dir(), `${workstation}${FILE_SUFFIX}`);
  }

  async read(workstation: string): Promise<RunHistory | null> {
    // Damaged or missing: the meter rebuilds the current run from AWS's launch time.
    const file = await readJsonFile(this.pathOf(workstation), RunHistoryFileSchema);
    if (!file || file.workstation !== workstation) return null;
    const { version: _version, ...history } = file;
    return history;
  }

  async update(workstation: string, change: (current: RunHistory | null) => RunHistory): Promise<RunHistory> {
    const work = async (): Promise<RunHistory> => {
      const current = await this.read(workstation);
      const changed = change(current);
      // Anything another writer put there since `current` was read survives the merge.
      const latest = await this.read(workstation);
      const unchanged = JSON.stringify(latest) === JSON.stringify(current);
      const merged = latest === null || unchanged ? changed : mergeRunHistories(latest, changed);
      const next = { ...merged, intervals: [...merged.intervals].sort((a, b) => a.startedAt - b.startedAt) };
      await writeFileAtomic(this.pathOf(workstation), `${JSON.stringify({ version: 1, ...next }, null, 2)}\n`);
      return next;
    };
    return this.locks === null ? work() : this.locks.withLock(`cost-${workstation}`, work);
  }

  async list(): Promise<RunHistory[]> {
    let names: string[];
    try {
      names = await readdir(this.dir());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const histories = await Promise.all(
      names.filter((name) => name.endsWith(FILE_SUFFIX)).map((name) => this.read(name.slice(0, -FILE_SUFFIX.length))),
    );
    return histories.filter((history): history is RunHistory => history !== null);
  }

  private dir(): string {
    return join(this.home, 'cost');
  }
}
