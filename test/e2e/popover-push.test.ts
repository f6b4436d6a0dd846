import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectView } from '../../src/shared/views.js';
import { CHROMIUM, SHOTS, canRunChromium as canRun, openComponentPage } from './support/component-page.js';

// Push and tunnels in the popover's connect section, in Debian's Chromium: the push folder with its
// progress, outcome and actions (Change…, Push now, Push on start), "Re-open on start" on each
// tunnel, a custom forward, and a marked tunnel whose port was taken, with Forget. The same
// section runs against moto and a real sshd in test/integration/app-push-tunnels.test.ts.
if (!canRun) console.log(`popover push e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let browser: Browser;
let page: Page;

async function render(view: ConnectView, ready = true): Promise<void> {
  await page.evaluate(([model, isReady]) => (globalThis as unknown as { renderConnect(v: unknown, r: boolean): void }).renderConnect(model, isReady), [view, ready] as const);
}

const intents = (): Promise<string[]> => page.evaluate(() => (globalThis as unknown as { intents: string[] }).intents.slice());

const BASE: ConnectView = { tunnels: [], gpu: null, gpuLine: null, hostKey: 'verified', sshAlias: 'ssh gpu', sshConfigInstalled: true, suggestSaveImage: false };

beforeAll(async () => {
  if (!canRun) return;
  ({ browser, page } = await openComponentPage({ harness: 'test/e2e/support/connect-harness.tsx', viewport: { width: 380, height: 520 }, colorScheme: 'dark' }));
  // The harness's window.cloudrig, with this feature's requests recorded the same way.
  await page.evaluate(() => {
    const g = globalThis as unknown as { intents: string[]; cloudrig: Record<string, (payload?: unknown) => Promise<unknown>> };
    const record = (name: string) => async (payload?: unknown) => {
      g.intents.push(payload === undefined ? name : `${name}:${JSON.stringify(payload)}`);
      return { ok: true, value: null };
    };
    for (const name of ['chooseProjectFolder', 'pushProjectNow', 'updateProjectFolder', 'setTunnelReopen', 'openCustomTunnel']) g.cloudrig[name] = record(name);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.runIf(canRun)('the push folder and re-opened tunnels in the popover', () => {
  it('shows the folder, its progress, a marked tunnel and one that could not re-open', async () => {
    await page.evaluate(() => ((globalThis as unknown as { intents: string[] }).intents.length = 0));
    await render({
      ...BASE,
      tunnels: [
        { label: 'jupyter', localPort: 8888, remotePort: 8888, url: 'http://127.0.0.1:8888/', reopen: true },
        { label: 'port 8080', localPort: 8080, remotePort: 8080, url: 'http://127.0.0.1:8080/', reopen: false },
      ],
      reopenProblems: [{
        label: 'tensorboard', localPort: 6006,
        error: {
          code: 'PortInUse', message: 'Could not re-open the tensorboard tunnel: port 6006 is in use on this computer.',
          fix: { action: 'use-another-port', localPort: 6006, remotePort: null, reopening: true },
        },
      }],
      project: {
        local: '/home/me/projects/model', remote: '~/model', pushOnStart: true, result: null, error: null, canPush: false,
        progress: { filesDone: 4, filesTotal: 12, bytesDone: 1_258_291, bytesTotal: 3_565_158, text: '5 of 12 files · 1.2 MiB of 3.4 MiB' },
      },
    });
    await expect.poll(() => page.getByTestId('push-local').textContent()).toBe('/home/me/projects/model');
    expect(await page.getByTestId('push-remote').textContent()).toBe('~/model');
    expect(await page.getByTestId('push-progress').textContent()).toBe('Pushing: 5 of 12 files · 1.2 MiB of 3.4 MiB');
    expect(await page.getByRole('button', { name: 'Push now' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Push on start').isChecked()).toBe(true);
    expect(await page.getByLabel('Re-open jupyter on start').isChecked()).toBe(true);
    expect(await page.getByLabel('Re-open port 8080 on start').isChecked()).toBe(false);
    expect(await page.getByTestId('reopen-problems').innerText()).toContain('port 6006 is in use on this computer');
    await page.screenshot({ path: join(SHOTS, 'connect-push-folder.png'), fullPage: true });

    await page.getByLabel('Re-open port 8080 on start').click();
    await page.getByTestId('reopen-problems').getByRole('button', { name: 'Forget' }).click();
    await page.getByLabel('Push on start').click();
    await page.getByRole('button', { name: 'Change…' }).click();
    await page.getByLabel('Port on the workstation').fill('6007');
    await page.getByRole('button', { name: 'Forward' }).click();
    await expect.poll(intents).toEqual([
      'setTunnelReopen:{"localPort":8080,"reopen":true}',
      'setTunnelReopen:{"localPort":6006,"reopen":false}',
      'updateProjectFolder:{"pushOnStart":false}',
      'chooseProjectFolder',
      'openCustomTunnel:{"localPort":6007,"remotePort":6007}',
    ]);
  });

  it('after a push says what it did; a folder that is gone says so with the fix; nothing chosen offers Change… only', async () => {
    await page.evaluate(() => ((globalThis as unknown as { intents: string[] }).intents.length = 0));
    await render({ ...BASE, project: { local: '/home/me/projects/model', remote: '~/model', pushOnStart: false, progress: null, result: 'Pushed 12 files (3.4 MiB)', error: null, canPush: true } });
    await expect.poll(() => page.getByTestId('push-result').textContent()).toBe('Pushed 12 files (3.4 MiB)');
    await page.getByRole('button', { name: 'Push now' }).click();
    await expect.poll(intents).toEqual(['pushProjectNow']);

    await render({
      ...BASE,
      project: {
        local: '/home/me/projects/model', remote: '~/model', pushOnStart: true, progress: null, result: null, canPush: true,
        error: { code: 'FolderMissing', message: 'The push folder /home/me/projects/model no longer exists.', fix: { action: 'choose-push-folder', name: 'gpu', path: '/home/me/projects/model' } },
      },
    });
    await page.getByText('The push folder /home/me/projects/model no longer exists.').waitFor();
    expect(await page.getByTestId('push-folder').innerText()).toContain('Put /home/me/projects/model back, or press Change… under "Push folder"');
    await page.screenshot({ path: join(SHOTS, 'connect-push-folder-missing.png'), fullPage: true });

    await render({ ...BASE, project: { local: null, remote: null, pushOnStart: false, progress: null, result: null, error: null, canPush: false } }, false);
    await expect.poll(() => page.getByTestId('push-folder').innerText()).toContain('none chosen');
    expect(await page.getByRole('button', { name: 'Push now' }).count()).toBe(0);
    expect(await page.getByLabel('Push on start').count()).toBe(0);
  });
});
