// Price lookups that run side by side, as the workstation form's type list and the GPU picker do:
// the price catalog against the cloud proxy's Pricing API (GetProducts in its wire format).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsPriceCatalog } from '../../src/adapters/aws/pricing.js';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { FakeClock } from '../unit/support/fake-clock.js';

let cloud: Cloud;
let home: string;
let clock: FakeClock;
const cacheFile = (): string => join(home, 'cache', 'prices.json');

beforeAll(async () => {
  cloud = await startCloud();
});

afterAll(async () => {
  await cloud?.close();
});

beforeEach(async () => {
  await cloud.reset();
  home = mkdtempSync(join(tmpdir(), 'cloudrig-pricing-lookups-'));
  clock = new FakeClock('2026-11-10T09:00:00Z');
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('price lookups side by side', () => {
  it('a type the price list lacks falls back to the table without making the other types bundled', async () => {
    cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5 })]);
    const catalog = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
    expect(await catalog.onDemandHourly('us-east-1', 'g5.xlarge')).toMatchObject({ source: 'bundled' });
    expect(await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge')).toMatchObject({ usd: 0.5, source: 'live' });
    // The type without a product is not asked about again at every look.
    cloud.proxy.resetCounts();
    expect(await catalog.onDemandHourly('us-east-1', 'g5.xlarge')).toMatchObject({ source: 'bundled' });
    expect(cloud.proxy.counts().GetProducts ?? 0).toBe(0);
  });

  it('keeps every live price of lookups that ran at the same time', async () => {
    cloud.proxy.setPriceList([
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5 }),
      onDemandPriceEntry({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', usd: 1.0 }),
      onDemandPriceEntry({ instanceType: 'g6.xlarge', regionCode: 'us-east-1', usd: 0.8 }),
    ]);
    const catalog = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
    await Promise.all(['g4dn.xlarge', 'g5.xlarge', 'g6.xlarge'].map((type) => catalog.onDemandHourly('us-east-1', type)));
    // A restart reads all three from the cache in the home, without asking Pricing.
    cloud.proxy.resetCounts();
    const restarted = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
    const prices = await Promise.all(['g4dn.xlarge', 'g5.xlarge', 'g6.xlarge'].map((type) => restarted.onDemandHourly('us-east-1', type)));
    expect(prices.map((price) => [price?.usd, price?.source])).toEqual([[0.5, 'live'], [1.0, 'live'], [0.8, 'live']]);
    expect(cloud.proxy.counts().GetProducts ?? 0).toBe(0);
  });
});
