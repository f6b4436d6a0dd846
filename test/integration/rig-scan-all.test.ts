import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  type ResourceType,
  type Tag,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH } from '../../src/core/cost-meter.js';
import { BUNDLED_ON_DEMAND_USD_PER_HOUR, BUNDLED_STORAGE } from '../../src/core/price-table.js';
import { DLAMI_IMAGE_ID } from '../fixtures/cloud.js';
import { useRigWorld } from '../support/rig-harness.js';
import { rigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

const world = useRigWorld({ eachTest: { init: false } });

const REGIONS = ['us-east-1', 'eu-west-1'] as const;

/** The tags CloudRig puts on what it creates (src/adapters/aws/ec2-gateway.ts tagsFor). */
const CLOUDRIG_TAGS: Tag[] = [{ Key: 'cloudrig:workstation', Value: 'old' }, { Key: 'cloudrig:managed', Value: 'true' }];
const FOREIGN_TAGS: Tag[] = [{ Key: 'team', Value: 'research' }];

/** One of each kind, CloudRig's and another tool's, in one region. */
interface Seeded {
  readonly ourInstance: string;
  readonly foreignInstance: string;
  readonly foreignRunning: string;
  readonly ourVolume: string;
  readonly foreignVolume: string;
  readonly ourSnapshot: string;
  readonly foreignSnapshot: string;
  readonly ourImage: string;
  readonly ourImageSnapshot: string;
  readonly foreignImage: string;
  readonly ourAddress: string;
  readonly ourBusyAddress: string;
  readonly foreignAddress: string;
}

function ec2(region: string): EC2Client {
  return world.ec2(region);
}

async function seed(region: string): Promise<Seeded> {
  const client = ec2(region);
  const spec = (type: ResourceType, tags: Tag[]) => ({ ResourceType: type, Tags: tags });
  try {
    const launch = async (tags: Tag[]) => (await client.send(new RunInstancesCommand({
      ImageId: DLAMI_IMAGE_ID, MinCount: 1, MaxCount: 1, InstanceType: 'g4dn.xlarge',
      TagSpecifications: [spec('instance', tags), spec('volume', tags)],
    }))).Instances![0]!.InstanceId!;
    const ourInstance = await launch(CLOUDRIG_TAGS);
    const foreignInstance = await launch(FOREIGN_TAGS);
    await client.send(new StopInstancesCommand({ InstanceIds: [foreignInstance] }));
    const foreignRunning = await launch(FOREIGN_TAGS);
    const volume = async (tags: Tag[], size: number) => (await client.send(new CreateVolumeCommand({
      AvailabilityZone: `${region}a`, Size: size, VolumeType: 'gp3', TagSpecifications: [spec('volume', tags)],
    }))).VolumeId!;
    const ourVolume = await volume(CLOUDRIG_TAGS, 10);
    const foreignVolume = await volume(FOREIGN_TAGS, 20);
    const snapshot = async (volumeId: string, tags: Tag[]) =>
      (await client.send(new CreateSnapshotCommand({ VolumeId: volumeId, TagSpecifications: [spec('snapshot', tags)] }))).SnapshotId!;
    const ourSnapshot = await snapshot(ourVolume, CLOUDRIG_TAGS);
    const foreignSnapshot = await snapshot(foreignVolume, FOREIGN_TAGS);
    const image = async (instanceId: string, name: string, tags: Tag[]) =>
      (await client.send(new CreateImageCommand({ InstanceId: instanceId, Name: name, TagSpecifications: [spec('image', tags)] }))).ImageId!;
    const ourImage = await image(ourInstance, 'cloudrig-old-saved', CLOUDRIG_TAGS);
    const foreignImage = await image(foreignInstance, 'team-golden', FOREIGN_TAGS);
    // As `rig down --save-image` does: the image's snapshots carry the workstation's tags too.
    const ourImageSnapshot = (await client.send(new DescribeImagesCommand({ ImageIds: [ourImage] }))).Images![0]!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    await client.send(new CreateTagsCommand({ Resources: [ourImageSnapshot], Tags: CLOUDRIG_TAGS }));
    const address = async (tags: Tag[]) =>
      (await client.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [spec('elastic-ip', tags)] }))).AllocationId!;
    const ourAddress = await address(CLOUDRIG_TAGS);
    const ourBusyAddress = await address(CLOUDRIG_TAGS);
    await client.send(new AssociateAddressCommand({ AllocationId: ourBusyAddress, InstanceId: ourInstance }));
    const foreignAddress = await address(FOREIGN_TAGS);
    return {
      ourInstance, foreignInstance, foreignRunning, ourVolume, foreignVolume, ourSnapshot, foreignSnapshot,
      ourImage, ourImageSnapshot, foreignImage, ourAddress, ourBusyAddress, foreignAddress,
    };
  } finally {
    client.destroy();
  }
}

