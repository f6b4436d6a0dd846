import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import type { RunHistory, RunInterval } from '../../src/core/cost-meter.js';
import { CostTracker } from '../../src/core/cost-tracker.js';
import type { PriceCatalog } from '../../src/core/price-catalog.js';

// The monitor's budget counts every workstation's month, read from the run histories on disk
// alone: no price is looked up and no AWS call is made (the catalog here refuses every question).
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12);

const refusingCatalog: PriceCatalog = {
  onDemandHourly: () => Promise.reject(new Error('monthSpend asked for a price')),
  spotHourly: () => Promise.reject(new Error('monthSpend asked for a price')),
  storage: () => Promise.reject(new Error('monthSpend asked for a price')),
};

function run(startedAt: number, hours: number, hourlyUsd: number): RunInterval {
  const endedAt = startedAt + hours * HOUR;
  return { instanceId: 'i-0123456789abcdef0', instanceType: 'g4dn.xlarge', startedAt, endedAt, lastSeenAt: endedAt, hourlyUsd, priceSource: 'bundled', estimated: false };
}

function history(workstation: string, intervals: RunInterval[]): RunHistory {
  return { workstation, completeSince: Date.UTC(2026, 0, 1), intervals };
}

let home: string;
let store: FileRunHistoryStore;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-month-'));
  store = new FileRunHistoryStore(home);
  await store.update('gpu', () => history('gpu', [run(NOW - 5 * HOUR, 2, 1)]));
  // Three hours last month do not count; one hour this month at 0.5 does.
  await store.update('big', () => history('big', [run(Date.UTC(2026, 9, 30), 3, 4), run(NOW - 10 * HOUR, 1, 0.5)]));
});

afterEach(() => rm(home, { recursive: true, force: true }));

describe('CostTracker.monthSpend', () => {
  it("sums this UTC month over every workstation's history, or over all but one, without pricing anything", async () => {
    const tracker = new CostTracker(refusingCatalog, store);
    const usd = async (options?: { except: string }) => (await tracker.monthSpend(NOW, options)).usd;
    expect(await tracker.monthSpend(NOW)).toMatchObject({ unpriced: false });
    expect(await usd()).toBeCloseTo(2.5, 9);
    expect(await usd({ except: 'gpu' })).toBeCloseTo(0.5, 9);
    expect(await usd({ except: 'big' })).toBeCloseTo(2, 9);
    expect(await usd({ except: 'gpu' })).toBeCloseTo((await tracker.report([], new Map(), NOW)).workstations.find((w) => w.name === 'big')!.monthUsd, 9);
  });

  it('is 0 with no history', async () => {
    const tracker = new CostTracker(refusingCatalog, new FileRunHistoryStore(join(home, 'empty')));
    expect(await tracker.monthSpend(NOW)).toEqual({ usd: 0, unpriced: false });
  });
});
