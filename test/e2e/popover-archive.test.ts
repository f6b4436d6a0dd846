import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, canRunChromium as canRun, SHOTS } from './support/component-page.js';
import { stoppedWorkstation, usePopoverWorld } from './support/popover-world.js';

// Archive in the built popover (Chromium), through the real IPC router and app session to moto +
// the cloud proxy: a workstation `rig` made and stopped, its Archive clicked, and in EC2 its
// instance terminated and its disk kept as an available image.
if (!canRun) console.log(`popover archive e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const popoverWorld = usePopoverWorld({
  size: { width: 380, height: 900 },
  prepare: (world) => stoppedWorkstation(world),
});

describe.runIf(canRun)('Archive in the popover', () => {
  it('on a stopped workstation, Archive saves its disk as an image and terminates it; the popover shows it archived to that image', async () => {
    await expect.poll(() => popoverWorld.page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Stopped');
    const archive = popoverWorld.page.getByRole('button', { name: 'Archive', exact: true });
    await archive.waitFor();
    await popoverWorld.page.screenshot({ path: join(SHOTS, 'archive.png'), fullPage: true });

    await archive.click();
    await expect.poll(() => popoverWorld.page.getByTestId('phase').textContent(), { timeout: 90_000 }).toBe('No instance');
    const detail = await popoverWorld.page.locator('.detail').first().textContent();
    const [, imageId] = /^Archived to (ami-\w+) on \d{4}-\d{2}-\d{2}: the next launch starts from that image, with its disk as it was\.$/.exec(detail ?? '') ?? [];
    expect(imageId, `the popover's detail: ${detail}`).toBeDefined();
    // Archived, nothing is left to archive: the button is gone and Start launches from the image.
    expect(await popoverWorld.page.getByRole('button', { name: 'Archive', exact: true }).count()).toBe(0);

    expect((await popoverWorld.world.instances()).map((instance) => instance.State?.Name)).toEqual(['terminated']);
    const ec2 = popoverWorld.world.ec2();
    const images = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId!] }))).Images ?? [];
    ec2.destroy();
    expect(images.map((image) => image.State)).toEqual(['available']);
  }, 180_000);
});