async function volumeSize(region: string, volumeId: string): Promise<number> {
  const client = ec2(region);
  try {
    return (await client.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes![0]!.Size!;
  } finally {
    client.destroy();
  }
}

/** What AWS still holds in a region, asked with the SDK (not through rig). */
async function remaining(region: string): Promise<Set<string>> {
  const client = ec2(region);
  try {
    const [volumes, snapshots, images, addresses] = await Promise.all([
      client.send(new DescribeVolumesCommand({})),
      client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })),
      client.send(new DescribeImagesCommand({ Owners: ['self'] })),
      client.send(new DescribeAddressesCommand({})),
    ]);
    return new Set([
      ...(volumes.Volumes ?? []).map((v) => v.VolumeId!),
      ...(snapshots.Snapshots ?? []).map((s) => s.SnapshotId!),
      ...(images.Images ?? []).map((i) => i.ImageId!),
      ...(addresses.Addresses ?? []).map((a) => a.AllocationId!),
    ]);
  } finally {
    client.destroy();
  }
}

interface ScanRow {
  readonly kind: string;
  readonly id: string;
  readonly region: string;
  readonly cloudrig: boolean;
  readonly workstation: string | null;
  readonly monthlyUsd: number | null;
  readonly priceSource: string | null;
  readonly includedIn: string | null;
  readonly consoleUrl: string;
  readonly attachedVolumes?: string[];
  readonly sizeGiB?: number;
}
interface ScanJson {
  readonly regions: Array<{ region: string; error: { code: string; message: string } | null; resources: ScanRow[] }>;
  readonly total: { monthlyUsd: number; regions: number; unpriced: number; priceSource: string; text: string };
}

async function scanAll(): Promise<{ code: number; json: ScanJson; stderr: string }> {
  const result = await world.rig(['scan', '--all', '--json']);
  return { code: result.code, json: JSON.parse(result.stdout) as ScanJson, stderr: result.stderr };
}

function rowsOf(scan: ScanJson, region: string): Map<string, ScanRow> {
  const found = scan.regions.find((r) => r.region === region);
  return new Map((found?.resources ?? []).map((row) => [row.id, row]));
}

