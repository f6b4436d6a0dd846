import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore, resolveHome, systemTerminal } from '../../src/adapters/compose.js';
import type { NotificationModel } from '../../src/core/notification-policy.js';
import type { Shell } from '../../src/main/app-shell.js';
import { platformOf } from '../../src/main/desktop.js';
import { DESKTOP_PROFILES, DOUBLE_CLICK_MS, type DesktopProfile, type World } from '../support/electron-double.js';
import { leafItems } from '../support/electron-menus.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The desktop defects a faithful double shows: the shell (src/main) booted on each
// desktop with `electron` replaced by the module double (test/support/electron-double.ts), which
// behaves as Electron's docs and source say: the default application menu at launch, the tray's
// double-click, the single-instance lock creating userData. Behind it everything is real: the
// session, the core, the AWS adapters against moto + the cloud proxy, rig for the billed instance.
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const world = useRigWorld({ eachTest: { init: false } });
let appData: string;
let shell: Shell | null = null;
/** The shell's clock for telling a tray click from the blur it caused; each gesture moves it. */
let gestureMs = 0;

beforeEach(async () => {
  appData = await mkdtemp(join(tmpdir(), 'cloudrig-desktop-'));
  electron.module.app.quit.mockClear();
});

afterEach(async () => {
  await shell?.session.dispose();
  shell = null;
  await rm(appData, { recursive: true, force: true });
});

/** The CloudRig home of a fresh desktop: where `rig` keeps its files, <appData>/CloudRig. */
const freshHome = (): string => join(appData, 'CloudRig');

/** CloudRig launched on `profile`, with `home` as its home (a fresh one unless given), in a world the user set up so, with these session variables. */
async function launch(profile: DesktopProfile, home = freshHome(), system: Partial<World> = {}, session: NodeJS.ProcessEnv = {}): Promise<Shell> {
  electron.reset(profile, { appData, ...system });
  const { boot } = await import('../../src/main/app-shell.js');
  const env = { ...world.env, ...session, CLOUDRIG_HOME: home, XDG_CONFIG_HOME: appData, APPDATA: appData };
  const booted = await boot({ createCore, resolveHome, terminal: systemTerminal }, { platform: platformOf(profile), env, now: () => gestureMs });
  if (!booted) throw new Error('boot() gave up the single-instance lock');
  shell = booted;
  return booted;
}

/** The user clicks the tray icon `afterMs` after their previous click on it. */
function clickTray(afterMs: number): void {
  gestureMs += afterMs;
  electron.trays[0]!.click(afterMs);
}

describe.each(DESKTOP_PROFILES)('the application menu on %s', (profile) => {
  it('has no shortcut that reloads the popover or opens its developer tools, and no menu bar on a framed popover', async () => {
    await launch(profile);
    electron.relaunch();
    const window = electron.windows[0]!;
    expect(window.visible).toBe(true);
    // The user clicks into it (on Wayland showing a window does not focus it).
    window.focused = true;
    for (const keys of ['CmdOrCtrl+R', 'Shift+CmdOrCtrl+R', profile === 'darwin' ? 'Alt+Command+I' : 'Ctrl+Shift+I', profile === 'darwin' ? 'Control+Command+F' : 'F11']) {
      expect(electron.pressShortcut(keys), keys).toBeNull();
    }
    expect(window.webContents.reloads).toBe(0);
    // Wayland's popover is a framed window: it shows the application menu as its menu bar, if any.
    expect(window.menuBar()).toEqual([]);
  });

  it(profile === 'darwin' ? 'keeps copy, paste and select all for the popover\'s text fields' : 'sets no application menu at all', async () => {
    await launch(profile);
    const menu = electron.applicationMenu;
    if (profile !== 'darwin') {
      expect(menu).toBeNull();
      return;
    }
    const roles = leafItems(menu!.template, 'darwin').map((item) => item.role);
    expect(roles).toEqual(expect.arrayContaining(['cut', 'copy', 'paste', 'selectAll', 'undo', 'redo']));
    expect(electron.pressShortcut('Cmd+C')).toBe('copy');
    expect(electron.pressShortcut('Cmd+V')).toBe('paste');
  });
});

/** CloudRig launched on `profile` over the home where `rig up` just started an instance (billed, so Quit asks). */
async function launchWithBilledInstance(profile: DesktopProfile): Promise<Shell> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  const booted = await launch(profile, world.home);
  await vi.waitFor(() => expect(booted.session.view().workstation?.phase).toMatch(/^(pending|running|ready)$/), { timeout: 60_000, interval: 50 });
  return booted;
}

