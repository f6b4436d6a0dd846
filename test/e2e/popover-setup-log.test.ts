import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVE_IMAGE_SUGGESTION, withSetupProgress } from '../../src/core/app/app-setup.js';
import { setupFailure } from '../../src/core/app/setup-script.js';
import { workstationView } from '../../src/core/popover-model.js';
import type { ConnectView, SetupView, WorkstationView } from '../../src/shared/views.js';
import { NOW, settingsWithGpu, snapshotIn } from '../unit/support/snapshots.js';
import { CHROMIUM, SHOTS, canRunChromium as canRun, openComponentPage } from './support/component-page.js';

// The setup script's log in the popover, in Debian's Chromium: the workstation panel while a fresh
// instance runs it ("Setting up gpu…", the setup step current, the last lines), a failure with its
// last lines, the fix and the whole log a click away, and the one-time Save image suggestion. The
// views come from core's functions; test/integration/app-setup-log.test.ts makes the same views
// against moto and a real sshd.
if (!canRun) console.log(`popover setup-log e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let browser: Browser;
let page: Page;

const LOG = '/var/lib/cloudrig/setup/setup.log';
const JULIA = [
  '+ curl -fsSL https://install.julialang.org -o /tmp/juliaup.sh',
  '+ sh /tmp/juliaup.sh --yes --default-channel release',
  'Juliaup installed: julia 1.11.2',
  '+ julia -e \'using Pkg; Pkg.add("CUDA")\'',
  '   Resolving package versions...',
  '   Installed CUDA_Driver_jll ─ v0.10.4',
  '   Installed CUDA_Runtime_jll ─ v0.15.5',
  '  Downloading artifact: CUDA_Runtime',
];

function connectWith(setup: SetupView): ConnectView {
  return {
    tunnels: [], gpu: null, gpuLine: null, hostKey: 'verified', sshAlias: 'ssh gpu', sshConfigInstalled: true,
    suggestSaveImage: setup.suggestion !== null, setup,
  };
}

function panelWith(setup: SetupView): WorkstationView {
  return withSetupProgress(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW), setup);
}

async function render(setup: SetupView): Promise<void> {
  await page.evaluate(([view, connect]) => (globalThis as unknown as { renderPanel(v: unknown, c: unknown): void }).renderPanel(view, connect), [panelWith(setup), connectWith(setup)] as const);
}

const intents = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { intents: string[] }).intents.slice());

beforeAll(async () => {
  if (!canRun) return;
  ({ browser, page } = await openComponentPage({ harness: 'test/e2e/support/setup-log-harness.tsx', viewport: { width: 380, height: 720 }, colorScheme: 'dark' }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.runIf(canRun)('the setup script in the popover, in Chromium', () => {
  it('while it runs: "Setting up gpu…", the setup step current, the log\'s last lines as they come', async () => {
    await render({ state: 'running', title: 'Setting up gpu…', lines: JULIA.slice(0, 3), error: null, logPath: LOG, suggestion: null });
    await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Setting up gpu…');
    expect(await page.getByTestId('setup-lines').textContent()).toBe(JULIA.slice(0, 3).join('\n'));
    // The next poll's lines replace the view; the panel shows them.
    await render({ state: 'running', title: 'Setting up gpu…', lines: JULIA, error: null, logPath: LOG, suggestion: null });
    await expect.poll(() => page.getByTestId('setup-lines').textContent()).toContain('Downloading artifact: CUDA_Runtime');
    expect(await page.locator('.step.current').innerText()).toContain('Setup script');
    expect(await page.getByTestId('suggest-save-image').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'setup-running.png'), fullPage: true });

    await page.getByRole('button', { name: 'Open log in terminal' }).click();
    await page.getByRole('button', { name: 'Copy log command' }).click();
    await expect.poll(intents).toEqual(['openSetupLog', 'copySetupLogCommand']);
  });

  it('a failure: its last lines, the app-worded fix, and the whole log a click away', async () => {
    const error = setupFailure('gpu', { kind: 'failed', exitCode: 6, lastLines: [] })!;
    const lines = [...JULIA.slice(0, 4), 'curl: (6) Could not resolve host: pkg.julialang.org', 'ERROR: could not download https://pkg.julialang.org/registries'];
    await render({ state: 'failed', title: 'Setup did not finish on gpu', lines, error, logPath: LOG, suggestion: null });
    await expect.poll(() => page.getByTestId('setup-title').textContent()).toBe('Setup did not finish on gpu');
    const box = page.getByTestId('setup-log');
    expect(await box.getByRole('alert').innerText()).toMatch(/The setup script failed \(exit 6\)\.\s+Fix: Read the whole log \(Open log in terminal, or Copy log command\), fix the script in Settings → Workstation → Setup script/);
    expect(await page.getByTestId('setup-lines').textContent()).toContain('ERROR: could not download');
    // The badge says the worst current fact: ssh answers, but setup failed.
    expect(await page.getByTestId('phase').textContent()).toBe('Setup failed');
    expect(await page.getByTestId('phase').getAttribute('class')).toContain('tone-bad');
    await page.screenshot({ path: join(SHOTS, 'setup-failed.png'), fullPage: true });
  });

  it('after a success: the Save image suggestion once, which opens the terminate confirmation, or Not now', async () => {
    await page.evaluate(() => ((globalThis as unknown as { intents: string[] }).intents.length = 0));
    await render({ state: 'succeeded', title: 'Setup finished', lines: [], error: null, logPath: LOG, suggestion: SAVE_IMAGE_SUGGESTION });
    await page.getByTestId('suggest-save-image').waitFor();
    expect(await page.getByTestId('suggest-save-image').innerText()).toContain('Setup finished — save an image so the next launch starts ready.');
    expect(await page.getByTestId('setup-lines').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'setup-succeeded.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save image and terminate…' }).click();
    await page.getByRole('button', { name: 'Not now' }).click();
    await expect.poll(intents).toEqual(['confirm:true', 'dismissSetupSuggestion']);
  });
});
