import { describe, expect, it } from 'vitest';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { useRigWorld } from '../support/rig-harness.js';
import { listGpuOffers } from '../../src/adapters/aws/gpu-offers.js';

const world = useRigWorld({ eachTest: { init: false } });

interface Row {
  region: string; instanceType: string; gpuModel: string; gpuCount: number; gpuMemoryGiB: number; vcpus: number; memoryGiB: number;
  onDemandUsd: number | null; onDemandSource: string | null; spotUsd: number | null; spotSource: string | null;
  quotaCode: string | null; quotaVcpus: number | null; canLaunch: boolean | null;
}

async function gpus(args: readonly string[]): Promise<Row[]> {
  const result = await world.rig(['gpus', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Row[];
}

describe('rig gpus: GPU types by price, with the quota', () => {
  it('with expired credentials fails with the mapped error line, never "No GPU instance types" and exit 0', async () => {
    world.cloud.proxy.inject({ action: '*', kind: 'expired-credentials', times: Infinity });
    for (const args of [['--region', 'us-east-1'], ['--region', 'us-east-1', '--json']]) {
      const result = await world.rig(['gpus', ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toMatch(/^error: Your AWS credentials have expired\. Fix: Refresh them/);
      expect(result.stderr).not.toMatch(/No GPU instance types|skipped/);
    }
  });

  it('lists T4, A10G and L4 types with live on-demand and spot prices and the G quota, cheapest first', async () => {
    world.cloud.proxy.setPriceList([
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.526 }),
      onDemandPriceEntry({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', usd: 1.006 }),
      onDemandPriceEntry({ instanceType: 'g6.xlarge', regionCode: 'us-east-1', usd: 0.8048 }),
    ]);
    world.cloud.proxy.setQuota('L-DB2E81BA', 8);
    world.cloud.proxy.setSpotPrices([
      { region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'g4dn.xlarge', usd: 0.1578 },
      { region: 'us-east-1', availabilityZone: 'us-east-1b', instanceType: 'g4dn.xlarge', usd: 0.2104 },
      { region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'g5.xlarge', usd: 0.4412 },
      { region: 'us-west-2', availabilityZone: 'us-west-2a', instanceType: 'g6.xlarge', usd: 0.3 },
    ]);
    const rows = await gpus(['--region', 'us-east-1']);

    const byType = new Map(rows.map((row) => [row.instanceType, row]));
    expect(byType.get('g4dn.xlarge')).toMatchObject({ gpuModel: 'NVIDIA T4', gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 16, onDemandUsd: 0.526, onDemandSource: 'live', quotaVcpus: 8, canLaunch: true });
    expect(byType.get('g5.xlarge')).toMatchObject({ gpuModel: 'NVIDIA A10G', onDemandUsd: 1.006, onDemandSource: 'live' });
    expect(byType.get('g6.xlarge')).toMatchObject({ gpuModel: 'NVIDIA L4', onDemandUsd: 0.8048, onDemandSource: 'live' });
    // Sorted by on-demand price (live or bundled), cheapest first.
    const onDemand = rows.map((r) => r.onDemandUsd ?? Number.POSITIVE_INFINITY);
    expect(onDemand).toEqual([...onDemand].sort((a, b) => a - b));
    const priced = rows.map((r) => r.instanceType).filter((t) => ['g4dn.xlarge', 'g5.xlarge', 'g6.xlarge'].includes(t));
    expect(priced).toEqual(['g4dn.xlarge', 'g6.xlarge', 'g5.xlarge']);
    // A type bigger than the quota says so before a launch fails.
    expect(byType.get('g4dn.4xlarge')).toMatchObject({ vcpus: 16, quotaVcpus: 8, canLaunch: false });
    // Spot prices come from DescribeSpotPriceHistory, labelled live: the highest zone's price (an estimate that errs high).
    expect(byType.get('g4dn.xlarge')).toMatchObject({ spotUsd: 0.2104, spotSource: 'live' });
    expect(byType.get('g5.xlarge')).toMatchObject({ spotUsd: 0.4412, spotSource: 'live' });
    expect(byType.get('g6.xlarge')).toMatchObject({ spotUsd: null, spotSource: null });
    // One DescribeSpotPriceHistory call for every type of the region, not one per type.
    expect(world.cloud.proxy.counts().DescribeSpotPriceHistory).toBe(1);
  });

  it('labels bundled prices when the Pricing API is denied, and says what bundled means', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    const rows = await gpus(['--region', 'us-east-1', '--gpu', 'T4']);
    expect(rows.find((r) => r.instanceType === 'g4dn.xlarge')).toMatchObject({ onDemandUsd: 0.526, onDemandSource: 'bundled' });
    expect(rows.every((r) => r.gpuModel === 'NVIDIA T4')).toBe(true);

    const text = await world.rig(['gpus', '--region', 'us-east-1', '--gpu', 't4']);
    expect(text.code, text.stderr).toBe(0);
    // A header names each column (the GPU's memory and the machine's would read as one "16 GiB  16 GiB").
    expect(text.stdout.split('\n')[0]).toMatch(/^GPU +GPUS +GPU MEMORY +CPUS +MEMORY +TYPE +REGION +ON-DEMAND +SPOT +QUOTA$/);
    expect(text.stdout).toMatch(/^NVIDIA T4 +×1 +16 GiB +4 vCPU +16 GiB +g4dn\.xlarge +us-east-1 +\$0\.526\/h bundled/m);
    expect(text.stdout).toMatch(/bundled: from the price table shipped with CloudRig/);
  });

  it('--gpu matches the whole model name, --max-usd the on-demand price and, with --spot, the spot price', async () => {
    world.cloud.proxy.setPriceList([
      onDemandPriceEntry({ instanceType: 'g6.xlarge', regionCode: 'us-east-1', usd: 0.8048 }),
      onDemandPriceEntry({ instanceType: 'g6.2xlarge', regionCode: 'us-east-1', usd: 0.9776 }),
      onDemandPriceEntry({ instanceType: 'g6.4xlarge', regionCode: 'us-east-1', usd: 1.3232 }),
    ]);
    // g6.4xlarge is dear on demand but cheap on spot.
    world.cloud.proxy.setSpotPrices([{ region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'g6.4xlarge', usd: 0.5 }]);
    const l4 = await gpus(['--region', 'us-east-1', '--gpu', 'L4']);
    expect(l4.length).toBeGreaterThan(3);
    expect(new Set(l4.map((r) => r.gpuModel))).toEqual(new Set(['NVIDIA L4']));
    // L4 is not L40S.
    expect(l4.some((r) => r.instanceType.startsWith('g6e.'))).toBe(false);

    const cheap = await gpus(['--region', 'us-east-1', '--gpu', 'L4', '--max-usd', '0.9']);
    expect(cheap.map((r) => r.instanceType)).toEqual(['g6.xlarge']);
    const cheapOnSpot = await gpus(['--region', 'us-east-1', '--gpu', 'L4', '--max-usd', '0.9', '--spot']);
    expect(cheapOnSpot.map((r) => r.instanceType)).toEqual(['g6.4xlarge']);

    const none = await world.rig(['gpus', '--region', 'us-east-1', '--gpu', 'L4', '--max-usd', '0.1']);
    expect(none.stdout.trim()).toBe('No GPU instance types with L4 at or under $0.1/h on demand in us-east-1.');
  });

  it('--all-regions prices each type in one Pricing pass for every region, and sorts across regions', async () => {
    world.cloud.proxy.setPriceList([
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.526 }),
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-west-2', usd: 0.51 }),
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'eu-west-1', usd: 0.587 }),
    ]);
    const rows = await gpus(['--all-regions', '--gpu', 'T4']);
    const live = rows.filter((r) => r.instanceType === 'g4dn.xlarge' && r.onDemandSource === 'live');
    expect(live.map((r) => [r.region, r.onDemandUsd])).toEqual([['us-west-2', 0.51], ['us-east-1', 0.526], ['eu-west-1', 0.587]]);
    // Regions the Pricing API did not price fall back to the bundled table, labelled, and everything is in price order.
    expect(rows.filter((r) => r.onDemandSource === 'bundled').length).toBeGreaterThan(0);
    const onDemand = rows.map((r) => r.onDemandUsd ?? Number.POSITIVE_INFINITY);
    expect(onDemand).toEqual([...onDemand].sort((a, b) => a - b));
    const types = new Set(rows.map((r) => r.instanceType));
    const regions = new Set(rows.map((r) => r.region));
    expect(regions.size).toBeGreaterThan(3);
    // GetProducts once per type (one page each here), not once per type and region.
    expect(world.cloud.proxy.counts().GetProducts).toBe(types.size);
    // Asked again within the day (here in-process, over the same home), the cache answers for every region.
    world.cloud.proxy.resetCounts();
    const core = world.core();
    // Regions the first run listed (a region moto was too slow to answer would have been skipped there).
    const bundledRegion = rows.find((r) => r.instanceType === 'g4dn.xlarge' && r.onDemandSource === 'bundled')!.region;
    const again = await listGpuOffers(core.access, core.prices, ['us-east-1', 'us-west-2', 'eu-west-1', bundledRegion], 'T4');
    expect(world.cloud.proxy.counts().GetProducts ?? 0).toBe(0);
    expect(again.offers.find((o) => o.region === 'us-west-2' && o.instanceType === 'g4dn.xlarge')?.onDemand).toMatchObject({ usd: 0.51, source: 'live' });
    expect(again.offers.find((o) => o.region === bundledRegion && o.instanceType === 'g4dn.xlarge')?.onDemand?.source).toBe('bundled');
  }, 180_000);

  it('refuses a GPU name or a price it cannot use, saying what to pass', async () => {
    const bad = await world.rig(['gpus', '--gpu', 'T4;rm -rf ~']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/is not a GPU model\. Fix: name one such as T4/);
    const price = await world.rig(['gpus', '--max-usd', 'cheap']);
    expect(price.code).not.toBe(0);
    expect(price.stderr).toMatch(/is not an hourly price\. Fix: pass USD per hour/);
    expect(world.cloud.proxy.counts().DescribeInstanceTypes ?? 0).toBe(0);
  });
});