describe('rig scan --all', () => {
  it('lists each kind in every region with its monthly cost and whether CloudRig made it, and the month\'s total', async () => {
    const seeded = Object.fromEntries(await Promise.all(REGIONS.map(async (region) => [region, await seed(region)] as const)));

    const { code, json, stderr } = await scanAll();
    expect(code, stderr).toBe(0);
    for (const region of REGIONS) {
      const s = seeded[region]!;
      const prices = BUNDLED_STORAGE[region]!;
      const rows = rowsOf(json, region);
      const row = (id: string): ScanRow => {
        const found = rows.get(id);
        expect(found, `${id} in ${region}`).toBeDefined();
        return found!;
      };
      // Ownership, per kind.
      for (const [id, kind, cloudrig] of [
        [s.ourInstance, 'instance', true], [s.foreignInstance, 'instance', false],
        [s.ourVolume, 'volume', true], [s.foreignVolume, 'volume', false],
        [s.ourSnapshot, 'snapshot', true], [s.foreignSnapshot, 'snapshot', false],
        [s.ourImage, 'image', true], [s.foreignImage, 'image', false],
        [s.ourAddress, 'address', true], [s.ourBusyAddress, 'address', true], [s.foreignAddress, 'address', false],
      ] as const) {
        expect(row(id), `${kind} ${id}`).toMatchObject({ kind, region, cloudrig, workstation: cloudrig ? 'old' : null });
      }
      // Monthly costs from the bundled table, labelled as such.
      expect(row(s.ourVolume)).toMatchObject({ monthlyUsd: expect.closeTo(10 * prices.gp3GbMonth, 6), priceSource: 'bundled' });
      expect(row(s.foreignVolume).monthlyUsd).toBeCloseTo(20 * prices.gp3GbMonth, 6);
      expect(row(s.ourSnapshot).monthlyUsd).toBeCloseTo(10 * prices.snapshotGbMonth, 6);
      expect(row(s.foreignAddress).monthlyUsd).toBeCloseTo(prices.publicIpv4Hour * HOURS_PER_MONTH, 6);
      expect(row(s.ourBusyAddress).monthlyUsd).toBeCloseTo(prices.publicIpv4Hour * HOURS_PER_MONTH, 6);
      const image = row(s.ourImage);
      expect(image.monthlyUsd).toBeCloseTo(image.sizeGiB! * prices.snapshotGbMonth, 6);
      // The image's snapshot is counted once, with the image.
      expect(row(s.ourImageSnapshot)).toMatchObject({ includedIn: s.ourImage, cloudrig: true });
      // A running instance: compute for a month plus its root volume (folded into it, not a row of
      // its own); its Elastic IP is a row of its own, not counted twice.
      const hourly = BUNDLED_ON_DEMAND_USD_PER_HOUR[region]!['g4dn.xlarge']!;
      const running = row(s.ourInstance);
      expect(running.attachedVolumes).toHaveLength(1);
      expect(rows.has(running.attachedVolumes![0]!)).toBe(false);
      const rootGiB = await volumeSize(region, running.attachedVolumes![0]!);
      expect(running.monthlyUsd).toBeCloseTo(hourly * HOURS_PER_MONTH + rootGiB * prices.gp3GbMonth, 6);
      // One with an address of its own pays for that public IPv4 address too.
      expect(row(s.foreignRunning).monthlyUsd).toBeCloseTo((hourly + prices.publicIpv4Hour) * HOURS_PER_MONTH + rootGiB * prices.gp3GbMonth, 6);
      // The stopped one costs only its disk.
      const stopped = row(s.foreignInstance);
      expect(stopped.monthlyUsd).toBeGreaterThan(0);
      expect(stopped.monthlyUsd).toBeLessThan(5);
      expect(row(s.foreignVolume).consoleUrl).toBe(`https://${region}.console.aws.amazon.com/ec2/home?region=${region}#VolumeDetails:volumeId=${s.foreignVolume}`);
    }
    const counted = json.regions.flatMap((r) => r.resources).filter((r) => r.includedIn === null);
    expect(json.total.monthlyUsd).toBeCloseTo(counted.reduce((sum, r) => sum + (r.monthlyUsd ?? 0), 0), 6);
    expect(json.total.text).toBe(`about $${json.total.monthlyUsd.toFixed(2)}/month in ${json.total.regions} regions`);

    const text = await world.rig(['scan', '--all']);
    expect(text.code, text.stderr).toBe(0);
    const s = seeded['eu-west-1']!;
    expect(text.stdout).toMatch(new RegExp(`volume +${s.ourVolume} +10 GiB gp3, unattached +CloudRig \\(old\\) +\\$0\\.88/month \\(bundled price\\)\\n`));
    expect(text.stdout).toContain(`${s.foreignVolume}  20 GiB gp3, unattached  not CloudRig  $1.76/month (bundled price)  https://eu-west-1.console.aws.amazon.com/`);
    expect(text.stdout).toContain(`In total: about $${json.total.monthlyUsd.toFixed(2)}/month in ${json.total.regions} regions.`);
  }, 120_000);

  it('lists a region whose calls fail with its error, and still lists every other region', async () => {
    const seeded = await seed('us-east-1');
    world.cloud.proxy.inject({ action: '*', kind: 'server-error', times: Infinity, region: 'eu-west-1' });

    const { code, json } = await scanAll();
    expect(code).toBe(1);
    const failed = json.regions.find((r) => r.region === 'eu-west-1');
    expect(failed?.error?.code).toBe('AwsUnavailable');
    expect(failed?.resources).toEqual([]);
    expect(rowsOf(json, 'us-east-1').get(seeded.ourVolume)).toMatchObject({ kind: 'volume', cloudrig: true });
    expect(json.regions.filter((r) => r.error !== null).map((r) => r.region)).toEqual(['eu-west-1']);

    const text = await world.rig(['scan', '--all']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^eu-west-1: could not be read: .+ Fix: .+$/m);
    expect(text.stdout).toContain(seeded.ourVolume);

    // rig clean still cleans the regions it can read, says which it could not, and exits 1.
    const clean = await world.rig(['clean', '--yes']);
    expect(clean.code).toBe(1);
    expect(clean.stdout).toMatch(/^eu-west-1: could not be read, nothing removed there: .+ Fix: .+$/m);
    expect((await remaining('us-east-1')).has(seeded.ourVolume)).toBe(false);
  }, 120_000);
});

