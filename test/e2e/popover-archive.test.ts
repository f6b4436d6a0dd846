import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn, startApp, type AppHarness } from '../support/app-harness.js';
import { initArgs, startRigWorld, type RigWorld } from '../support/rig-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { CHROMIUM, canRunChromium as canRun, ROOT, SHOTS } from './support/component-page.js';
import { openPopover, type PopoverPage } from './support/popover-page.js';

// Archive in the built popover (Chromium), through the real IPC router and app session to moto +
// the cloud proxy: a workstation `rig` made and stopped, its Archive clicked, and in EC2 its
// instance terminated and its disk kept as an available image.
if (!canRun) console.log(`popover archive e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let world: RigWorld;
let app: AppHarness;
let popover: PopoverPage;
let page: Page;

beforeAll(async () => {
  if (!canRun) return;
  await ensureAppBuilt(ROOT);
  await mkdir(SHOTS, { recursive: true });
  world = await startRigWorld();
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  const stop = await world.rig(['stop']);
  expect(stop.code, stop.stderr).toBe(0);
  app = startApp(appOn(world, { tickMs: 1_000, start: false }));
  popover = await openPopover(app.session, { width: 380, height: 900 });
  page = popover.page;
}, 180_000);

afterAll(async () => {
  await popover?.close();
  await app?.dispose();
  await world?.close();
});

describe.runIf(canRun)('Archive in the popover', () => {
  it('on a stopped workstation, Archive saves its disk as an image and terminates it; the popover shows it archived to that image', async () => {
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Stopped');
    const archive = page.getByRole('button', { name: 'Archive', exact: true });
    await archive.waitFor();
    await page.screenshot({ path: join(SHOTS, 'archive.png'), fullPage: true });

    await archive.click();
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 90_000 }).toBe('No instance');
    const detail = await page.locator('.detail').first().textContent();
    const [, imageId] = /^Archived to (ami-\w+) on \d{4}-\d{2}-\d{2}: Start launches it from that image, with its disk as it was\.$/.exec(detail ?? '') ?? [];
    expect(imageId, `the popover's detail: ${detail}`).toBeDefined();
    // Archived, nothing is left to archive: the button is gone and Start launches from the image.
    expect(await page.getByRole('button', { name: 'Archive', exact: true }).count()).toBe(0);

    expect((await world.instances()).map((instance) => instance.State?.Name)).toEqual(['terminated']);
    const ec2 = new EC2Client({ region: 'us-east-1' });
    const images = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId!] }))).Images ?? [];
    ec2.destroy();
    expect(images.map((image) => image.State)).toEqual(['available']);
  }, 180_000);
});
