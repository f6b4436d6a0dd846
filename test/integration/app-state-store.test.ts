import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { moveLegacyAppState } from '../../src/core/app/app-state-migration.js';
import { openAccessKeys, sealAccessKeys } from '../../src/core/credentials.js';
import type { SettingsStore } from '../../src/core/ports.js';
import { APP_STATE_FILE, ElectronAppStateStore } from '../../src/main/app-state-store.js';
import { ELECTRON_STORE_CHANNEL } from '../../src/main/ipc-binding.js';
import { SafeStorageSecretBox } from '../../src/main/secret-box.js';
import { defaultAppState } from '../../src/shared/app-state.js';

// The app's own state in electron-store, with `electron` replaced by the module double
// (test/support/electron-double.ts): electron-store itself, conf and the file system are real.
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const KEYS = { accessKeyId: 'AKIAQXCLOUDRIGSTORE1', secretAccessKey: 'sToReSeCrEt/tHiSmUsTnEvErShOwInPlAiN0123' };

let appData: string;
/** The CloudRig home `rig` shares, and the app's userData inside it (as boot() sets it). */
let home: string;
let userData: string;
let logged: string[];

beforeEach(async () => {
  appData = await mkdtemp(join(tmpdir(), 'cloudrig-app-state-'));
  home = join(appData, 'CloudRig');
  userData = join(home, 'electron');
  logged = [];
  electron.reset('darwin', { appData });
  electron.module.app.setPath('userData', userData);
  await electron.module.app.whenReady();
});

afterEach(async () => {
  await rm(appData, { recursive: true, force: true });
});

/** The app starting: its store opened as boot() opens it. */
const openStore = (): ElectronAppStateStore => new ElectronAppStateStore((line) => logged.push(line));
const storeFile = (): string => join(userData, APP_STATE_FILE);
const box = new SafeStorageSecretBox('darwin');

describe("the app's own state in electron-store", () => {
  it('lives in userData, mode 0600, with typed keys only as sealed bytes, and is there at the next start', async () => {
    const store = openStore();
    expect(store.path).toBe(storeFile());
    store.update((state) => ({ ...state, sealedCredentials: sealAccessKeys(box, KEYS), startAtLogin: true, dismissedHints: ['first-run-quota'] }));

    const text = await readFile(storeFile(), 'utf8');
    expect(text).not.toContain(KEYS.secretAccessKey);
    expect(text).not.toContain(KEYS.accessKeyId);
    if (process.platform !== 'win32') expect(statSync(storeFile()).mode & 0o777).toBe(0o600);
    // Nothing in the home `rig` reads: only userData holds it.
    expect(existsSync(join(home, APP_STATE_FILE))).toBe(false);

    const next = openStore();
    expect(openAccessKeys(box, next.read().sealedCredentials)).toEqual(KEYS);
    expect(next.read()).toMatchObject({ startAtLogin: true, dismissedHints: ['first-run-quota'], updates: { autoDownload: true, channel: 'latest' } });
    expect(logged).toEqual([]);
  });

  it("leaves no electron-store IPC channel open: the router's sender check stays the only way in", async () => {
    // electron-store listens once per load of the module: a fresh load, as at the app's start.
    vi.resetModules();
    const { ElectronAppStateStore: Fresh } = await import('../../src/main/app-state-store.js');
    const listened = vi.spyOn(electron.module.ipcMain, 'on');
    new Fresh(() => undefined);
    expect(listened).toHaveBeenCalledWith(ELECTRON_STORE_CHANNEL, expect.any(Function));
    expect(electron.module.ipcMain.listenerCount(ELECTRON_STORE_CHANNEL)).toBe(0);
  });

  it('refuses to save a state that does not fit the schema, keeping the last good one', async () => {
    const store = openStore();
    store.update((state) => ({ ...state, startAtLogin: true }));
    expect(() => store.update((state) => ({ ...state, sealedCredentials: 'not base64 !' }))).toThrow();
    expect(store.read().startAtLogin).toBe(true);
    expect(JSON.parse(await readFile(storeFile(), 'utf8'))).toMatchObject({ startAtLogin: true, sealedCredentials: null });
  });

  const damaged: readonly (readonly [string, (good: string) => string, RegExp])[] = [
    ['truncated by a crash mid-write', (good) => good.slice(0, Math.floor(good.length / 2)), /is not valid JSON/],
    ['emptied', () => '', /is empty/],
    ['garbage bytes', () => '\u0000\u0000\u00ff\u00fePK\u0003\u0004', /is not valid JSON/],
    ['a value of the wrong type', () => JSON.stringify({ startAtLogin: 'yes' }), /bad value at startAtLogin/],
    ['a list instead of an object', () => '[1, 2]', /bad value at \(top level\)/],
    ['null', () => 'null', /bad value at \(top level\)/],
  ];

  it.each(damaged)('starts from the defaults when the file is %s, says so, and keeps the damaged copy', async (_what, damage, reason) => {
    openStore().update((state) => ({ ...state, sealedCredentials: sealAccessKeys(box, KEYS), startAtLogin: true }));
    const bad = damage(await readFile(storeFile(), 'utf8'));
    await writeFile(storeFile(), bad);

    const store = openStore();
    expect(store.read()).toEqual(defaultAppState());
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(reason);
    expect(logged[0]).toContain(`${APP_STATE_FILE}.damaged`);
    await expect(readFile(`${storeFile()}.damaged`, 'utf8')).resolves.toBe(bad);
    // Replaced on disk: the next start reads the defaults without a word.
    expect(JSON.parse(await readFile(storeFile(), 'utf8'))).toEqual(defaultAppState());
    logged = [];
    expect(openStore().read()).toEqual(defaultAppState());
    expect(logged).toEqual([]);
  });
});

