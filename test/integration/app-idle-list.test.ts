import { AllocateAddressCommand, CreateVolumeCommand, DescribeVolumesCommand, type Tag } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { HOURS_PER_MONTH } from '../../src/core/cost-meter.js';
import { BUNDLED_STORAGE } from '../../src/core/price-table.js';
import { SWEEP_REGIONS_AT_ONCE } from '../../src/core/app/elsewhere.js';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import type { AppView } from '../../src/shared/views.js';
import { appOn, useApps } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The tray app's hourly account scan: what bills without an instance, in every region, read through
// the popover's own IPC handler (view:get) as the renderer reads it.

const world = useRigWorld({ eachTest: { init: false } });
const start = useApps();
const REGION = 'eu-west-1';
const CLOUDRIG_TAGS: Tag[] = [{ Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' }];

describe('the app\'s idle list', () => {
  it('lists, after the scan at start, an unattached CloudRig volume and another tool\'s Elastic IP in another region with their monthly cost, and the month\'s projection', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const ec2 = world.ec2(REGION);
    const volumeId = (await ec2.send(new CreateVolumeCommand({
      AvailabilityZone: `${REGION}a`, Size: 100, VolumeType: 'gp3', TagSpecifications: [{ ResourceType: 'volume', Tags: CLOUDRIG_TAGS }],
    }))).VolumeId!;
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;

    const { session } = start(appOn(world));
    const handlers = ipcHandlers(session, async () => undefined);
    await session.elsewhereSettled();
    const view = (await handlers['view:get'](undefined)) as AppView;
    const idle = view.elsewhere?.idle;
    expect(idle, 'the account scan ran at start').toBeTruthy();
    const prices = BUNDLED_STORAGE[REGION]!;
    const volume = idle!.rows.find((row) => row.id === volumeId);
    expect(volume).toEqual({
      id: volumeId,
      title: `Volume, 100 GiB, unattached, in ${REGION}`,
      detail: `$${(100 * prices.gp3GbMonth).toFixed(2)}/month (bundled price) · CloudRig's (gpu)`,
      cloudrig: true,
    });
    const address = idle!.rows.find((row) => row.id === allocationId);
    expect(address?.detail).toBe(`$${(prices.publicIpv4Hour * HOURS_PER_MONTH).toFixed(2)}/month (bundled price) · not CloudRig's`);
    expect(address?.cloudrig).toBe(false);
    // The most costly first: the 100 GiB volume before the address.
    expect(idle!.rows.findIndex((row) => row.id === volumeId)).toBeLessThan(idle!.rows.findIndex((row) => row.id === allocationId));
    expect(idle!.summary).toMatch(/^about \$\d+\.\d\d\/month in \d+ regions?$/);
    expect(idle!.failedRegions).toEqual([]);

    // The app only reads: the volume is still there.
    expect((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes).toHaveLength(1);
    ec2.destroy();
  }, 120_000);

  it('sweeps the account a few regions at a time in the background, where `rig scan --all` asks every region together', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const proxy = world.cloud.proxy;
    // Each region's volumes take a while to answer, so the regions asked together overlap.
    proxy.setLatency(60, 'DescribeVolumes');
    try {
      proxy.resetCounts();
      expect((await world.rig(['scan', '--all'])).code).toBe(0);
      expect(proxy.peakRegionsInFlight('DescribeVolumes'), 'rig asks every region at once').toBeGreaterThan(SWEEP_REGIONS_AT_ONCE);

      proxy.resetCounts();
      const { session } = start(appOn(world));
      await session.elsewhereSettled();
      const regions = Object.keys(proxy.countsByRegion()).filter((key) => key.startsWith('DescribeVolumes@'));
      expect(regions.length, 'the sweep read every region').toBeGreaterThan(SWEEP_REGIONS_AT_ONCE);
      expect(proxy.peakRegionsInFlight('DescribeVolumes')).toBe(SWEEP_REGIONS_AT_ONCE);
    } finally {
      proxy.setLatency(0, 'DescribeVolumes');
    }
  }, 120_000);
});
