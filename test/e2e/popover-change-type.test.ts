import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { CHROMIUM, canRunChromium as canRun, SHOTS } from './support/component-page.js';
import { stoppedWorkstation, usePopoverWorld } from './support/popover-world.js';

// Change type… in the built popover (Chromium), through the real IPC router and app session to
// moto + the cloud proxy: a workstation `rig` made and stopped, a row of the GPU picker's table
// picked, the prices before and after, and the instance changed in EC2.
if (!canRun) console.log(`popover change type e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Listing the region's GPU types prices each one; moto is slow on a loaded machine. */
const LISTING_MS = 240_000;
const popoverWorld = usePopoverWorld({
  size: { width: 380, height: 900 },
  prepare: (world) => stoppedWorkstation(world, () => {
    world.cloud.proxy.setQuota('L-DB2E81BA', 64);
    // The P-family quota, which the proxy serves only when set (AWS always has it).
    world.cloud.proxy.setQuota('L-417A185B', 0);
    world.cloud.proxy.setSpotPrices((['g4dn.xlarge', 'g5.xlarge', 'g5.2xlarge'] as const).map((instanceType, index) =>
      ({ region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType, usd: [0.2102, 0.4432, 0.5012][index]! })));
    world.cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5123 })]);
  }),
});

describe.runIf(canRun)('Change type… in the popover', () => {
  it('lists the region\'s GPU types, shows the price before and after for the picked row, and changes the stopped instance to it', async () => {
    await expect.poll(() => popoverWorld.page.getByTestId('phase').textContent(), { timeout: 60_000 }).toMatch(/stopped/i);
    await popoverWorld.page.getByRole('button', { name: 'Change type…' }).click();
    await popoverWorld.page.getByRole('heading', { name: 'Change type of gpu' }).waitFor();
    await popoverWorld.page.getByTestId('gpu-offer').first().waitFor({ timeout: LISTING_MS });
    await expect.poll(() => popoverWorld.page.getByTestId('resize-current').textContent()).toMatch(/^Now: g4dn\.xlarge · us-east-1 \(us-east-1\w\) · stopped$/);

    await popoverWorld.page.getByRole('combobox', { name: 'GPU', exact: true }).selectOption('NVIDIA A10G');
    await popoverWorld.page.getByRole('table', { name: 'NVIDIA A10G types in us-east-1' }).waitFor();
    await popoverWorld.page.getByTestId('gpu-offer').filter({ hasText: 'g5.xlarge' }).getByRole('radio').check();
    await popoverWorld.page.getByTestId('resize-price-after').waitFor();
    expect(await popoverWorld.page.getByTestId('resize-types').textContent()).toMatch(/^g4dn\.xlarge → g5\.xlarge \(i-\w+, stopped\)$/);
    expect(await popoverWorld.page.getByTestId('resize-price-before').textContent()).toBe('$0.512/h on-demand (live price)');
    expect(await popoverWorld.page.getByTestId('resize-price-after').textContent()).toBe('$1.006/h on-demand (bundled price)');
    await expect.poll(() => popoverWorld.page.getByRole('list', { name: 'Checked' }).textContent()).toContain('g5.xlarge runs it.');
    await popoverWorld.page.screenshot({ path: join(SHOTS, 'change-type.png'), fullPage: true });

    await popoverWorld.page.getByRole('button', { name: 'Change to g5.xlarge' }).click();
    await expect.poll(() => popoverWorld.page.getByTestId('resize-outcome').textContent(), { timeout: 60_000 })
      .toBe('gpu is now a g5.xlarge, with the same disk: $1.006/h on-demand (bundled price), was $0.512/h on-demand (live price). It is stopped: Start runs it as the new type.');
    const live = (await popoverWorld.world.instances()).filter((instance) => instance.State?.Name !== 'terminated');
    expect(live.map((instance) => [instance.InstanceType, instance.State?.Name])).toEqual([['g5.xlarge', 'stopped']]);

    await popoverWorld.page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => popoverWorld.page.locator('.facts').first().textContent()).toMatch(/^g5\.xlarge · us-east-1 · i-\w+$/);
  }, LISTING_MS + 120_000);

  it('after a start that found no capacity, offers the same GPU or better in the disk\'s zone, and one click changes the type and starts it', async () => {
    popoverWorld.world.cloud.proxy.inject({ action: 'StartInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g5.xlarge capacity in the Availability Zone you requested.', status: 500, times: Infinity });
    await popoverWorld.page.getByRole('button', { name: 'Start' }).click();
    await popoverWorld.page.getByRole('heading', { name: 'Change type and start' }).waitFor({ timeout: 60_000 });
    popoverWorld.world.cloud.proxy.clearFaults();
    const rows = popoverWorld.page.getByTestId('capacity-row');
    await rows.first().waitFor({ timeout: LISTING_MS });
    const offered = await rows.getByRole('button').allTextContents();
    expect(offered).toContain('Change to g5.2xlarge and start');
    expect(offered).not.toContain('Change to g5.xlarge and start');
    // A T4 has less memory than an A10G: not offered in its place.
    expect(offered.some((text) => text.startsWith('Change to g4dn.'))).toBe(false);

    await popoverWorld.page.getByRole('button', { name: 'Change to g5.2xlarge and start' }).click();
    await expect.poll(async () => (await popoverWorld.world.instances()).filter((instance) => instance.State?.Name !== 'terminated')
      .map((instance) => [instance.InstanceType, instance.State?.Name]), { timeout: 60_000 }).toEqual([['g5.2xlarge', 'running']]);
    await expect.poll(() => popoverWorld.page.locator('.facts').first().textContent()).toMatch(/^g5\.2xlarge · us-east-1 · i-\w+$/);
  }, LISTING_MS + 120_000);
});
