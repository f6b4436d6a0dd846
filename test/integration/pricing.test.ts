// The price catalog against the cloud proxy (Pricing GetProducts in its wire format: PriceList
// entries as JSON strings) and moto (DescribeSpotPriceHistory, volumes, images, snapshots).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/adapters/aws/client-config.js';
import { AwsKeptResources } from '../../src/adapters/aws/kept-resources.js';
import { factsOf } from '../../src/adapters/aws/ec2-gateway.js';
import { AwsPriceCatalog } from '../../src/adapters/aws/pricing.js';
import { FileRunHistoryStore } from '../../src/adapters/store/cost-history.js';
import { stillCosting } from '../../src/core/still-costing.js';
import { CostTracker } from '../../src/core/cost-tracker.js';
import { BUNDLED_PRICES_AT, hourlyRateOf } from '../../src/core/price-catalog.js';
import { TAG_MANAGED, TAG_WORKSTATION } from '../../src/core/ports.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';
import { DLAMI_IMAGE_ID, startCloud, type Cloud } from '../fixtures/cloud.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { freePort } from '../fixtures/free-port.js';
import { FakeClock } from '../unit/support/fake-clock.js';

const DAY = 24 * 3_600_000;

let cloud: Cloud;

beforeAll(async () => {
  cloud = await startCloud();
});

afterAll(async () => {
  await cloud?.close();
});

let home: string;
let clock: FakeClock;
let catalog: AwsPriceCatalog;
const cacheFile = (): string => join(home, 'cache', 'prices.json');

beforeEach(async () => {
  await cloud.reset();
  home = mkdtempSync(join(tmpdir(), 'cloudrig-pricing-'));
  clock = new FakeClock('2026-11-10T09:00:00Z');
  catalog = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** The real product next to look-alikes the filters must exclude. */
function priceList(usd: number) {
  return [
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 2.004, attributes: { operatingSystem: 'Windows' } }),
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 1.1, attributes: { tenancy: 'Dedicated' } }),
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.4, attributes: { capacitystatus: 'UnusedCapacityReservation' } }),
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.9, attributes: { preInstalledSw: 'SQL Web' } }),
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'eu-west-1', usd: 0.587 }),
    onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd }),
  ];
}

describe('AwsPriceCatalog: on-demand', () => {
  it('reads the live Linux on-demand price from GetProducts and labels it live', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    const price = await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge');
    expect(price).toEqual({ usd: 0.5412, source: 'live', fetchedAt: clock.now() });
    expect(cloud.proxy.counts().GetProducts).toBe(1);
  });

  it('a price list that never stops paginating is read only so far: one region and every region each end with the live price', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    cloud.proxy.setPricingPagesEndless(true);
    expect(await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge')).toMatchObject({ usd: 0.5412, source: 'live' });
    const oneRegion = cloud.proxy.counts().GetProducts ?? 0;
    expect(oneRegion).toBe(5);
    const byRegion = await catalog.onDemandHourlyByRegion('g4dn.xlarge', ['eu-west-1']);
    expect(byRegion.get('eu-west-1')).toMatchObject({ usd: 0.587, source: 'live' });
    expect((cloud.proxy.counts().GetProducts ?? 0) - oneRegion).toBe(20);
  });

  it('falls back to the bundled 0.526 for g4dn.xlarge in us-east-1 when Pricing is denied, labelled bundled', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    cloud.proxy.setPricingAvailable(false);
    const price = await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge');
    expect(price).toEqual({ usd: 0.526, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT });
    expect(catalog.lastPricingError).toMatch(/AccessDenied/);
  });

  it('falls back to the bundled table when the Pricing endpoint does not answer', async () => {
    const closed = await freePort();
    const env = { ...cloud.env, AWS_ENDPOINT_URL_PRICING: `http://127.0.0.1:${closed}` };
    const offline = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env } });
    expect(await offline.onDemandHourly('us-east-1', 'g4dn.xlarge')).toMatchObject({ usd: 0.526, source: 'bundled' });
  });

  it('after a failure, answers from the bundled table without asking Pricing again for a while', async () => {
    cloud.proxy.setPricingAvailable(false);
    await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge');
    await catalog.onDemandHourly('us-east-1', 'g5.xlarge');
    expect(cloud.proxy.counts().GetProducts).toBe(1);

    cloud.proxy.setPricingAvailable(true);
    cloud.proxy.setPriceList(priceList(0.5412));
    clock.advance(11 * 60_000);
    expect(await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge')).toMatchObject({ usd: 0.5412, source: 'live' });
  });

  it('caches a live price for a day in the home, across catalog instances (a restart)', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge');
    expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toMatchObject({
      version: 1,
      onDemand: { 'us-east-1 g4dn.xlarge': { usd: 0.5412, fetchedAt: clock.now() } },
    });

    const fetchedAt = clock.now();
    clock.advance(23 * 3_600_000);
    const restarted = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
    expect(await restarted.onDemandHourly('us-east-1', 'g4dn.xlarge')).toEqual({ usd: 0.5412, source: 'live', fetchedAt });
    expect(cloud.proxy.counts().GetProducts).toBe(1);

    // A day on, it asks again and takes the new price.
    cloud.proxy.setPriceList(priceList(0.55));
    clock.advance(2 * 3_600_000);
    expect(await restarted.onDemandHourly('us-east-1', 'g4dn.xlarge')).toEqual({ usd: 0.55, source: 'live', fetchedAt: clock.now() });
    expect(cloud.proxy.counts().GetProducts).toBe(2);
  });

  it('prefers a day-old live price to the bundled one when Pricing is down, keeping its fetch time', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    const fetchedAt = clock.now();
    await catalog.onDemandHourly('us-east-1', 'g4dn.xlarge');
    clock.advance(3 * DAY);
    cloud.proxy.setPricingAvailable(false);
    const later = new AwsPriceCatalog({ cacheFile: cacheFile(), clock, access: { env: cloud.env } });
    expect(await later.onDemandHourly('us-east-1', 'g4dn.xlarge')).toEqual({ usd: 0.5412, source: 'live', fetchedAt });
  });

  it('uses the bundled price when Pricing has no product for the type, and null when nobody knows it', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    expect(await catalog.onDemandHourly('us-west-2', 'g5.xlarge')).toMatchObject({ usd: 1.006, source: 'bundled' });
    expect(await catalog.onDemandHourly('us-east-1', 'x9z.mega')).toBeNull();
  });
});