describe('Cmd+Q on macOS', () => {
  it('asks before quitting while an instance is billed, as the tray\'s Quit does, and quits when told to', async () => {
    const booted = await launchWithBilledInstance('darwin');

    expect(electron.pressShortcut('Cmd+Q')).toBe('click');
    await vi.waitFor(() => expect(electron.dialogs.at(-1)).toMatchObject({ message: 'gpu is still running', buttons: ['Quit and leave it running', 'Cancel'] }));
    expect(electron.module.app.quit).not.toHaveBeenCalled();

    electron.dialogAnswers.push(0);
    electron.pressShortcut('Cmd+Q');
    await vi.waitFor(() => expect(electron.module.app.quit).toHaveBeenCalledTimes(1));
    // Quitting leaves the instance exactly as it was.
    expect(booted.session.view().workstation?.phase).toMatch(/^(pending|running|ready)$/);
  }, 120_000);
});

describe.each(['darwin', 'win32'] as const)('the tray icon on %s', (profile) => {
  it('opens and closes the popover on quick clicks as on slow ones', async () => {
    await launch(profile);
    const window = electron.windows[0]!;
    for (let round = 0; round < 2; round += 1) {
      clickTray(2_000);
      expect(window.visible).toBe(true);
      // Within the system's double-click interval: Electron reports it as a 'double-click'.
      clickTray(DOUBLE_CLICK_MS / 2);
      expect(window.visible).toBe(false);
    }
  });
});

describe.each(['linux-x11', 'linux-wayland'] as const)('the tray icon on %s', (profile) => {
  it('never reports a click (the AppIndicator opens its menu), and the menu\'s Show CloudRig opens the popover', async () => {
    await launch(profile);
    const window = electron.windows[0]!;
    const tray = electron.trays[0]!;
    clickTray(2_000);
    expect(window.visible).toBe(false);
    const show = tray.openMenu()?.template.find((item) => item.label === 'Show CloudRig');
    expect(show).toBeDefined();
    (show!.click as () => void)();
    expect(window.visible).toBe(true);
  });
});

describe.each(DESKTOP_PROFILES)('the single-instance lock on %s', (profile) => {
  it('sits in Chromium\'s own folder, not in the CloudRig home nor in a stray lower-case folder', async () => {
    await launch(profile);
    const home = freshHome();
    const lock = profile === 'win32' ? 'lockfile' : 'SingletonLock';
    expect(existsSync(join(home, 'electron', lock))).toBe(true);
    expect(readdirSync(home)).not.toContain(lock);
    expect(readdirSync(appData).filter((name) => name.toLowerCase() === 'cloudrig')).toEqual(['CloudRig']);
    // The name Electron gives the app (notifications, the macOS menu, default folders).
    expect(electron.module.app.getName()).toBe('CloudRig');
  });
});

/** A reminder, with the buttons the policy gives it. */
const REMINDER = {
  key: 'reminder:gpu', kind: 'reminder', title: 'gpu has been running for 2 h 5 min', body: '$1.10 so far at $0.53/h. Stop it if you are done.',
  action: 'show-reminder', buttons: [{ id: 'stop', label: 'Stop now' }, { id: 'snooze', label: 'Snooze 1 h' }],
} as NotificationModel;

describe.each(['win32', 'darwin'] as const)('a notification on %s', (profile) => {
  it('still answers its buttons when pressed later, after it timed out of the screen', async () => {
    const booted = await launch(profile);
    const pressed: string[] = [];
    booted.notifier.show(REMINDER, () => pressed.push('click'), (button) => pressed.push(button));
    // Windows says 'close' (timedOut) as the toast moves to the Action Center; the user opens it there later.
    electron.notifications.at(-1)!.timeOut();
    await electron.collectGarbage();
    expect(electron.notifications.at(-1)!.press(0)).toBe(true);
    expect(pressed).toEqual(['stop']);
  });

  it('still opens CloudRig when clicked later, after it timed out of the screen', async () => {
    const booted = await launch(profile);
    const clicks: string[] = [];
    booted.notifier.show(REMINDER, () => clicks.push('click'), () => clicks.push('button'));
    electron.notifications.at(-1)!.timeOut();
    await electron.collectGarbage();
    expect(electron.notifications.at(-1)!.click()).toBe(true);
    expect(clicks).toEqual(['click']);
  });
});

/** The tray menu's item with this label, as the user sees it when they open the menu. */
function trayMenuItem(label: string): Record<string, unknown> {
  const item = electron.trays[0]?.openMenu()?.template.find((candidate) => candidate.label === label);
  if (!item) throw new Error(`no tray menu item "${label}"`);
  return item;
}

