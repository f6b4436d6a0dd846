import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { freePort } from '../fixtures/free-port.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { initArgs, startRigWorld, type RigWorld } from '../support/rig-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { CHROMIUM, ROOT, canRunChromium as canRun } from './support/component-page.js';
import { openPopover } from './support/popover-page.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';

// Connecting from the popover works end to end, not only from prepared views: the built popover in
// Chromium talks (through the same bridge and IPC router as the app) to a real AppSession, whose
// workstation `rig` made and started against moto + the cloud proxy and whose ssh is the real sshd
// with stub `nvidia-smi` and `jupyter` on the box's PATH. Jupyter "runs" on the instance side's
// loopback only (127.0.0.2), so a request that answers went through the tunnel. The connect section
// rendered from prepared views is test/e2e/popover-connect.test.ts.
if (!canRun) console.log(`popover connect live e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** The "instance" side's loopback address: nothing of CloudRig's listens there, sshd reaches it. */
const BOX_ADDRESS = '127.0.0.2';
const TOKEN = 'l1ve-t0ken';

let world: RigWorld;
let stubs: RemoteStubs;
let box: { server: Server; port: number };
let userSsh: string;
let closePopover: (() => Promise<void>) | undefined;
let page: Page;
let session: AppSession;
/** What the shell's allowlisted openExternal was asked to open. */
const opened: string[] = [];
/** The clipboard double. */
const clipboard: string[] = [];

/** Jupyter on the box: answers only with its token. */
async function startBoxJupyter(): Promise<{ server: Server; port: number }> {
  const jupyter = createServer((request, response) => response.end((request.url ?? '').includes(`token=${TOKEN}`) ? 'jupyter lab' : 'login needed'));
  const port = await freePort(BOX_ADDRESS);
  await new Promise<void>((resolve) => jupyter.listen(port, BOX_ADDRESS, resolve));
  return { server: jupyter, port };
}

beforeAll(async () => {
  if (!canRun) return;
  await ensureAppBuilt(ROOT);
  world = await startRigWorld();
  stubs = await remoteStubs();
  box = await startBoxJupyter();
  await stubs.nvidiaSmiPrints(join(ROOT, 'test/fixtures/nvidia-smi/g4dn-12xlarge-4-gpus.csv'));
  await stubs.jupyterLists([JSON.stringify({ hostname: BOX_ADDRESS, port: box.port, token: TOKEN, url: `http://${BOX_ADDRESS}:${box.port}/`, base_url: '/' })]);

  // The user's ~/.ssh/config (a file of the test's), with CloudRig's Include installed: `ssh gpu` works.
  userSsh = await mkdtemp(join(tmpdir(), 'cloudrig-user-ssh-'));
  const env = { CLOUDRIG_SSH_CONFIG: join(userSsh, 'config') };
  await writeFile(env.CLOUDRIG_SSH_CONFIG, 'Host *\n  ServerAliveInterval 30\n');
  const init = await world.rig(initArgs(world), { env });
  expect(init.code, init.stderr).toBe(0);
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
  const install = await world.rig(['ssh-config', '--install'], { env });
  expect(install.code, install.stderr).toBe(0);
  const up = await world.rig(['up'], { env });
  expect(up.code, up.stderr).toBe(0);

  const openExternal = async (url: string): Promise<void> => {
    opened.push(url);
  };
  session = new AppSession({
    home: world.home,
    env: { ...world.env, ...env, CLOUDRIG_HOME: world.home },
    platform: 'linux',
    createCore,
    clipboard: { writeText: (text) => void clipboard.push(text) },
    terminal: { installed: async () => new Set(['xterm']), open: async () => ({ label: 'xterm' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    openExternal,
    tickMs: 3_600_000,
  });
  ({ page, close: closePopover } = await openPopover(session, { width: 380, height: 900 }, openExternal));
}, 240_000);

afterAll(async () => {
  await closePopover?.();
  await session?.dispose();
  box?.server.close();
  await stubs?.close();
  await world?.close();
  if (userSsh) await rm(userSsh, { recursive: true, force: true });
});

describe.runIf(canRun)('the popover connect section against a live session', () => {
  it('shows `ssh gpu` and the GPU panel with the numbers nvidia-smi printed on the box', { timeout: 180_000 }, async () => {
    // With the Include in, the popover's ssh box reads `ssh gpu` (the whole command).
    await expect.poll(() => page.getByTestId('ssh-command').textContent(), { timeout: 60_000 }).toBe('ssh gpu');
    const rows = page.getByTestId('gpu-panel').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(4);
    expect(await rows.allInnerTexts()).toEqual([
      '0\t87 %\t11.0 / 15 GiB\t61 °C\t58 W',
      '1\t92 %\t11.0 / 15 GiB\t64 °C\t61 W',
      '2\t0 %\t0.0 / 15 GiB\t33 °C\t14 W',
      '3\t45 %\t6.0 / 15 GiB\t52 °C\t—',
    ]);
  });

  it('Copy puts `ssh gpu` on the clipboard (the include is installed)', async () => {
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => clipboard).toEqual(['ssh gpu']);
  });

  it('Open Jupyter hands the forwarded URL to the browser, and a GET through it reaches the server on the box', async () => {
    await page.getByRole('button', { name: 'Open Jupyter' }).click();
    await expect.poll(() => opened, { timeout: 60_000 }).toEqual([expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`))]);
    const response = await fetch(opened[0]!);
    expect(await response.text()).toBe('jupyter lab');
    await expect.poll(() => page.getByTestId('tunnels').locator('li').allInnerTexts()).toEqual([expect.stringMatching(new RegExp(`^jupyter: 127\\.0\\.0\\.1:\\d+ → ${box.port}`))]);
  }, 120_000);

  it('TensorBoard tunnel adds a row, and its Close button closes it', async () => {
    const rows = page.getByTestId('tunnels').locator('li');
    await page.getByRole('button', { name: 'TensorBoard tunnel' }).click();
    const tensorboard = rows.filter({ hasText: 'tensorboard' });
    await expect.poll(() => tensorboard.innerText(), { timeout: 60_000 }).toMatch(/^tensorboard: 127\.0\.0\.1:\d+ → 6006/);
    const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(await tensorboard.innerText())?.[1]);
    await tensorboard.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => tensorboard.count()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${localPort}/`)).rejects.toThrow();
    expect(await rows.count()).toBe(1); // Jupyter's stays
  }, 120_000);

  it('Open in VS Code hands the Remote-SSH link for `gpu` to the OS', async () => {
    await page.getByRole('button', { name: 'Open in VS Code' }).click();
    const home = world.sshd.user === 'root' ? '/root' : `/home/${world.sshd.user}`;
    await expect.poll(() => opened.at(-1), { timeout: 60_000 }).toBe(`vscode://vscode-remote/ssh-remote+gpu${home}`);
  }, 120_000);
});
