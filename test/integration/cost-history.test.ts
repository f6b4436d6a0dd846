// The run history file on a real disk: atomic writes, restarts, and two writers (app and CLI).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { FileLocks } from '../../src/adapters/store/file-locks.js';
import { costSummary, observeRun, type RunHistory } from '../../src/core/cost-meter.js';
import type { InstanceFacts } from '../../src/shared/workstation.js';

const HOUR = 3_600_000;
const RATE = { usd: 0.526, source: 'live' as const };
const t0 = Date.parse('2026-11-10T08:00:00Z');

function running(instanceId: string, launchedAt: number): InstanceFacts {
  return {
    instanceId,
    state: 'running',
    instanceType: 'g4dn.xlarge',
    publicIp: '203.0.113.10',
    publicDns: null,
    launchedAt: new Date(launchedAt).toISOString(),
    availabilityZone: 'us-east-1a',
    spot: false,
    imageId: 'ami-1',
    stateReason: null,
  };
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cloudrig-cost-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('FileRunHistoryStore', () => {
  it('keeps the runs across a restart: a new store on the same home reads what the last one wrote', async () => {
    const store = new FileRunHistoryStore(home);
    await store.update('gpu', (h) => observeRun(h, 'gpu', { facts: running('i-1', t0), rate: RATE, now: t0 + HOUR }));

    const afterRestart = new FileRunHistoryStore(home);
    const history = await afterRestart.read('gpu');
    expect(history?.intervals).toHaveLength(1);
    expect(costSummary(history, t0 + 2 * HOUR).sessionUsd).toBeCloseTo(2 * 0.526, 6);
    expect((await afterRestart.list()).map((h) => h.workstation)).toEqual(['gpu']);
  });

  it('writes atomically: the file is whole JSON and no temp file is left behind', async () => {
    const store = new FileRunHistoryStore(home);
    for (let i = 0; i < 5; i++) {
      await store.update('gpu', (h) => observeRun(h, 'gpu', { facts: running('i-1', t0), rate: RATE, now: t0 + i * 60_000 }));
    }
    expect(readdirSync(join(home, 'cost'))).toEqual(['gpu.runs.json']);
    expect(JSON.parse(readFileSync(store.pathOf('gpu'), 'utf8'))).toMatchObject({ version: 1, workstation: 'gpu' });
  });

  it('loses no run when the app and the CLI update at the same moment', async () => {
    const locks = new FileLocks(home);
    const app = new FileRunHistoryStore(home, locks);
    const cli = new FileRunHistoryStore(home, locks);
    const addRun = (instanceId: string, start: number) => (h: RunHistory | null): RunHistory => {
      const base: RunHistory = h ?? { workstation: 'gpu', completeSince: t0, intervals: [] };
      return { ...base, intervals: [...base.intervals, {
        instanceId, instanceType: 'g4dn.xlarge', startedAt: start, endedAt: start + HOUR, lastSeenAt: start + HOUR,
        hourlyUsd: 0.526, priceSource: 'live', estimated: false,
      }] };
    };
    await Promise.all([
      ...[0, 2, 4].map((n) => app.update('gpu', addRun('i-app', t0 + n * HOUR))),
      ...[1, 3, 5].map((n) => cli.update('gpu', addRun('i-cli', t0 + n * HOUR))),
    ]);
    const history = await app.read('gpu');
    expect(history?.intervals.map((i) => (i.startedAt - t0) / HOUR)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('treats a damaged file as no history, so the meter rebuilds from AWS', async () => {
    const store = new FileRunHistoryStore(home);
    await store.update('gpu', (h) => observeRun(h, 'gpu', { facts: running('i-1', t0), rate: RATE, now: t0 }));
    writeFileSync(store.pathOf('gpu'), '{"version": 1, "workstation": "gpu", "interv');
    expect(await store.read('gpu')).toBeNull();
    const rebuilt = await store.update('gpu', (h) => observeRun(h, 'gpu', { facts: running('i-1', t0), rate: RATE, now: t0 + HOUR }));
    expect(rebuilt.intervals).toEqual([expect.objectContaining({ startedAt: t0, endedAt: null })]);
  });

  it('has nothing for a workstation never seen', async () => {
    const store = new FileRunHistoryStore(home);
    expect(await store.read('nope')).toBeNull();
    expect(await store.list()).toEqual([]);
  });
});
