import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountScan, idleView, priceRegion, type InventoryResource } from '../../src/core/account-inventory.js';
import { bundledStoragePrices } from '../../src/core/price-catalog.js';
import type { IdleView } from '../../src/shared/forgotten.js';
import { SHOTS, canRunChromium, openComponentPage } from './support/component-page.js';

// The popover's "Idle in this account" list in Chromium, from the view core makes of an account scan.
let browser: Browser;
let page: Page;

const EAST: InventoryResource[] = [
  { kind: 'volume', region: 'us-east-1', id: 'vol-0a1b2c3d4e5f', workstation: 'gpu', state: 'available', sizeGiB: 100, volumeType: 'gp3', attachedTo: null },
  { kind: 'address', region: 'us-east-1', id: 'eipalloc-0c0ffee', workstation: null, publicIp: '198.51.100.23', allocationId: 'eipalloc-0c0ffee', associatedWith: null },
];
const WEST: InventoryResource[] = [
  { kind: 'image', region: 'eu-west-1', id: 'ami-0feedbead', workstation: 'gpu', name: 'cloudrig-gpu-2026-11-20', state: 'available', sizeGiB: 100, snapshotIds: ['snap-0aa'], createdAt: '2026-11-20T10:00:00Z' },
  { kind: 'snapshot', region: 'eu-west-1', id: 'snap-0aa', workstation: 'gpu', state: 'completed', sizeGiB: 100, usedBy: ['ami-0feedbead'] },
  { kind: 'snapshot', region: 'eu-west-1', id: 'snap-0bb', workstation: null, state: 'completed', sizeGiB: 30, usedBy: [] },
];

function viewOf(): IdleView {
  const region = (name: string, resources: InventoryResource[]) => ({ region: name, resources: priceRegion(resources, bundledStoragePrices(name), new Map()), error: null });
  return idleView(accountScan([region('us-east-1', EAST), region('eu-west-1', WEST), { region: 'ap-south-1', resources: [], error: { code: 'AwsUnavailable', message: 'x', fix: { action: 'retry', reason: 'aws-unavailable' } } }]));
}

beforeAll(async () => {
  if (!canRunChromium) return;
  ({ browser, page } = await openComponentPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!canRunChromium)('Idle in this account', () => {
  it('lists what bills without an instance, most costly first, with its owner, and the month\'s projection', async () => {
    const view = viewOf();
    expect(view.summary).toBe('about $18.15/month in 2 regions');
    await page.evaluate((v) => (globalThis as unknown as { renderIdle(v: unknown): void }).renderIdle(v), view);
    const rows = page.getByTestId('idle-row');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.nth(0).textContent()).toBe('Volume, 100 GiB, unattached, in us-east-1 vol-0a1b2c3d4e5f$8.00/month (bundled price) · CloudRig\'s (gpu)');
    expect(await page.getByTestId('idle').textContent()).toContain('Not read this time: ap-south-1.');
    await mkdir(SHOTS, { recursive: true });
    await page.getByTestId('idle').screenshot({ path: join(SHOTS, 'idle-list.png') });
  });
});