describe('AwsPriceCatalog: spot and storage', () => {
  it("reads the spot price of the instance's zone from moto's DescribeSpotPriceHistory, labelled live", async () => {
    const price = await catalog.spotHourly('us-east-1', 'g4dn.xlarge', 'us-east-1a');
    // moto answers 0.00001 for every type and zone.
    expect(price).toEqual({ usd: 0.00001, source: 'live', fetchedAt: clock.now() });
    expect(cloud.proxy.counts().DescribeSpotPriceHistory).toBe(1);
    await catalog.spotHourly('us-east-1', 'g4dn.xlarge', 'us-east-1a');
    expect(cloud.proxy.counts().DescribeSpotPriceHistory).toBe(1);
  });

  it('rates a spot workstation at the spot price, and at on-demand when the zone has no spot price', async () => {
    const spot = await hourlyRateOf(catalog, { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: true, availabilityZone: 'us-east-1a' });
    expect(spot).toMatchObject({ market: 'spot', usd: 0.00001, source: 'live' });

    cloud.proxy.setPricingAvailable(false);
    const noSuchZone = await hourlyRateOf(catalog, { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: true, availabilityZone: 'us-east-1z' });
    expect(noSuchZone).toMatchObject({ market: 'on-demand', usd: 0.526, source: 'bundled' });
  });

  it('prices gp3, snapshots and public IPv4 from the bundled table, labelled bundled', async () => {
    const storage = await catalog.storage('us-east-1');
    expect(storage).toEqual({
      gp3GbMonth: { usd: 0.08, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT },
      snapshotGbMonth: { usd: 0.05, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT },
      publicIpv4Hour: { usd: 0.005, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT },
    });
  });
});

describe('still costing you: what moto reports for a stopped workstation', () => {
  it('lists the tagged volume, the saved image, a stray snapshot and the Elastic IP, priced per month', async () => {
    const ec2 = new EC2Client(clientConfig('EC2', 'us-east-1', { env: cloud.env }));
    const tags = (workstation: string) => [
      { Key: TAG_WORKSTATION, Value: workstation },
      { Key: TAG_MANAGED, Value: 'true' },
    ];
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: DLAMI_IMAGE_ID,
      InstanceType: 'g4dn.xlarge',
      MinCount: 1,
      MaxCount: 1,
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tags('gpu') },
        { ResourceType: 'volume', Tags: tags('gpu') },
      ],
    }));
    const instanceId = run.Instances![0]!.InstanceId!;
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    const image = await ec2.send(new CreateImageCommand({
      InstanceId: instanceId,
      Name: 'gpu-2026-11-10',
      TagSpecifications: [{ ResourceType: 'image', Tags: tags('gpu') }],
    }));
    // A stray snapshot of its own, and someone else's volume that must not be listed.
    const other = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 20, VolumeType: 'gp3',
      TagSpecifications: [{ ResourceType: 'volume', Tags: tags('other') }] }));
    const stray = await ec2.send(new CreateSnapshotCommand({ VolumeId: other.VolumeId!,
      TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags('gpu') }] }));
    const address = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: address.AllocationId!, InstanceId: instanceId }));
    // Nothing tagged the address: it is found through the instance.
    await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: 'Name', Value: 'gpu' }] }));
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(described.Reservations![0]!.Instances![0]!.State!.Name).toBe('stopped');

    const kept = await new AwsKeptResources({ env: cloud.env }).list('us-east-1', 'gpu', instanceId);
    expect(kept.volumes.map((v) => [v.sizeGiB, v.volumeType])).toEqual([[100, 'gp3']]);
    expect(kept.images.map((i) => i.imageId)).toEqual([image.ImageId]);
    expect(kept.snapshots).toEqual([{ snapshotId: stray.SnapshotId, sizeGiB: 20 }]);
    expect(kept.addresses).toEqual([{ publicIp: address.PublicIp, allocationId: address.AllocationId }]);

    const costing = stillCosting(kept, await catalog.storage('us-east-1'));
    const imageGiB = kept.images[0]!.sizeGiB;
    expect(costing.monthlyUsd).toBeCloseTo(100 * 0.08 + imageGiB * 0.05 + 20 * 0.05 + 730 * 0.005, 6);
    expect(costing.items.map((item) => item.kind)).toEqual(['volume', 'image', 'snapshot', 'public-ipv4']);
    expect(costing.source).toBe('bundled');
  });
});

