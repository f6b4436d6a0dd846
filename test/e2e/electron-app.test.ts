import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_METHODS, REQUEST_METHODS } from '../../src/shared/channels.js';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { ensureAppBuilt } from './support/build-app.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../fixtures/sshd.js';
import { hasXvfb, startXvfb, type Xvfb } from '../integration/support/xvfb.js';

// The real app in a real Electron: main, preload and the popover together, against moto + the
// cloud proxy + sshd. It needs the Electron binary. Since Electron 42 the electron package no longer
// downloads it at `npm ci` (no postinstall; ELECTRON_SKIP_BINARY_DOWNLOAD has no effect): it
// downloads on first run, and `npx install-electron --no` fetches it ahead. This test never
// downloads (requiring the package would): without the binary it is skipped and says why.
const ROOT = resolve(import.meta.dirname, '../..');

/** The Electron binary's path, or why there is none; read as the package's index.js would, without its download. */
function electronBinary(): { path: string } | { reason: string } {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return { reason: `${relative(ROOT, packageDir)} holds none yet: no path.txt` };
    const path = join(packageDir, 'dist', readFileSync(pathFile, 'utf8'));
    return existsSync(path) ? { path } : { reason: `${relative(ROOT, path)} does not exist` };
  } catch (error) {
    return { reason: (error as Error).message.split('\n')[0] ?? 'electron could not be found' };
  }
}

const binary = electronBinary();
const skipReason = 'reason' in binary
  ? `no Electron binary (${binary.reason}); fetch it with \`npx install-electron --no\` (needs the network) to run this test`
  : null;
if (skipReason) console.log(`electron-app e2e: skipped: ${skipReason}`);

let cloud: Cloud;
let sshd: Sshd;
let xvfb: Xvfb | null = null;
let home: string;
let app: ElectronApplication;
let popover: Page;

