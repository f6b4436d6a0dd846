import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import { createRouter, senderFrom, type Router } from '../../src/main/ipc-router.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import type { GpuOfferRow } from '../../src/shared/gpu-offers.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { startRigWorld, type RigWorld } from '../support/rig-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { SHOTS } from './support/component-page.js';
import { serveRenderer, type StaticServer } from './support/static-server.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';

// The instance-type picker in the built popover (Chromium), wired through the real IPC router and
// app session to moto + the cloud proxy (which serves Pricing, spot history and Service Quotas),
// checked against `rig gpus --json` run on the same peers and home: the same rows either way.
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const canRun = existsSync(CHROMIUM);
if (!canRun) console.log(`popover picker e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let world: RigWorld;
let server: StaticServer;
let browser: Browser;
let page: Page;
/** The app of the current test: each test opens the popover over its own home. */
let app: { session: AppSession; router: Router; home: string } | null = null;

/** Opens the popover over a fresh home, as a first run (the setup screen with the workstation form). */
async function openApp(): Promise<string> {
  await closeApp();
  const home = await mkdtemp(join(tmpdir(), 'cloudrig-picker-'));
  const session = new AppSession({
    home,
    env: { ...world.env, CLOUDRIG_HOME: home },
    platform: 'linux',
    createCore,
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set(['xterm']), open: async () => ({ label: 'xterm' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 1_000,
  });
  app = { session, router: createRouter(ipcHandlers(session, async () => undefined), senderFrom(server.origin)), home };
  session.onDidChangeView((view) => {
    void page.evaluate(([value]) => (globalThis as unknown as { __cloudrigEmit(c: string, v: unknown): void }).__cloudrigEmit('view:changed', value), [view]).catch(() => undefined);
  });
  session.start();
  await page.goto(`${server.origin}/index.html`);
  await page.getByRole('heading', { name: 'Set up your GPU workstation' }).waitFor({ timeout: 30_000 });
  return home;
}

async function closeApp(): Promise<void> {
  if (app === null) return;
  await app.session.dispose();
  await rm(app.home, { recursive: true, force: true, maxRetries: 5 });
  app = null;
}

/** `rig gpus … --json` in the app's home, checked to succeed. */
async function rigGpus(home: string, args: readonly string[]): Promise<GpuOfferRow[]> {
  const result = await world.rig(['gpus', ...args, '--json'], { env: { CLOUDRIG_HOME: home } });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as GpuOfferRow[];
}

/** What the picker's cells read for one of rig's rows. */
function asShown(row: GpuOfferRow, byRegion: boolean): string[] {
  const price = (usd: number | null, source: string | null): string => `${usd === null ? '—' : `$${usd.toFixed(3)}/h`} ${source ?? 'none'}`;
  // Fractional-GPU types (g6f) report a GPU count of 0.
  const gpu = `${row.gpuCount === 0 ? 'part of ' : `${row.gpuCount}× `}${row.gpuModel}, ${row.gpuMemoryGiB} GiB`;
  return [
    byRegion ? row.region : row.instanceType,
    byRegion ? `${row.instanceType}, ${gpu}` : gpu,
    `${row.vcpus} vCPU, ${row.memoryGiB} GiB RAM`,
    price(row.onDemandUsd, row.onDemandSource),
    price(row.spotUsd, row.spotSource),
    row.quotaVcpus === null ? 'unknown' : `${row.quotaVcpus} vCPUs${row.canLaunch === false ? " can't launch yet — request quota" : ''}`,
  ];
}

/** The rows a picker table shows, cell by cell. */
async function shownRows(testId: 'gpu-offer' | 'cheapest-region'): Promise<string[][]> {
  return page.getByTestId(testId).evaluateAll((rows) => rows.map((row) =>
    ['offer-name', 'offer-gpu', 'offer-cpu', 'offer-on-demand', 'offer-spot', 'offer-quota']
      .map((cell) => (row.querySelector(`[data-testid="${cell}"]`)?.textContent ?? '').replace(/\s+/g, ' ').trim())));
}

/** Opens the picker and waits for the form region's offers. */
async function openPicker(): Promise<void> {
  await page.getByText('Compare GPU types by price').click();
  // The first listing prices every GPU type (one Pricing pass each); moto is slow on a loaded machine.
  await page.getByTestId('gpu-offer').first().waitFor({ timeout: 240_000 });
}

async function chooseGpu(model: string): Promise<void> {
  await page.getByRole('combobox', { name: 'GPU', exact: true }).selectOption(model);
  await page.getByRole('table', { name: `${model} types in us-east-1` }).waitFor();
}

beforeAll(async () => {
  if (!canRun) return;
  await ensureAppBuilt(ROOT);
  await mkdir(SHOTS, { recursive: true });
  world = await startRigWorld();
  server = await serveRenderer(join(ROOT, 'out', 'renderer'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 380, height: 720 }, colorScheme: 'dark' });
  const bridge = await build({ entryPoints: [join(ROOT, 'test/e2e/support/page-bridge.ts')], bundle: true, format: 'iife', write: false, platform: 'browser' });
  await page.exposeBinding('__cloudrigInvoke', (source, channel: unknown, payload: unknown) => {
    if (app === null) throw new Error('no app open');
    return app.router.handle(channel, { url: source.frame.url(), isMainFrame: source.frame === source.page.mainFrame() }, payload);
  });
  await page.addInitScript({ content: bridge.outputFiles[0]?.text ?? '' });
}, 180_000);

afterAll(async () => {
  await closeApp();
  await browser?.close();
  await server?.close();
  await world?.close();
});

describe.runIf(canRun)('the instance-type picker, against moto + the proxy, beside rig gpus', () => {
  it('shows the T4, L4 and A10G types of the region with both prices and the quota, the same rows rig gpus prints, and the cheapest regions', async () => {
    const proxy = world.cloud.proxy;
    proxy.setPriceList([
      // The cheapest five regions for g4dn.xlarge are live prices below the bundled table's lowest (0.526).
      ...([['us-west-2', 0.41], ['eu-west-1', 0.45], ['us-east-1', 0.5], ['us-east-2', 0.505], ['ca-central-1', 0.52]] as const)
        .map(([regionCode, usd]) => onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode, usd })),
      onDemandPriceEntry({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', usd: 1.006 }),
      onDemandPriceEntry({ instanceType: 'g6.xlarge', regionCode: 'us-east-1', usd: 0.8048 }),
    ]);
    proxy.setQuota('L-DB2E81BA', 8);
    // The P-family quota, which the proxy serves only when set (AWS always has it).
    proxy.setQuota('L-417A185B', 0);
    proxy.setSpotPrices([
      { region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'g4dn.xlarge', usd: 0.1578 },
      { region: 'us-east-1', availabilityZone: 'us-east-1b', instanceType: 'g4dn.xlarge', usd: 0.2104 },
      { region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'g5.xlarge', usd: 0.4412 },
      { region: 'us-west-2', availabilityZone: 'us-west-2a', instanceType: 'g4dn.xlarge', usd: 0.19 },
    ]);
    const home = await openApp();
    await openPicker();

    // The form's type (g4dn.xlarge) picks its GPU; each model's rows are rig's rows for that model, in rig's order.
    await page.getByRole('table', { name: 'NVIDIA T4 types in us-east-1' }).waitFor();
    for (const model of ['NVIDIA T4', 'NVIDIA L4', 'NVIDIA A10G']) {
      await chooseGpu(model);
      const rig = await rigGpus(home, ['--region', 'us-east-1', '--gpu', model]);
      expect(rig.length).toBeGreaterThan(0);
      expect(await shownRows('gpu-offer')).toEqual(rig.map((row) => asShown(row, false)));
    }
    await chooseGpu('NVIDIA T4');
    // Everything was read live: no problem shown.
    expect(await page.locator('details.gpu-picker').getByRole('alert').count()).toBe(0);
    const t4 = await shownRows('gpu-offer');
    expect(t4[0]).toEqual(['g4dn.xlarge', '1× NVIDIA T4, 16 GiB', '4 vCPU, 16 GiB RAM', '$0.500/h live', '$0.210/h live', '8 vCPUs']);
    // A type bigger than the quota says so before a launch fails.
    expect(t4.find((cells) => cells[0] === 'g4dn.4xlarge')?.[5]).toBe("8 vCPUs can't launch yet — request quota");

    // Keyboard: the chosen row's radio, then the arrow key, picks the next type in the form.
    const instanceType = page.getByRole('combobox', { name: 'Instance type' });
    await expect.poll(() => instanceType.inputValue()).toBe('g4dn.xlarge');
    await page.getByRole('radio', { name: 'g4dn.xlarge', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    const second = t4[1]?.[0];
    await expect.poll(() => instanceType.inputValue()).toBe(second);

    // The cheapest regions for the GPU: the best on-demand row of each region, as rig's all-region list has them.
    await page.getByRole('button', { name: 'Compare all regions' }).click();
    await page.getByTestId('cheapest-region').first().waitFor({ timeout: 240_000 });
    const everywhere = await rigGpus(home, ['--all-regions', '--gpu', 'NVIDIA T4']);
    const bestOfRegion = everywhere.filter((row, index) => everywhere.findIndex((other) => other.region === row.region) === index);
    const cheapest = await shownRows('cheapest-region');
    expect(cheapest).toEqual(bestOfRegion.slice(0, 5).map((row) => asShown(row, true)));
    expect(cheapest.map((cells) => cells[0])).toEqual(['us-west-2', 'eu-west-1', 'us-east-1', 'us-east-2', 'ca-central-1']);
    await page.getByRole('radio', { name: 'g4dn.xlarge', exact: true }).click();
    await page.locator('details.gpu-picker').screenshot({ path: join(SHOTS, 'picker.png') });

    // A row in another region fills the type and the region, and says the region changes.
    await page.getByRole('radio', { name: 'us-west-2', exact: true }).press('Space');
    await page.getByRole('status').filter({ hasText: 'Region changes from us-east-1 to us-west-2 for g4dn.xlarge.' }).waitFor();
    await expect.poll(() => page.getByRole('combobox', { name: 'Region' }).inputValue()).toBe('us-west-2');
    await expect.poll(() => instanceType.inputValue()).toBe('g4dn.xlarge');
    await page.getByRole('table', { name: 'NVIDIA T4 types in us-west-2' }).waitFor({ timeout: 120_000 });
    expect((await shownRows('gpu-offer'))[0]?.slice(0, 5)).toEqual(['g4dn.xlarge', '1× NVIDIA T4, 16 GiB', '4 vCPU, 16 GiB RAM', '$0.410/h live', '$0.190/h live']);
  }, 600_000);

  it('without Pricing access or Service Quotas, says why with the app\'s fix and still lists the bundled prices, labelled', async () => {
    const proxy = world.cloud.proxy;
    proxy.reset();
    proxy.setPricingAvailable(false);
    proxy.inject({ action: 'GetServiceQuota', kind: 'error', code: 'AccessDeniedException', message: 'not allowed: servicequotas:GetServiceQuota', status: 400, times: Infinity });
    const home = await openApp();
    await openPicker();

    const prices = page.getByRole('alert').filter({ hasText: 'Live prices unavailable: bundled prices shown' });
    await prices.waitFor();
    const denied = appFix({ action: 'grant-permissions' });
    expect(await prices.textContent()).toContain(`Fix: ${denied}`);
    expect(await prices.textContent()).toContain("the on-demand prices are CloudRig's bundled table (labelled bundled)");
    const quota = page.getByRole('alert').filter({ hasText: 'vCPU quota unknown' });
    expect(await quota.textContent()).toContain('Your vCPU quotas in us-east-1 could not be read');
    expect(await quota.textContent()).toContain(`Fix: ${denied}`);

    const shown = await shownRows('gpu-offer');
    const first = shown[0] ?? [];
    expect([first[0], first[1], first[2], first[3], first[5]]).toEqual(['g4dn.xlarge', '1× NVIDIA T4, 16 GiB', '4 vCPU, 16 GiB RAM', '$0.526/h bundled', 'unknown']);
    await page.getByText('bundled: from the price table shipped with CloudRig').waitFor();
    // rig says the same, from the same use case.
    const rig = await rigGpus(home, ['--region', 'us-east-1', '--gpu', 'NVIDIA T4']);
    expect(shown).toEqual(rig.map((row) => asShown(row, false)));
  }, 300_000);
});