describe('CostTracker over the real adapters: what `rig status --json` and `rig cost` report', () => {
  const spec = WorkstationSpecSchema.parse({
    name: 'gpu',
    region: 'us-east-1',
    instanceType: 'g4dn.xlarge',
    image: { kind: 'ami', imageId: DLAMI_IMAGE_ID },
    ingressCidr: '203.0.113.7/32',
  });

  async function launch() {
    const ec2 = new EC2Client(clientConfig('EC2', 'us-east-1', { env: cloud.env }));
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: DLAMI_IMAGE_ID, InstanceType: 'g4dn.xlarge', MinCount: 1, MaxCount: 1,
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: TAG_WORKSTATION, Value: 'gpu' }, { Key: TAG_MANAGED, Value: 'true' }] },
        { ResourceType: 'volume', Tags: [{ Key: TAG_WORKSTATION, Value: 'gpu' }, { Key: TAG_MANAGED, Value: 'true' }] },
      ],
    }));
    const instanceId = run.Instances![0]!.InstanceId!;
    const describe = async () => {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return factsOf(out.Reservations![0]!.Instances![0]!);
    };
    return { ec2, instanceId, describe };
  }

  it('reports hourlyUsd 0.526 labelled bundled for a g4dn.xlarge in us-east-1 when Pricing is unavailable', async () => {
    cloud.proxy.setPricingAvailable(false);
    const { describe } = await launch();
    const facts = await describe();
    const tracker = new CostTracker(catalog, new FileRunHistoryStore(home));
    clock.set(Date.parse(facts.launchedAt!) + 2 * 3_600_000);

    const status = await tracker.observe(spec, facts, clock.now());
    expect(status).toMatchObject({ hourlyUsd: 0.526, priceSource: 'bundled', market: 'on-demand', idleStopMinutes: 60, monthComplete: false });
    // No history yet: rebuilt from moto's LaunchTime.
    expect(status.sessionUsd).toBeCloseTo(2 * 0.526, 6);
  });

  it('reports the live price when the proxy serves one, and the month per workstation with what still costs', async () => {
    cloud.proxy.setPriceList(priceList(0.5412));
    const { ec2, instanceId, describe } = await launch();
    const store = new FileRunHistoryStore(home);
    const tracker = new CostTracker(catalog, store, new AwsKeptResources({ env: cloud.env }));
    const launchedAt = Date.parse((await describe()).launchedAt!);
    clock.set(launchedAt + 3_600_000);
    expect(await tracker.observe(spec, await describe(), clock.now())).toMatchObject({ hourlyUsd: 0.5412, priceSource: 'live' });

    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    clock.advance(30_000);
    const stopped = await describe();
    expect(stopped.state).toBe('stopped');
    const status = await tracker.observe(spec, stopped, clock.now());
    expect(status.sessionUsd).toBe(0);
    // The run ends when EC2 says it stopped (its StateTransitionReason carries the time), not when
    // this fake clock looked: 60 s minimum billing at the live rate.
    const stoppedAt = Date.parse(/\((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?:GMT|UTC)\)/.exec(stopped.stateReason ?? '')![1]!.replace(' ', 'T') + 'Z');
    const billedSeconds = Math.max(60, (stoppedAt - launchedAt) / 1000);
    expect(status.monthUsd).toBeCloseTo((0.5412 * billedSeconds) / 3600, 5);

    const report = await tracker.report([spec], new Map([['gpu', stopped]]), clock.now());
    expect(report.workstations.map((w) => w.name)).toEqual(['gpu']);
    expect(report.monthUsd).toBeCloseTo(status.monthUsd, 9);
    expect(report.workstations[0]!.stillCosting?.items.map((i) => [i.kind, i.monthlyUsd])).toEqual([['volume', 8]]);
    expect(report.stillCostingMonthlyUsd).toBeCloseTo(8, 9);
  });
});