beforeAll(async () => {
  if (skipReason) return;
  await ensureAppBuilt(ROOT);
  cloud = await startCloud();
  cloud.proxy.setHold({ pendingMs: 1_500, stoppingMs: 1_500 });
  cloud.proxy.setQuota('L-DB2E81BA', 8);
  sshd = await startSshd({ start: false });
  home = await mkdtemp(join(tmpdir(), 'cloudrig-electron-'));
  await writeFile(join(home, 'aws-config'), '');
  const display = process.platform === 'linux' && !process.env.DISPLAY && hasXvfb() ? (xvfb = await startXvfb()).display : process.env.DISPLAY;
  app = await _electron.launch({
    executablePath: 'path' in binary ? binary.path : undefined,
    args: [ROOT, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
    env: {
      ...process.env,
      ...cloud.env,
      ...(display ? { DISPLAY: display } : {}),
      CLOUDRIG_HOME: join(home, 'home'),
      XDG_CONFIG_HOME: join(home, 'xdg'),
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    },
  });
  popover = await app.firstWindow();
  // The popover starts hidden (a tray app); show it as a tray click would.
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.show());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await sshd?.close();
  await cloud?.close();
  await xvfb?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the packaged flow in Electron', () => {
  it('runs the popover sandboxed, with only the named bridge', async (context) => {
    if (skipReason) return context.skip(skipReason);
    expect(popover.url()).toBe('app://cloudrig/index.html');
    // No Node in the page (nodeIntegration off, context isolated): only the frozen bridge.
    const globals = await popover.evaluate(() => {
      const page = globalThis as unknown as { require?: unknown; process?: unknown; cloudrig: Record<string, unknown> };
      return { require: typeof page.require, process: typeof page.process, bridge: Object.keys(page.cloudrig).sort() };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: [...Object.values(REQUEST_METHODS), ...Object.values(EVENT_METHODS)].sort() });
  });

  it('goes from first run to ready, stops, starts and terminates', async (context) => {
    if (skipReason) return context.skip(skipReason);
    await popover.getByRole('heading', { name: 'Set up your GPU workstation' }).waitFor();
    await popover.getByText('Advanced: ssh and network').click();
    await popover.getByLabel('SSH user').fill(sshd.user);
    await popover.getByLabel('SSH host override').fill(sshd.host);
    await popover.getByLabel('SSH port').fill(String(sshd.port));
    await popover.getByRole('button', { name: 'Create workstation' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^No instance$/ }).waitFor({ timeout: 30_000 });

    const keys = join(home, 'home', 'keys');
    const keyFile = (await readdir(keys)).find((file) => file.startsWith('cloudrig-gpu')) ?? '';
    await sshd.setAuthorizedKey(publicKeyFromPrivate(await readFile(join(keys, keyFile), 'utf8')));
    await sshd.start();

    await popover.getByRole('button', { name: 'Launch' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^Ready for ssh$/ }).waitFor({ timeout: 60_000 });
    await popover.getByRole('button', { name: 'Copy' }).click();
    const copied = await app.evaluate(({ clipboard }) => clipboard.readText());
    expect(copied).toBe(await popover.getByTestId('ssh-command').textContent());

    await popover.getByRole('button', { name: 'Stop' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^Stopped$/ }).waitFor({ timeout: 60_000 });
    await popover.getByRole('button', { name: 'Start' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^Ready for ssh$/ }).waitFor({ timeout: 60_000 });
    await popover.getByRole('button', { name: 'Terminate…' }).click();
    await popover.getByRole('button', { name: 'Terminate without saving' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^No instance$/ }).waitFor({ timeout: 60_000 });
  }, 240_000);

  it('keeps the tray menu in step, opens and hides the popover from the tray, notifies when ssh answers, and asks before quitting with an instance billed', async (context) => {
    if (skipReason) return context.skip(skipReason);
    // Electron has no API that lists an app's trays, menus or shown notifications: from here on the
    // test records what the shell hands Electron, and answers the quit question with Cancel.
    await app.evaluate(({ Tray, Menu, Notification, dialog }) => {
      const seen = { tray: null as Electron.Tray | null, menus: [] as Electron.Menu[], notifications: [] as string[], questions: [] as string[] };
      (globalThis as unknown as { seen: typeof seen }).seen = seen;
      const setToolTip = Tray.prototype.setToolTip;
      Tray.prototype.setToolTip = function (this: Electron.Tray, text: string) {
        seen.tray = this;
        setToolTip.call(this, text);
      };
      const build = Menu.buildFromTemplate.bind(Menu);
      Menu.buildFromTemplate = (template) => {
        const menu = build(template);
        seen.menus.push(menu);
        return menu;
      };
      const show = Notification.prototype.show;
      Notification.prototype.show = function (this: Electron.Notification) {
        seen.notifications.push(this.title);
        show.call(this);
      };
      dialog.showMessageBox = (async (...args: unknown[]) => {
        const options = args.at(-1) as Electron.MessageBoxOptions;
        seen.questions.push(options.message);
        return { response: options.cancelId ?? 1, checkboxChecked: false };
      }) as typeof dialog.showMessageBox;
    });
    const seen = <T>(read: (seen: { tray: Electron.Tray | null; menus: Electron.Menu[]; notifications: string[]; questions: string[] }) => T): Promise<T> =>
      app.evaluate((_electron, body) => (0, eval)(body)((globalThis as unknown as { seen: unknown }).seen), read.toString()) as Promise<T>;
    const lastMenuLabels = (): Promise<string[]> => seen((s) => (s.menus.at(-1)?.items ?? []).map((item) => item.label));

    await popover.getByRole('button', { name: 'Launch' }).click();
    await popover.getByTestId('phase').filter({ hasText: /^Ready for ssh$/ }).waitFor({ timeout: 60_000 });
    // The notification that ssh answers, and a tray menu that offers Stop for the running box.
    await expect.poll(() => seen((s) => s.notifications), { timeout: 15_000 }).toContainEqual('gpu is ready for ssh');
    await expect.poll(lastMenuLabels, { timeout: 15_000 }).toEqual(expect.arrayContaining(['Stop', 'Copy SSH command', 'Open terminal', 'Quit CloudRig']));

    // A click on the tray opens the popover; the next one hides it.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());
    await seen((s) => s.tray?.emit('click', {}, { x: 0, y: 0, width: 22, height: 22 }));
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible())).toBe(true);
    await seen((s) => s.tray?.emit('click', {}, { x: 0, y: 0, width: 22, height: 22 }));
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible())).toBe(false);

    // Quit from the tray menu with the instance billed: the question, and Cancel leaves the app running.
    await seen((s) => s.menus.at(-1)?.items.find((item) => item.label === 'Quit CloudRig')?.click());
    await expect.poll(() => seen((s) => s.questions)).toEqual(['gpu is still running']);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    await popover.getByTestId('phase').filter({ hasText: /^Ready for ssh$/ }).waitFor();
  }, 180_000);
});