describe('the quit question on macOS', () => {
  it('comes in front of the app the user is in when Quit is chosen from the tray menu, and in front of the popover on Cmd+Q', async () => {
    await launchWithBilledInstance('darwin');

    // The user works in another app and picks Quit from CloudRig's menu in the menu bar.
    expect(electron.world.appActive).toBe(false);
    (trayMenuItem('Quit CloudRig').click as () => void)();
    await vi.waitFor(() => expect(electron.dialogs.at(-1)).toMatchObject({ message: 'gpu is still running', inFront: true }));

    // The popover is open (it floats above alerts) and the user presses Cmd+Q.
    electron.relaunch();
    expect(electron.windows[0]!.visible).toBe(true);
    const asked = electron.dialogs.length;
    expect(electron.pressShortcut('Cmd+Q')).toBe('click');
    await vi.waitFor(() => expect(electron.dialogs.length).toBe(asked + 1));
    expect(electron.dialogs.at(-1)).toMatchObject({ message: 'gpu is still running', inFront: true });
    expect(electron.module.app.quit).not.toHaveBeenCalled();
  }, 120_000);
});

describe.each(['darwin', 'win32', 'linux-x11'] as const)('the popover on %s', (profile) => {
  it('goes away when the user opens another menu-bar or tray item, as a menu would', async () => {
    await launch(profile);
    electron.relaunch();
    const window = electron.windows[0]!;
    expect(window.visible).toBe(true);
    electron.openOtherStatusItem();
    expect(window.visible).toBe(false);
  });
});

describe.each(['linux-x11', 'linux-wayland'] as const)('the tray icon under KDE Plasma on %s', (profile) => {
  it('opens the popover on a click and closes it on the next, though the panel takes focus before the click arrives', async () => {
    await launch(profile, freshHome(), { linuxTrayHost: 'plasma' });
    const window = electron.windows[0]!;
    for (let round = 0; round < 2; round += 1) {
      clickTray(2_000);
      expect(window.visible).toBe(true);
      // The user clicks the icon again to close it (on Wayland the framed popover has its own focus).
      if (profile === 'linux-wayland') window.focused = true;
      clickTray(2_000);
      expect(window.visible).toBe(false);
    }
  });
});

