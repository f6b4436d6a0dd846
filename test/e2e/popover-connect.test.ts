import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from '../../src/core/app/stats.js';
import { gpuLine } from '../../src/core/app/app-connect.js';
import type { ConnectView, GpuPanelView } from '../../src/shared/views.js';
import { CHROMIUM, ROOT, SHOTS, canRunChromium as canRun, openComponentPage } from './support/component-page.js';

// The popover's connect section in Debian's Chromium, rendered from views made from fixture
// nvidia-smi output (a g4dn.12xlarge's four T4s): `ssh <name>`, the host key state, the Jupyter /
// TensorBoard / VS Code actions and their requests, the tunnels with Open and Close, the GPU panel
// with its chart, and "No nvidia-smi" said plainly. The same section runs against moto and a real
// sshd in test/integration/app-connect.test.ts.
if (!canRun) console.log(`popover connect e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let browser: Browser;
let page: Page;

async function render(view: ConnectView, ready = true): Promise<void> {
  await page.evaluate(([model, isReady]) => (globalThis as unknown as { renderConnect(v: unknown, r: boolean): void }).renderConnect(model, isReady), [view, ready] as const);
}

const intents = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { intents: string[] }).intents.slice());

async function panelOf(): Promise<GpuPanelView> {
  const csv = await readFile(join(ROOT, 'test/fixtures/nvidia-smi/g4dn-12xlarge-4-gpus.csv'), 'utf8');
  return { gpus: parseNvidiaSmiCsv(csv), note: null, history: [12, 40, 75, 88, 91, 87, 90, 87], error: null };
}

beforeAll(async () => {
  if (!canRun) return;
  ({ browser, page } = await openComponentPage({ harness: 'test/e2e/support/connect-harness.tsx', viewport: { width: 380, height: 420 }, colorScheme: 'dark' }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.runIf(canRun)('the popover connect section in Chromium', () => {
  it('shows ssh <name>, the host key, the actions, a tunnel and the GPU panel from fixture stats', async () => {
    const gpu = await panelOf();
    await render({
      tunnels: [{ label: 'jupyter', localPort: 8888, remotePort: 8888, url: 'http://127.0.0.1:8888/lab?token=x' }],
      gpu, gpuLine: gpuLine(gpu), hostKey: 'verified', sshAlias: 'ssh gpu', sshConfigInstalled: true, suggestSaveImage: true,
    });
    await expect.poll(() => page.getByTestId('ssh-alias').textContent()).toBe('ssh gpu');
    expect(await page.getByTestId('host-key').textContent()).toContain('Host key verified');
    const rows = page.getByTestId('gpu-panel').locator('tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(0).innerText()).toBe('0\t87 %\t11.0 / 15 GiB\t61 °C\t58 W');
    expect(await rows.nth(3).innerText()).toBe('3\t45 %\t6.0 / 15 GiB\t52 °C\t—');
    expect(await page.getByTestId('gpu-chart').locator('polyline').getAttribute('points')).toMatch(/^0\.0,24\.6 /);
    await page.getByTestId('suggest-save-image').waitFor();
    await page.screenshot({ path: join(SHOTS, 'connect-gpu.png') });

    await page.getByRole('button', { name: 'Open Jupyter' }).click();
    await page.getByRole('button', { name: 'TensorBoard tunnel' }).click();
    await page.getByTestId('tunnels').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('tunnels').getByRole('button', { name: 'Close' }).click();
    await expect.poll(intents).toEqual(['openJupyter', 'openTensorBoard', 'browseTunnel:8888', 'closeTunnel:8888']);
  });

  it('Open in VS Code without the include says what to do; no ssh alias is shown then', async () => {
    await render({ tunnels: [], gpu: null, gpuLine: null, hostKey: 'unverified', sshAlias: null, sshConfigInstalled: false, suggestSaveImage: false });
    expect(await page.getByTestId('ssh-alias').count()).toBe(0);
    expect(await page.getByTestId('host-key').textContent()).toContain('Host key unverified');
    await page.getByRole('button', { name: 'Open in VS Code' }).click();
    await page.getByText('needs CloudRig\'s ssh config included').waitFor();
    await page.screenshot({ path: join(SHOTS, 'connect-vscode-no-include.png') });
  });

  it('says "No nvidia-smi" plainly, and offers no actions while not ready', async () => {
    await render({
      tunnels: [], gpu: { gpus: null, note: 'No nvidia-smi on the workstation (no NVIDIA driver, or not on PATH): no GPU readings.', history: [], error: null },
      gpuLine: 'GPU: no readings', hostKey: 'verified', sshAlias: 'ssh gpu', sshConfigInstalled: true, suggestSaveImage: false,
    }, false);
    await expect.poll(() => page.getByTestId('gpu-note').textContent()).toMatch(/^No nvidia-smi on the workstation/);
    expect(await page.getByRole('button', { name: 'Open Jupyter' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'connect-no-nvidia-smi.png') });
  });
});