// The packaged layout `npm run dist` leaves in dist/*-unpacked (or dist/mac*/CloudRig.app): the
// app as users get it, loaded from its asar with the fuses flipped. Playwright cannot drive it
// (the fuses refuse --inspect, which Playwright's _electron needs), so it is run as a user would
// and judged from outside: it starts, keeps Chromium's files out of the CloudRig home, stays one
// instance, and its asar holds no CLI.
function packagedApp(): { executable: string; asar: string } | { reason: string } {
  const dist = join(ROOT, 'dist');
  if (!existsSync(dist)) return { reason: 'no dist/ folder: `npm run dist` (which needs network access) has not packaged the app here' };
  const candidates = [
    { executable: join(dist, 'linux-unpacked', 'cloudrig'), asar: join(dist, 'linux-unpacked', 'resources', 'app.asar') },
    { executable: join(dist, 'win-unpacked', 'CloudRig.exe'), asar: join(dist, 'win-unpacked', 'resources', 'app.asar') },
    ...['mac', 'mac-arm64', 'mac-universal'].map((folder) => ({
      executable: join(dist, folder, 'CloudRig.app', 'Contents', 'MacOS', 'CloudRig'),
      asar: join(dist, folder, 'CloudRig.app', 'Contents', 'Resources', 'app.asar'),
    })),
  ];
  return candidates.find((candidate) => existsSync(candidate.executable) && existsSync(candidate.asar))
    ?? { reason: `dist/ holds no unpacked app for ${process.platform} (looked for ${candidates.map((c) => relative(ROOT, c.executable)).join(', ')}); \`npm run package\` makes it, and electron-builder needs an Electron binary for that${'reason' in binary ? ' (none here)' : ''}` };
}

const packaged = packagedApp();
const packagedSkip = 'reason' in packaged ? packaged.reason : null;
if (packagedSkip) console.log(`electron-app e2e (packaged layout): skipped: ${packagedSkip}`);

describe('the packaged app from dist/', () => {
  let packagedHome: string;
  let running: ChildProcess | null = null;
  let packagedDisplay: Xvfb | null = null;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (packagedSkip) return;
    packagedHome = await mkdtemp(join(tmpdir(), 'cloudrig-packaged-'));
    const display = process.platform === 'linux' && !process.env.DISPLAY && hasXvfb() ? (packagedDisplay = await startXvfb()).display : process.env.DISPLAY;
    env = { ...process.env, ...(display ? { DISPLAY: display } : {}), CLOUDRIG_HOME: join(packagedHome, 'home'), XDG_CONFIG_HOME: join(packagedHome, 'xdg') };
  });

  afterAll(async () => {
    if (running && running.exitCode === null) {
      const exited = new Promise((resolve) => running?.once('exit', resolve));
      running.kill();
      await exited;
    }
    await packagedDisplay?.close();
    if (packagedHome) await rm(packagedHome, { recursive: true, force: true });
  });

  it('ships main, preload and renderer in its asar, and no CLI', async (context) => {
    if ('reason' in packaged) return context.skip(packaged.reason);
    const { listPackage } = await import('@electron/asar');
    const entries = listPackage(packaged.asar, { isPack: false }).map((entry) => entry.split(sep).join('/'));
    expect(entries).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/resources/tray/stopped.png']));
    expect(entries.filter((entry) => entry.startsWith('/out/cli') || entry.endsWith('.map'))).toEqual([]);
  });

  it('starts from its asar, keeps Chromium\'s files in <home>/electron, and stays one instance', async (context) => {
    if ('reason' in packaged) return context.skip(packaged.reason);
    const args = process.platform === 'linux' ? ['--no-sandbox'] : [];
    running = spawn(packaged.executable, args, { env, stdio: 'ignore' });
    const home = join(packagedHome, 'home');
    await expect.poll(() => existsSync(join(home, 'electron', 'Local State')), { timeout: 60_000, interval: 250 }).toBe(true);
    expect(running.exitCode).toBeNull();
    // Nothing of Chromium's in the home `rig` shares.
    const inHome = await readdir(home);
    expect(inHome.filter((entry) => ['Local State', 'Preferences', 'Cache', 'GPUCache', 'Cookies', 'Session Storage'].includes(entry))).toEqual([]);
    // A second launch hands over to the first (which shows its popover) and exits.
    const second = spawn(packaged.executable, args, { env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    expect(running.exitCode).toBeNull();
  }, 120_000);
});
