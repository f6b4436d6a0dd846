import { existsSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore, resolveHome, systemTerminal } from '../../src/adapters/compose.js';
import type { Shell } from '../../src/main/app-shell.js';
import { AppUpdates, platformUpdater } from '../../src/main/updates.js';
import { appUpdateYml, sha512Of, UpdateFeed } from '../fixtures/update-feed.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Updates through the real electron-updater (its AppImageUpdater: this machine is Linux) against a
// generic feed served on 127.0.0.1, with `electron` replaced by the module double: its app (version,
// paths, ready) and its net.request, which electron-updater downloads through. The packaged app
// reads its feed from resources/app-update.yml, which electron-builder writes from the `publish`
// entry: each test writes one and points process.resourcesPath at it, as Electron sets it.
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const world = useRigWorld({ eachTest: { init: false } });
const RUNNING = (JSON.parse(await readFile(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
const [major, minor] = RUNNING.split('.').map(Number) as [number, number];
const NEWER = `${major}.${minor + 1}.0`;
const OLDER = major > 0 ? `${major - 1}.9.0` : minor > 0 ? `0.${minor - 1}.9` : '0.0.0-old';

let dir: string;
let feed: UpdateFeed;
/** The installed AppImage (APPIMAGE), which an update replaces. */
let installed: string;

/**
 * A "CloudRig" AppImage of `version`: a script that, once started by the updater, writes which
 * version started and whether it was told to install silently.
 */
function appImage(version: string): Buffer {
  return Buffer.from(`#!/bin/sh\necho "${version} silent=$APPIMAGE_SILENT_INSTALL" > "$(dirname "$0")/started"\n`);
}

/** The packaged app's resources folder with its app-update.yml, pointing at `url`. */
async function packagedFor(url: string): Promise<void> {
  const resources = await mkdtemp(join(dir, 'resources-'));
  await writeFile(join(resources, 'app-update.yml'), appUpdateYml(url));
  (process as { resourcesPath?: string }).resourcesPath = resources;
}

/** A feed URL where nothing listens any more. */
async function deadFeedUrl(): Promise<string> {
  const dead = await UpdateFeed.start();
  await dead.close();
  return dead.url;
}

/** The installers in the updater's download cache. */
function cachedInstallers(): string[] {
  const cache = join(process.env.XDG_CACHE_HOME!, 'cloudrig-updater');
  if (!existsSync(cache)) return [];
  return readdirSync(cache, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.AppImage'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-updates-'));
  feed = await UpdateFeed.start();
});

afterAll(async () => {
  await feed?.close();
  delete (process as { resourcesPath?: string }).resourcesPath;
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  const run = await mkdtemp(join(dir, 'run-'));
  // Each test downloads into a cache of its own, and runs from an AppImage of its own. These two are
  // written to process.env because electron-updater, the code under test, reads them there itself
  // (AppAdapter's cache dir, AppImageUpdater's installed file) and has no option to be given them.
  // This file runs in a process of its own (NEEDS_OWN_PROCESS in vitest.config.ts).
  process.env.XDG_CACHE_HOME = join(run, 'cache');
  await mkdir(join(run, 'apps'));
  installed = join(run, 'apps', `CloudRig-${RUNNING}.AppImage`);
  await writeFile(installed, appImage(RUNNING), { mode: 0o755 });
  process.env.APPIMAGE = installed;
  electron.reset('linux-x11', { appData: join(run, 'appdata') });
  electron.module.app.quit.mockClear();
  await packagedFor(feed.url);
});

describe('electron-updater against a generic feed on loopback', () => {
  /** The app's updates on this install, each line they log kept. */
  async function updates(): Promise<{ updates: AppUpdates; lines: string[] }> {
    await electron.module.app.whenReady();
    const updater = await platformUpdater('linux', process.env);
    expect(updater?.constructor.name).toBe('AppImageUpdater');
    const lines: string[] = [];
    return { updates: new AppUpdates(updater!, (line) => lines.push(line)), lines };
  }

  it('finds a newer version, downloads it and keeps it only once its sha512 matches the feed', async () => {
    const bytes = appImage(NEWER);
    feed.publish({ version: NEWER, file: `CloudRig-${NEWER}.AppImage`, bytes });
    const { updates: app, lines } = await updates();
    const downloaded: string[] = [];
    app.onDidDownload((version) => downloaded.push(version));

    await app.check();

    expect(app.version).toBe(NEWER);
    expect(downloaded).toEqual([NEWER]);
    expect(feed.downloads(`CloudRig-${NEWER}.AppImage`)).toBe(1);
    const [file] = cachedInstallers();
    expect(file).toMatch(new RegExp(`CloudRig-${NEWER.replaceAll('.', '\\.')}\\.AppImage$`));
    expect(sha512Of(await readFile(join(process.env.XDG_CACHE_HOME!, 'cloudrig-updater', file!)))).toBe(sha512Of(bytes));
    expect(lines).toEqual([`updates: ${NEWER} downloaded and verified; the tray offers to restart into it`]);
    // Nothing was installed by the check: the running AppImage is the one installed.
    await expect(readFile(installed)).resolves.toEqual(appImage(RUNNING));
  });

  it('refuses a download whose bytes do not match the sha512 the feed published, and keeps none of it', async () => {
    // A mirror serves a changed file under the published hash.
    feed.publish({ version: NEWER, file: `CloudRig-${NEWER}.AppImage`, bytes: Buffer.from('#!/bin/sh\nrm -rf "$HOME"\n'), publishedBytes: appImage(NEWER) });
    const { updates: app, lines } = await updates();

    await app.check();

    expect(feed.downloads(`CloudRig-${NEWER}.AppImage`)).toBe(1);
    expect(app.version).toBeNull();
    expect(cachedInstallers()).toEqual([]);
    expect(lines).toEqual([`updates: ${NEWER} refused: its download does not match the sha512 the feed published`]);
  });

  it('ignores an older version in the feed and never downloads it', async () => {
    feed.publish({ version: OLDER, file: `CloudRig-${OLDER}.AppImage`, bytes: appImage(OLDER) });
    const { updates: app, lines } = await updates();

    await app.check();

    expect(feed.requests).toEqual([expect.stringMatching(/^cloudrig\/latest-linux(-arm64)?\.yml$/)]);
    expect(app.version).toBeNull();
    expect(lines).toEqual([`updates: the feed offers ${OLDER}, not newer than ${RUNNING}: ignored`]);
  });

  it('says in one log line that the feed cannot be reached, and nothing more', async () => {
    await packagedFor(await deadFeedUrl());
    const { updates: app, lines } = await updates();

    await app.check();

    expect(app.version).toBeNull();
    expect(lines).toEqual(['updates: could not check for a newer CloudRig (net::ERR_CONNECTION_REFUSED); the next check is in a few hours']);
  });
});

describe('what electron-builder.yml builds and publishes for electron-updater', () => {
  type Target = string | { target: string; arch?: string[] };
  type Config = { publish: Array<Record<string, string>>; mac: { target: Target[] }; win: { target: Target[] }; linux: { target: Target[] } };
  const targets = (list: Target[]) => list.map((entry) => (typeof entry === 'string' ? { target: entry, arch: undefined } : entry));

  it('builds every installer an update replaces (a zip beside each dmg, the deb on Linux), and reads GitHub releases first, a generic feed second', async () => {
    const config = parseYaml(await readFile(join(process.cwd(), 'electron-builder.yml'), 'utf8')) as Config;
    const mac = targets(config.mac.target);
    expect(mac.find((entry) => entry.target === 'zip')?.arch).toEqual(mac.find((entry) => entry.target === 'dmg')?.arch);
    expect(targets(config.win.target).map((entry) => entry.target)).toContain('nsis');
    // Linux ships the deb alone (an AppImage cannot start on Ubuntu 24.04); electron-updater's DebUpdater updates it.
    expect(targets(config.linux.target).map((entry) => entry.target)).toEqual(['deb']);
    // The first entry becomes the installed app's app-update.yml.
    expect(config.publish[0]).toMatchObject({ provider: 'github', owner: expect.any(String), repo: expect.any(String) });
    expect(config.publish[1]).toMatchObject({ provider: 'generic', url: expect.stringMatching(/^https:\/\//) });
  });
});

describe('the tray app\'s updates, through its boot on Linux (AppImage)', () => {
  let shell: Shell | null = null;
  /** What the app printed to its log. */
  let logged: string[] = [];

  afterEach(async () => {
    await shell?.session.dispose();
    shell = null;
    vi.restoreAllMocks();
  });

  async function launch(home: string): Promise<Shell> {
    logged = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));
    const { boot } = await import('../../src/main/app-shell.js');
    const env = { ...world.env, CLOUDRIG_HOME: home, XDG_CONFIG_HOME: join(dir, 'xdg'), APPIMAGE: installed };
    const booted = await boot({ createCore, resolveHome, terminal: systemTerminal, updater: platformUpdater }, { platform: 'linux', env });
    if (!booted) throw new Error('boot() gave up the single-instance lock');
    shell = booted;
    return booted;
  }

  /** The tray menu as the user opens it: label, and whether it can be chosen. */
  function menu(): Array<{ label: string; enabled: boolean; click: () => void }> {
    return (electron.trays[0]?.openMenu()?.template ?? []).map((item) => ({
      label: String(item.label ?? '—'),
      enabled: item.enabled !== false,
      click: item.click as () => void,
    }));
  }

  const updateItem = () => menu().find((item) => item.label.startsWith('Restart to update'));

  it('offers "Restart to update to X" once the download is verified, waits while an operation runs, then restarts into it', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    feed.publish({ version: NEWER, file: `CloudRig-${NEWER}.AppImage`, bytes: appImage(NEWER) });
    await launch(world.home);
    await vi.waitFor(() => expect(updateItem()).toMatchObject({ label: `Restart to update to ${NEWER}`, enabled: true }), { timeout: 30_000 });
    // Just above Quit.
    expect(menu().slice(-2).map((item) => item.label)).toEqual([`Restart to update to ${NEWER}`, 'Quit CloudRig']);

    // A Start runs (EC2 holds the instance pending): the item waits, and choosing it restarts nothing.
    world.cloud.proxy.setHold({ pendingMs: 3_000 });
    menu().find((item) => item.label.startsWith('Start'))!.click();
    await vi.waitFor(() => expect(updateItem()).toMatchObject({ label: `Restart to update to ${NEWER} (after gpu finishes starting)`, enabled: false }), { timeout: 15_000 });
    updateItem()!.click();
    expect(electron.module.app.quit).not.toHaveBeenCalled();
    expect(existsSync(installed)).toBe(true);

    // The Start ends: now the restart goes ahead.
    await shell!.session.settled();
    await vi.waitFor(() => expect(updateItem()).toMatchObject({ label: `Restart to update to ${NEWER}`, enabled: true }), { timeout: 15_000 });
    updateItem()!.click();
    const started = join(installed, '..', 'started');
    await waitUntil('the new version to start', () => existsSync(started), 15_000);
    await expect(readFile(started, 'utf8')).resolves.toBe(`${NEWER} silent=true\n`);
    await vi.waitFor(() => expect(electron.module.app.quit).toHaveBeenCalledTimes(1));
    // The old AppImage gave way to the new one, named for its version.
    expect(existsSync(installed)).toBe(false);
    await expect(readFile(join(installed, '..', `CloudRig-${NEWER}.AppImage`))).resolves.toEqual(appImage(NEWER));
  }, 120_000);

  it('says in one log line that the feed cannot be reached, with nothing on screen', async () => {
    await packagedFor(await deadFeedUrl());
    const booted = await launch(join(dir, 'home-offline'));
    await vi.waitFor(() => expect(logged.filter((line) => line.startsWith('updates:'))).toHaveLength(1), { timeout: 15_000 });
    expect(logged.filter((line) => line.startsWith('updates:'))).toEqual([expect.stringMatching(/^updates: could not check for a newer CloudRig \(net::ERR_CONNECTION_REFUSED\)/)]);
    // No notification, no dialog, no error or notice in the popover, no update item.
    expect(electron.notifications).toEqual([]);
    expect(electron.dialogs).toEqual([]);
    expect(electron.module.dialog.showErrorBox).not.toHaveBeenCalled();
    expect(booted.session.view()).toMatchObject({ notice: null });
    expect(JSON.stringify(booted.session.view())).not.toMatch(/update|ERR_CONNECTION/i);
    expect(updateItem()).toBeUndefined();
  });
});