/** settings.json as an earlier version of the app left it: the sealed keys and start at login beside `rig`'s settings. */
async function writeLegacySettings(): Promise<string> {
  const sealed = sealAccessKeys(box, KEYS);
  await new ConfSettingsStore(home).update((settings) => ({ ...settings, profile: 'work', terminal: 'xterm' }));
  const path = join(home, 'settings.json');
  const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  await writeFile(path, JSON.stringify({ ...file, encryptedCredentials: sealed, startAtLogin: true }, null, '\t'));
  return sealed;
}

async function settingsFile(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(home, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

describe('moving what earlier versions kept in the shared settings file, once', () => {
  it('moves the sealed keys and start at login into the store, then removes them from settings.json; the next start does nothing', async () => {
    const sealed = await writeLegacySettings();
    // rig, before the app has moved them, neither warns about the fields nor drops them.
    const settings = new ConfSettingsStore(home);
    expect(settings.unknownFields()).toEqual([]);
    settings.update((current) => ({ ...current, myIpUrl: 'http://127.0.0.1:9/ip' }));
    expect(await settingsFile()).toMatchObject({ encryptedCredentials: sealed, startAtLogin: true });

    moveLegacyAppState(settings, openStore(), (line) => logged.push(line));

    const store = openStore();
    expect(store.read()).toMatchObject({ sealedCredentials: sealed, startAtLogin: true, homeMigration: 'done' });
    expect(openAccessKeys(box, store.read().sealedCredentials)).toEqual(KEYS);
    const after = await settingsFile();
    expect(after).not.toHaveProperty('encryptedCredentials');
    expect(after).not.toHaveProperty('startAtLogin');
    expect(after).toMatchObject({ profile: 'work', terminal: 'xterm', myIpUrl: 'http://127.0.0.1:9/ip' });
    expect(logged).toEqual([]);

    // An older CloudRig writes its fields again: the move ran once, and this start changes nothing.
    const older = { ...after, encryptedCredentials: null, startAtLogin: false };
    await writeFile(join(home, 'settings.json'), JSON.stringify(older));
    const storeBefore = await readFile(storeFile(), 'utf8');
    moveLegacyAppState(new ConfSettingsStore(home), openStore(), (line) => logged.push(line));
    expect(await settingsFile()).toEqual(older);
    expect(await readFile(storeFile(), 'utf8')).toBe(storeBefore);
    expect(openStore().read()).toMatchObject({ sealedCredentials: sealed, startAtLogin: true });
  });

  it('finishes at the next start when removing the old copies failed, without losing the keys', async () => {
    const sealed = await writeLegacySettings();
    // The write that removes the old copies fails (a full disk, the app killed at that moment).
    const real = new ConfSettingsStore(home);
    const failing: SettingsStore = {
      read: () => real.read(),
      unknownFields: () => real.unknownFields(),
      saveWorkstation: (spec) => real.saveWorkstation(spec),
      update: () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    };
    moveLegacyAppState(failing, openStore(), (line) => logged.push(line));

    expect(logged).toEqual([expect.stringMatching(/did not finish .*tried again at the next start/)]);
    expect(await settingsFile()).toMatchObject({ encryptedCredentials: sealed, startAtLogin: true });
    // The keys are in the store already: this start has them.
    expect(openAccessKeys(box, openStore().read().sealedCredentials)).toEqual(KEYS);

    logged = [];
    moveLegacyAppState(new ConfSettingsStore(home), openStore(), (line) => logged.push(line));
    expect(logged).toEqual([]);
    expect(await settingsFile()).not.toHaveProperty('encryptedCredentials');
    expect(openStore().read()).toMatchObject({ sealedCredentials: sealed, startAtLogin: true, homeMigration: 'done' });
    expect(openAccessKeys(box, openStore().read().sealedCredentials)).toEqual(KEYS);
  });

  it('keeps keys typed after a half-finished move: the old copy is removed, never copied over them', async () => {
    await writeLegacySettings();
    const failing = new ConfSettingsStore(home);
    failing.update = () => {
      throw new Error('EROFS: read-only file system');
    };
    moveLegacyAppState(failing, openStore(), () => undefined);
    const newer = { accessKeyId: 'AKIAQXCLOUDRIGNEWER2', secretAccessKey: KEYS.secretAccessKey.replace('sToRe', 'nEwEr') };
    openStore().update((state) => ({ ...state, sealedCredentials: sealAccessKeys(box, newer) }));

    moveLegacyAppState(new ConfSettingsStore(home), openStore(), () => undefined);
    expect(openAccessKeys(box, openStore().read().sealedCredentials)).toEqual(newer);
    expect(await settingsFile()).not.toHaveProperty('encryptedCredentials');
  });
});