/** The page's own background per theme, as src/renderer/styles.css gives it (--bg, then --bg for dark). */
function pageBackgrounds(): { light: string; dark: string } {
  const css = readFileSync(join(import.meta.dirname, '../../src/renderer/styles.css'), 'utf8');
  const [light, dark] = [...css.matchAll(/--bg:\s*(#[0-9a-fA-F]{3,8})/g)].map((match) => match[1]!.toLowerCase());
  if (!light || !dark || !/prefers-color-scheme: dark[\s\S]*--bg/.test(css)) throw new Error('styles.css no longer sets --bg for light and dark');
  return { light, dark };
}

describe.each(DESKTOP_PROFILES)('the popover\'s colour on %s', (profile) => {
  it('is the page\'s own background for the system\'s theme before the page paints, and follows a change of theme', async () => {
    const page = pageBackgrounds();
    await launch(profile, freshHome(), { darkTheme: false });
    const window = electron.windows[0]!;
    expect(window.backgroundColor.toLowerCase()).toBe(page.light);
    electron.setSystemTheme(true);
    expect(window.backgroundColor.toLowerCase()).toBe(page.dark);
    electron.setSystemTheme(false);
    expect(window.backgroundColor.toLowerCase()).toBe(page.light);
  });
});

/** Whether the system starts CloudRig at login, as the user would see it in the system's own settings. */
function startsAtLogin(profile: DesktopProfile): boolean {
  if (profile === 'darwin') return electron.world.macLoginStatus !== 'not-registered';
  if (profile === 'win32') return electron.world.windowsRunEntry !== null;
  return existsSync(join(appData, 'autostart', 'cloudrig.desktop'));
}

/** The user removes CloudRig's login item outside the app; what the next start's world keeps of it. */
function removeLoginItemOutside(profile: DesktopProfile): Partial<World> {
  // System Settings → Login Items → "−"; a deleted Run entry (regedit, a cleaner); a deleted autostart file.
  if (profile === 'darwin') return { macLoginStatus: 'not-registered' };
  if (profile === 'win32') return { windowsRunEntry: null };
  rmSync(join(appData, 'autostart', 'cloudrig.desktop'));
  return {};
}

describe.each(DESKTOP_PROFILES)('start at login on %s', (profile) => {
  it('stays off after the user removed it outside CloudRig, and the tray\'s switch says so', async () => {
    await launch(profile);
    (trayMenuItem('Start at login').click as () => void)();
    await vi.waitFor(() => expect(startsAtLogin(profile)).toBe(true));
    await shell?.session.dispose();

    const kept = removeLoginItemOutside(profile);
    await launch(profile, freshHome(), kept);
    await vi.waitFor(() => expect(trayMenuItem('Start at login')).toMatchObject({ checked: false }));
    expect(startsAtLogin(profile)).toBe(false);
    expect(electron.loginItemCalls).toEqual([]);
  });

  it('stays on, as the system has it, when the user left it alone', async () => {
    await launch(profile);
    (trayMenuItem('Start at login').click as () => void)();
    await vi.waitFor(() => expect(startsAtLogin(profile)).toBe(true));
    await shell?.session.dispose();

    await launch(profile, freshHome(), { macLoginStatus: electron.world.macLoginStatus, windowsRunEntry: electron.world.windowsRunEntry });
    await vi.waitFor(() => expect(trayMenuItem('Start at login')).toMatchObject({ checked: true }));
    expect(startsAtLogin(profile)).toBe(true);
  });
});

/** A PNG's width and height, from its IHDR chunk; null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || bytes.subarray(12, 16).toString('ascii') !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The images of an ICO file as Windows reads them: each entry's size and its 32-bit DIB's own header; null when not an ICO. */
function icoImages(bytes: Buffer): Array<{ size: number; dibWidth: number; dibHeight: number; bits: number }> | null {
  if (bytes.readUInt16LE(0) !== 0 || bytes.readUInt16LE(2) !== 1) return null;
  return Array.from({ length: bytes.readUInt16LE(4) }, (_, index) => {
    const entry = 6 + 16 * index;
    const length = bytes.readUInt32LE(entry + 8);
    const offset = bytes.readUInt32LE(entry + 12);
    if (offset + length > bytes.length) throw new Error(`ICO image ${index} runs past the end of the file`);
    return { size: bytes.readUInt8(entry) || 256, dibWidth: bytes.readInt32LE(offset + 4), dibHeight: bytes.readInt32LE(offset + 8), bits: bytes.readUInt16LE(offset + 14) };
  });
}

const TRAY_STATES = ['stopped', 'starting', 'ready', 'stopping', 'error'] as const;

describe.each([
  { profile: 'darwin', panel: '' },
  { profile: 'win32', panel: '' },
  { profile: 'linux-x11', panel: 'KDE', linuxSize: 22 },
  { profile: 'linux-x11', panel: 'XFCE', linuxSize: 24 },
  { profile: 'linux-wayland', panel: 'ubuntu:GNOME', linuxSize: 32 },
  { profile: 'linux-wayland', panel: 'KDE', linuxSize: 22 },
] as const)('the tray icon files on $profile ($panel)', ({ profile, panel, ...linux }) => {
  it('are the format and sizes that desktop draws crisply, for every state', async () => {
    await launch(profile, freshHome(), {}, { XDG_CURRENT_DESKTOP: panel });
    const { trayImage } = await import('../../src/main/tray.js');
    const resources = join(process.cwd(), 'resources');
    const shown = [electron.trays[0]!.image.path, ...TRAY_STATES.map((state) => (trayImage(resources, state, profile, panel) as unknown as { path: string }).path)];
    expect(shown[0]).toBe(shown[1]);
    for (const path of shown) {
      const bytes = readFileSync(path);
      if (profile === 'win32') {
        // An ICO with every small-icon size Windows picks from by display scale, each a 32-bit image.
        const images = icoImages(bytes);
        expect(images, path).not.toBeNull();
        expect(images!.map((image) => image.size)).toEqual([16, 20, 24, 32, 48]);
        for (const image of images!) expect(image, path).toEqual({ size: image.size, dibWidth: image.size, dibHeight: image.size * 2, bits: 32 });
      } else if (profile === 'darwin') {
        // A template image at the menu bar's 16 pt, with its @2x for Retina.
        expect(path, path).toMatch(/Template\.png$/);
        expect(pngSize(bytes), path).toEqual({ width: 16, height: 16 });
        expect(pngSize(readFileSync(path.replace(/\.png$/, '@2x.png')))).toEqual({ width: 32, height: 32 });
      } else {
        const size = 'linuxSize' in linux ? linux.linuxSize : 0;
        expect(pngSize(bytes), path).toEqual({ width: size, height: size });
      }
    }
  });
});