describe('rig clean', () => {
  it('removes CloudRig\'s leftovers in every region, keeps its saved image and what is in use, and never touches resources it did not make', async () => {
    const seeded = Object.fromEntries(await Promise.all(REGIONS.map(async (region) => [region, await seed(region)] as const)));

    const result = await world.rig(['clean', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    for (const region of REGIONS) {
      const s = seeded[region]!;
      const left = await remaining(region);
      // CloudRig's leftovers are gone.
      for (const id of [s.ourVolume, s.ourSnapshot, s.ourAddress]) expect(left.has(id), `${id} in ${region} removed`).toBe(false);
      // Its saved image (the user's data) stays without --images, with its snapshot; the address in use stays.
      for (const id of [s.ourImage, s.ourImageSnapshot, s.ourBusyAddress]) expect(left.has(id), `${id} in ${region} kept`).toBe(true);
      // Nothing of another tool is touched; it is listed with its console page.
      for (const id of [s.foreignVolume, s.foreignSnapshot, s.foreignImage, s.foreignAddress]) {
        expect(left.has(id), `${id} in ${region} untouched`).toBe(true);
        expect(result.stdout).toContain(id);
      }
      expect(result.stdout).toContain(`https://${region}.console.aws.amazon.com/ec2/home?region=${region}#VolumeDetails:volumeId=${s.foreignVolume}`);
      expect(result.stdout).toContain(`removed volume ${s.ourVolume}`);
    }
    expect(result.stdout).toContain('a saved image (your data); --images removes it');

    // Run again: nothing of CloudRig's is left to remove.
    const again = await world.rig(['clean', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing of CloudRig\'s to remove.');

    // --images deregisters CloudRig's saved image and deletes its snapshot; still nothing foreign.
    const images = await world.rig(['clean', '--yes', '--images']);
    expect(images.code, images.stderr).toBe(0);
    for (const region of REGIONS) {
      const s = seeded[region]!;
      const left = await remaining(region);
      expect(left.has(s.ourImage)).toBe(false);
      expect(left.has(s.ourImageSnapshot)).toBe(false);
      for (const id of [s.foreignVolume, s.foreignSnapshot, s.foreignImage, s.foreignAddress, s.ourBusyAddress]) expect(left.has(id)).toBe(true);
    }
  }, 180_000);

  it('keeps, even with --images, the saved image a workstation launches from', async () => {
    const s = await seed('us-east-1');
    const init = await world.rig(['init', '--name', 'old', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host, '--ssh-port', String(world.sshd.port)]);
    expect(init.code, init.stderr).toBe(0);

    const result = await world.rig(['clean', '--yes', '--images']);
    expect(result.code, result.stderr).toBe(0);
    const left = await remaining('us-east-1');
    expect(left.has(s.ourImage)).toBe(true);
    expect(left.has(s.ourImageSnapshot)).toBe(true);
    expect(result.stdout).toContain('workstation old launches from it');
  }, 120_000);

  it('asks on a terminal in each region, and removes only where the answer is yes', async () => {
    const [east, west] = await Promise.all([seed('us-east-1'), seed('eu-west-1')]);
    const rig = rigOnPty(['clean'], { ...world.env, CLOUDRIG_HOME: world.home });
    try {
      // Regions are asked in order: eu-west-1 before us-east-1. Each lists what it removes first.
      await waitUntil('the question for eu-west-1', () => rig.output().includes('Remove 3 CloudRig leftovers in eu-west-1?'));
      expect(rig.output()).toContain(`volume   ${west.ourVolume}`);
      rig.type('n\r');
      await waitUntil('the question for us-east-1', () => rig.output().includes('Remove 3 CloudRig leftovers in us-east-1?'));
      expect(rig.output()).toContain('Nothing removed in eu-west-1.');
      rig.type('y\r');
      const { code, output } = await rig.exited;
      expect(code, output).toBe(0);
      expect(output).toContain(`removed volume ${east.ourVolume}`);
    } finally {
      if (!rig.ended()) rig.pressCtrlC();
    }
    const [eastLeft, westLeft] = await Promise.all([remaining('us-east-1'), remaining('eu-west-1')]);
    for (const id of [west.ourVolume, west.ourSnapshot, west.ourAddress]) expect(westLeft.has(id), `${id} kept after no`).toBe(true);
    for (const id of [east.ourVolume, east.ourSnapshot, east.ourAddress]) expect(eastLeft.has(id), `${id} removed after yes`).toBe(false);
  }, 120_000);

  it('refuses to remove anything without a terminal to ask on unless --yes is given', async () => {
    const s = await seed('us-east-1');
    const result = await world.rig(['clean']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: Refusing to remove resources without confirmation .* Fix: .*--yes/m);
    expect((await remaining('us-east-1')).has(s.ourVolume)).toBe(true);
  }, 60_000);
});
