import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cloud } from '../fixtures/cloud.js';
import { publicKeyFromPrivate, type Sshd } from '../fixtures/sshd.js';
import { createCore, resolveHome, systemTerminal, type CoreOptions } from '../../src/adapters/compose.js';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { idleStatusCommand } from '../../src/core/idle-watchdog.js';
import { requestChannels } from '../../src/shared/contract.js';
import type { NotificationModel } from '../../src/core/notification-policy.js';
import type { Shell } from '../../src/main/app-shell.js';
import { platformOf } from '../../src/main/desktop.js';
import { nameHasOwner, STATUS_NOTIFIER_WATCHER } from '../../src/main/status-notifier.js';
import { trayImage } from '../../src/main/tray.js';
import { startAppPeers, type AppPeers } from '../support/app-harness.js';
import { DESKTOP_PROFILES, type DesktopProfile, type DisplayModel, type World } from '../support/electron-double.js';
import { ShiftedClock } from '../support/shifted-clock.js';

// The Electron main process booted with `electron` replaced by a module double that models each
// desktop (test/support/electron-double.ts; no Electron binary can run here). Everything
// behind it is real: the controller, the core, the AWS adapters against moto + the cloud proxy.
// The first suite follows a whole launch on Windows; the second boots every desktop and checks
// what differs between them.
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

let cloud: Cloud;
let sshd: Sshd;
let home: string;
let shell: Shell;
let peers: AppPeers;
/** The app's clock: real time, which the reminder test moves hours ahead. */
const clock = new ShiftedClock();
/** Every command the app ran on the workstation over ssh. */
const sshCommands: string[] = [];
const popoverFrame = { senderFrame: { url: 'app://cloudrig/index.html', parent: null } };

/** Calls a channel the way ipcMain would for a message from `event`'s frame. */
function invoke(channel: string, payload?: unknown, event: unknown = popoverFrame): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  const handler = electron.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no ipcMain handler for ${channel}`);
  return handler(event, payload) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
}

/** The shell's time for telling a tray click from the blur it caused: each user gesture comes a second later. */
let gestureMs = 0;
const shellNow = (): number => gestureMs;

/** The user clicks the tray icon, a moment after whatever they did before. */
function clickTray(): void {
  gestureMs += 1_000;
  electron.trays[0]!.click();
}

/** Clicks a tray menu item the way the menu would. */
function clickMenuItem(label: string): void {
  const item = electron.trays[0]?.openMenu()?.template.find((candidate) => candidate.label === label);
  if (!item) throw new Error(`no tray menu item "${label}"`);
  (item.click as () => void)();
}

/** The last view main pushed to the popover. */
function lastView(): Record<string, unknown> | undefined {
  const views = electron.windows[0]!.webContents.sent.filter(([channel]) => channel === 'view:changed');
  return views.at(-1)?.[1] as Record<string, unknown> | undefined;
}

// Idle reminders wait a day here: the box is idle all along, and an idle reminder due in the same
// evaluation as the running one would be the newest, so the popover would offer it instead.
const REMINDERS = { afterHours: 2, repeatHours: 1, dailyAt: null, idleMinutes: 24 * 60, monthlyBudgetUsd: null, sessionBudgetUsd: null, autoStopAtBudget: false };

function menuLabels(): string[] {
  return (electron.trays[0]?.menu?.template ?? []).map((item) => (item.type === 'separator' ? '—' : `${String(item.label)}${item.enabled === false ? ' (off)' : ''}`));
}

beforeAll(async () => {
  // The workstation's ssh is reserved now and started once CloudRig has made its key.
  peers = await startAppPeers('boot');
  ({ cloud, sshd, dir: home } = peers);
  cloud.proxy.setHold({ pendingMs: 1_500 });
  // No pricing:GetProducts: the app prices from its bundled table, and says so.
  cloud.proxy.setPricingAvailable(false);
  // Start at login was ticked in an earlier run: boot writes the login item again.
  new ConfSettingsStore(join(home, 'home')).update((settings) => ({ ...settings, startAtLogin: true }));
  const { boot } = await import('../../src/main/app-shell.js');
  // The real core on the shifted clock, with its ssh commands recorded on their way to the real sshd.
  const recordingCore = (options: CoreOptions) => {
    const core = createCore({ ...options, clock });
    const exec = core.ssh.exec.bind(core.ssh);
    core.ssh.exec = (target, command, timeoutMs) => {
      sshCommands.push(command);
      return exec(target, command, timeoutMs);
    };
    return core;
  };
  // A Windows desktop: toasts with buttons, a taskbar tray, a 127-character tooltip.
  electron.reset('win32', { appData: join(home, 'appdata') });
  const booted = await boot({ createCore: recordingCore, resolveHome, terminal: systemTerminal }, { platform: 'win32', env: { ...peers.env, CLOUDRIG_HOME: peers.home, XDG_CONFIG_HOME: join(home, 'xdg') }, now: shellNow });
  if (!booted) throw new Error('boot() gave up the single-instance lock');
  shell = booted;
}, 60_000);

afterAll(async () => {
  await peers?.close();
});

describe('main process boot on Windows, through a real launch (electron replaced by a module double)', () => {
  afterAll(() => shell?.session.dispose());

  it('runs as a single-instance tray app, the app:// scheme registered before ready', () => {
    expect(electron.module.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(electron.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    ]);
    expect(electron.module.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(electron.appEvents.has('second-instance')).toBe(true);
  });

  it('creates the popover with the secure webPreferences, serving it from app://', () => {
    expect(electron.windows).toHaveLength(1);
    const window = electron.windows[0];
    expect(window?.options).toMatchObject({ frame: false, show: false, skipTaskbar: true });
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      devTools: false,
      disableBlinkFeatures: 'Auxclick',
      preload: expect.stringMatching(/preload[/\\]index\.cjs$/),
    });
    expect(window?.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(window?.loadedUrl).toBe('app://cloudrig/index.html');
  });

  it('denies every permission, navigation away, new windows and webviews', () => {
    expect(electron.sessionCalls).toEqual(['request:false', 'check:false', 'device:false']);
    const contentsEvents = new Map<string, Array<(...args: unknown[]) => void>>();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (event: string, handler: (...args: unknown[]) => void) => contentsEvents.set(event, [...(contentsEvents.get(event) ?? []), handler]),
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => (openHandler = handler),
    };
    for (const handler of electron.appEvents.get('web-contents-created') ?? []) handler({}, contents);
    const prevented = (event: string, url: string): boolean => {
      let stopped = false;
      for (const handler of contentsEvents.get(event) ?? []) handler({ preventDefault: () => (stopped = true) }, url);
      return stopped;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'app://cloudrig/index.html')).toBe(false);
    expect(prevented('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-attach-webview', 'app://cloudrig/')).toBe(true);
    expect(openHandler).not.toBeNull();
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(electron.module.shell.openExternal).not.toHaveBeenCalled();
  });

  it('handles every contract channel, and only from the popover\'s top frame', async () => {
    expect([...electron.ipcHandlers.keys()].sort()).toEqual(Object.keys(requestChannels).sort());
    // The fleet's fields (switcher, elsewhere list, spend chart) come with their own tests.
    await expect(invoke('view:get')).resolves.toMatchObject({ ok: true, value: { screen: 'setup', workstation: null, notice: null, reminder: null, fleet: null } });
    await expect(invoke('view:get', undefined, { senderFrame: { url: 'app://cloudrig/index.html', parent: {} } })).resolves.toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
    await expect(invoke('view:get', undefined, { senderFrame: null })).resolves.toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
  });

  it('shows the first-run tray the tray model gives', () => {
    expect(electron.trays).toHaveLength(1);
    expect(electron.trays[0]?.image.path).toMatch(/resources[/\\]tray[/\\]stopped\.ico$/);
    expect(electron.trays[0]?.tooltip).toBe('CloudRig: no workstation set up yet');
    expect(menuLabels()).toEqual([
      'No workstation yet (off)', 'Start (off)', 'Copy SSH command (off)', 'Open terminal (off)', '—',
      'Save image and terminate… (off)', 'Terminate… (off)', '—', 'Show CloudRig', 'Set up a workstation…', 'Start at login', '—', 'Quit CloudRig',
    ]);
  });

  it('toggles the popover on tray clicks, though the taskbar blurs it before the second click arrives', () => {
    const window = electron.windows[0]!;
    clickTray();
    expect(window.visible).toBe(true);
    expect(window.webContents.sent).toContainEqual(['screen:show', 'main']);
    clickTray();
    expect(window.visible).toBe(false);
  });

  it('updates the tray and raises "running" as snapshots of a real launch arrive', async () => {
    // sshd is not started yet: its port refuses connections, so ssh is still awaited.
    const saved = await invoke('workstation:save', {
      name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', imageKind: 'parameter',
      image: '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id',
      diskGiB: 100, spot: false, sshUser: sshd.user, sshHost: '127.0.0.1', sshPort: sshd.port, ingressCidr: 'auto',
      autoStopEnabled: true, autoStopMinutes: 60,
    });
    expect(saved).toMatchObject({ ok: true, value: { screen: 'workstation' } });
    await vi.waitFor(() => expect(electron.trays[0]?.tooltip).toMatch(/^CloudRig: gpu \(g4dn\.xlarge, us-east-1\): No instance/), { timeout: 15_000 });

    await expect(invoke('workstation:start')).resolves.toMatchObject({ ok: true });
    await vi.waitFor(() => expect(electron.trays[0]?.image.path).toMatch(/starting\.ico$/), { timeout: 15_000 });
    // No sshd answers on that port: the instance runs, ssh is still awaited.
    await vi.waitFor(() => expect(electron.notifications.map((n) => n.options.title)).toContain('gpu is running'), { timeout: 20_000 });
    const running = electron.notifications.find((n) => n.options.title === 'gpu is running');
    expect(running?.shown).toBe(true);
    expect(running?.options.body).toBe('g4dn.xlarge in us-east-1 is billed from now. Waiting for ssh to answer…');
    // Clicking a toast opens the popover.
    electron.windows[0]!.hide();
    expect(running!.click()).toBe(true);
    expect(electron.windows[0]!.visible).toBe(true);
    expect(electron.windows[0]!.webContents.sent.at(-1)).toEqual(['screen:show', 'main']);
    electron.windows[0]!.hide();
    expect(menuLabels().slice(0, 4)).toEqual(['gpu: Running, waiting for ssh… (off)', 'Stop', 'Copy SSH command', 'Open terminal (off)']);
    // The rate (bundled: the proxy refuses Pricing), the uptime, and the cost meter's session and month
    // (a started instance bills at least a minute: $0.526/60).
    // Windows shows 127 characters: the rate goes, the month's cost stays.
    await vi.waitFor(() => expect(electron.trays[0]?.tooltip).toMatch(/Running, waiting for ssh · up \dm · this session \$0\.01 · this month \$0\.01$/), { timeout: 10_000 });
    expect(electron.trays[0]!.tooltip.length).toBeLessThanOrEqual(127);
    const views = electron.windows[0]!.webContents.sent.filter(([channel]) => channel === 'view:changed');
    expect(views.at(-1)?.[1]).toMatchObject({ screen: 'workstation', workstation: { phase: 'running', primary: { action: 'stop', enabled: true } } });
    // Repeated polls of the same state raise nothing more.
    const count = electron.notifications.length;
    shell.session.refreshNow();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(electron.notifications.length).toBe(count);
  }, 60_000);

  it('copies the exact ssh command to the clipboard', async () => {
    const result = await invoke('ssh:copy');
    expect(result.ok).toBe(true);
    const copied = (result.value as { copied: string }).copied;
    expect(copied).toMatch(new RegExp(`^ssh -i \\S+cloudrig-gpu\\.pem -o IdentitiesOnly=yes .* -p ${sshd.port} ${sshd.user}@127\\.0\\.0\\.1$`));
    expect(electron.module.clipboard.writeText).toHaveBeenCalledWith(copied);
  });

  it('says the ssh command was not copied, and gives it to copy by hand, when the clipboard write fails', async () => {
    // Electron 44+ writes the clipboard asynchronously and rejects when it cannot (its W3C-shaped
    // clipboard); the double answers at once, so this test makes the one write fail as Electron would.
    electron.module.clipboard.writeText.mockRejectedValueOnce(new Error('Write permission denied.'));
    const result = await invoke('ssh:copy');
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'ClipboardFailed',
        message: 'Could not put the ssh command on the clipboard (Write permission denied).',
        fix: { action: 'copy-by-hand', text: expect.stringMatching(new RegExp(`^ssh -i \\S+cloudrig-gpu\\.pem .* -p ${sshd.port} ${sshd.user}@127\\.0\\.0\\.1$`)) },
      },
    });
  });

  it('reminds after two hours running, with Stop now / Snooze 1 h, and Snooze keeps the instance awake over ssh', async () => {
    // The workstation's sshd admits the key CloudRig made: the instance becomes ready.
    const keys = join(home, 'home', 'keys');
    const keyFile = (await readdir(keys)).find((file) => file.startsWith('cloudrig-gpu'));
    await sshd.setAuthorizedKey(publicKeyFromPrivate(await readFile(join(keys, keyFile ?? ''), 'utf8')));
    await sshd.start();
    await vi.waitFor(() => expect(electron.trays[0]?.image.path).toMatch(/ready\.ico$/), { timeout: 20_000 });
    // Once ssh answers, the app asks the instance's idle watchdog how long it has been idle.
    await vi.waitFor(() => expect(sshCommands).toContain(idleStatusCommand(join(home, 'instance-keepalive'))), { timeout: 10_000 });
    await expect(invoke('settings:update', { reminders: REMINDERS })).resolves.toMatchObject({ ok: true, value: { reminders: REMINDERS } });
    expect(electron.notifications.some((n) => n.options.title.includes('running for'))).toBe(false);

    // Two hours and five minutes later, opening the popover brings cost and reminders up to date.
    clock.jump(2 * 3_600_000 + 5 * 60_000);
    electron.windows[0]!.hide();
    clickTray();
    await vi.waitFor(() => expect(electron.notifications.map((n) => n.options.title)).toContainEqual(expect.stringMatching(/^gpu has been running for 2 h [5-7] min$/)), { timeout: 15_000 });
    const reminder = electron.notifications.find((n) => n.options.title.startsWith('gpu has been running for'))!;
    expect(reminder.shown).toBe(true);
    // A Windows toast shows both buttons (Electron 41 routes them back as 'action' with actionIndex).
    expect(reminder.buttons()).toEqual(['Stop now', 'Snooze 1 h']);
    expect(reminder.options).toMatchObject({
      body: expect.stringMatching(/^\$1\.\d\d so far at \$0\.53\/h\. Stop it if you are done\.$/),
      silent: false,
      actions: [{ type: 'button', text: 'Stop now' }, { type: 'button', text: 'Snooze 1 h' }],
    });
    // The popover offers the same two choices (all a Linux user gets, through a click on the notification).
    await vi.waitFor(() => expect(lastView()).toMatchObject({ reminder: { title: reminder.options.title, canStop: true, canSnooze: true, snoozeLabel: 'Snooze 1 h' } }));

    // Snooze 1 h (the toast's second button): reminders wait an hour, and so does the idle auto-stop.
    const snoozedAt = clock.now();
    reminder.press(1);
    const keepalive = join(home, 'instance-keepalive');
    await vi.waitFor(async () => expect(Number((await readFile(keepalive, 'utf8')).trim())).toBeGreaterThan(0), { timeout: 15_000 });
    expect(sshCommands.filter((command) => command.includes('kept awake until'))).toHaveLength(1);
    const until = Number((await readFile(keepalive, 'utf8')).trim());
    expect(until).toBeGreaterThanOrEqual(Math.floor(snoozedAt / 1000) + 3_600);
    expect(until).toBeLessThan(Math.floor(snoozedAt / 1000) + 3_600 + 30);
    // The reminder state is written once the box took the snooze (so just after the keep-alive file).
    await vi.waitFor(async () => {
      const state = JSON.parse(await readFile(join(home, 'home', 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number | null; fired: Record<string, number> };
      expect(state.snoozedUntil).toBeGreaterThanOrEqual(snoozedAt + 3_600_000);
      expect(Object.keys(state.fired)).toContainEqual(expect.stringMatching(/^gpu:running:\d+:0$/));
    }, { timeout: 10_000 });
    await vi.waitFor(() => expect(lastView()).toMatchObject({ reminder: null, notice: 'Snoozed for 1 h: no reminders, and gpu stays up' }));
    // The popover shows the session as the cost meter counts it: over two hours at the bundled rate.
    expect(lastView()).toMatchObject({ workstation: { phase: 'ready', hourly: '$0.53/h', hourlySource: 'bundled', session: expect.stringMatching(/^\$1\.\d\d$/) } });
  }, 60_000);

  it('asks before quitting while the instance is billed, and never stops it', async () => {
    electron.dialogAnswers.push(1);
    await expect(shell.requestQuit()).resolves.toBe(false);
    expect(electron.dialogs.at(-1)).toMatchObject({ message: 'gpu is still running', buttons: ['Quit and leave it running', 'Cancel'] });
    expect(electron.module.app.quit).not.toHaveBeenCalled();
    electron.dialogAnswers.push(0);
    await expect(shell.requestQuit()).resolves.toBe(true);
    expect(electron.module.app.quit).toHaveBeenCalledTimes(1);
    // The instance is still there, running.
    const view = await invoke('view:get');
    expect(view.value).toMatchObject({ workstation: { phase: expect.stringMatching(/running|ready/) } });
  });

  it('stops the instance when the session budget is reached and auto-stop at budget is on, then lists what it keeps', async () => {
    const before = electron.notifications.length;
    await expect(invoke('settings:update', { reminders: { ...REMINDERS, sessionBudgetUsd: 0.5, autoStopAtBudget: true } })).resolves.toMatchObject({ ok: true });
    await vi.waitFor(() => expect(electron.notifications.slice(before).map((n) => n.options.title)).toEqual(['Stopping gpu: budget reached', 'gpu stopped']), { timeout: 30_000 });
    expect(electron.notifications[before]?.options.actions).toEqual([]);
    await vi.waitFor(() => expect(lastView()).toMatchObject({
      workstation: { phase: 'stopped', stillCosting: { items: [{ label: expect.stringMatching(/^Volume vol-\w+ \(100 GiB gp3\)$/), monthly: expect.stringMatching(/^\$\d+\.\d\d\/month$/) }], source: 'bundled' } },
    }), { timeout: 15_000 });
  }, 60_000);

  it('refreshes on resume from sleep and keeps running with the popover hidden', () => {
    const events = electron.module.powerMonitor.on.mock.calls.map((call) => (call as unknown[])[0]);
    expect(events).toEqual(expect.arrayContaining(['resume', 'unlock-screen']));
    expect(electron.appEvents.has('window-all-closed')).toBe(true);
  });
});

// ─── Every desktop ──────────────────────────────────────────────────────────────────────────────
// A fresh app per desktop, on the platform's default home (<appData>/CloudRig), with nothing set
// up yet; each desktop's world starts with what its user already chose outside the app.

/** A user-edited autostart entry: the user added a delay and switched it off in GNOME's Tweaks. */
const EDITED_AUTOSTART = (exec: string): string =>
  `[Desktop Entry]\nType=Application\nName=CloudRig\nExec=${exec} --minimized\nX-GNOME-Autostart-Delay=20\nX-GNOME-Autostart-enabled=false\n`;

/** What each desktop's user set before this start, and what the double's world looks like. */
const SCENARIOS: Record<DesktopProfile, { world: Partial<World>; env: NodeJS.ProcessEnv; argv: string[]; autostart?: string }> = {
  darwin: { world: { macLoginStatus: 'requires-approval' }, env: {}, argv: [] },
  win32: { world: { windowsRunEntry: { enabled: false } }, env: {}, argv: [] },
  // Started at login, before the panel's StatusNotifier host is up.
  'linux-x11': { world: { statusNotifierHost: false }, env: { XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: '' }, argv: ['--autostart'], autostart: EDITED_AUTOSTART(process.execPath) },
  'linux-wayland': { world: { linuxStorageBackend: 'basic_text' }, env: { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' }, argv: [], autostart: EDITED_AUTOSTART('"/opt/Old CloudRig/cloudrig"') },
};

const REMINDER: NotificationModel = {
  key: 'reminder:gpu', kind: 'reminder', title: 'gpu has been running for 2 h 5 min', body: '$1.10 so far at $0.53/h. Stop it if you are done.',
  action: 'show-reminder', buttons: [{ id: 'stop', label: 'Stop now' }, { id: 'snooze', label: 'Snooze 1 h' }],
} as NotificationModel;

/** The tooltip the tray model writes for a run with an error: 180 characters. */
const LONG_TOOLTIP = 'CloudRig: gpu (g4dn.xlarge, us-east-1): Running, waiting for ssh · $0.53/h (bundled price) · up 2h 5m · this session $1.10 · this month $41.20 · ssh to 127.0.0.1:2222 was refused';

describe.each(DESKTOP_PROFILES)('main process boot on %s (electron replaced by a module double)', (profile) => {
  const scenario = SCENARIOS[profile];
  const linux = profile.startsWith('linux');
  let appData: string;
  let desktopHome: string;
  let desktopShell: Shell;
  const autostartFile = (): string => join(appData, 'autostart', 'cloudrig.desktop');
  /** The app's own state as stored in userData (start at login moved there from the shared settings at boot). */
  const appStateFile = (): Record<string, unknown> =>
    JSON.parse(readFileSync(join(electron.module.app.getPath('userData'), 'app-state.json'), 'utf8')) as Record<string, unknown>;
  /** How often the app asked whether the panel's tray host runs; the panel comes up at the third ask. */
  let hostAsked = 0;
  const trayHost = (): Promise<boolean> => {
    hostAsked += 1;
    if (hostAsked >= 3) electron.world.statusNotifierHost = true;
    return Promise.resolve(electron.world.statusNotifierHost);
  };

  beforeAll(async () => {
    appData = await mkdtemp(join(tmpdir(), `cloudrig-${profile}-`));
    desktopHome = join(appData, 'CloudRig');
    electron.reset(profile, { appData, ...scenario.world });
    // Start at login was ticked in the app earlier; since then the user changed it outside the app.
    new ConfSettingsStore(desktopHome).update((settings) => ({ ...settings, startAtLogin: true }));
    if (scenario.autostart) {
      await mkdir(join(appData, 'autostart'), { recursive: true });
      await writeFile(autostartFile(), scenario.autostart);
    }
    const { boot } = await import('../../src/main/app-shell.js');
    const booted = await boot({ createCore, resolveHome, terminal: systemTerminal }, { platform: platformOf(profile), now: shellNow, argv: scenario.argv, trayHost, env: { ...peers.env, ...scenario.env, CLOUDRIG_HOME: desktopHome, XDG_CONFIG_HOME: appData, APPDATA: appData } });
    if (!booted) throw new Error('boot() gave up the single-instance lock');
    desktopShell = booted;
  }, 30_000);

  afterAll(async () => {
    await desktopShell?.session.dispose();
    if (appData) await rm(appData, { recursive: true, force: true });
  });

  it('keeps Chromium\'s files out of the CloudRig home, choosing the folder before ready', () => {
    // The double refuses setPath('userData') after ready, as the default session already uses it.
    const userData = electron.module.app.getPath('userData');
    expect(userData.toLowerCase()).not.toBe(desktopHome.toLowerCase());
    expect(userData).toBe(join(desktopHome, 'electron'));
  });

  it("moves start at login, ticked by an earlier version, out of the settings file rig shares and into userData", () => {
    const shared = JSON.parse(readFileSync(join(desktopHome, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(shared).not.toHaveProperty('startAtLogin');
    expect(appStateFile()).toMatchObject({ startAtLogin: true, homeMigration: 'done' });
  });

  it('opens the popover when CloudRig is launched again while it runs', () => {
    const window = electron.windows[0]!;
    expect(window.visible).toBe(false);
    electron.relaunch();
    expect(window.visible).toBe(true);
    expect(window.webContents.sent.at(-1)).toEqual(['screen:show', 'main']);
    window.hide();
  });

  it('has no Dock icon on macOS, and shows the popover on every Space and over full-screen apps', () => {
    const window = electron.windows[0]!;
    if (profile === 'darwin') {
      expect(electron.module.app.dock?.hide).toHaveBeenCalled();
      expect(window.allWorkspaces).toEqual({ visible: true, options: expect.objectContaining({ visibleOnFullScreen: true, skipTransformProcessType: true }) });
      expect(window.alwaysOnTopLevel).toBe('pop-up-menu');
    } else {
      expect(electron.module.app.dock).toBeUndefined();
      expect(window.allWorkspaces).toBeNull();
    }
  });

  it('makes the tray only once the panel can show it, after a login start on Linux', () => {
    const tray = electron.trays[0]!;
    if (profile === 'linux-x11') {
      expect(hostAsked).toBe(3);
      expect(tray.shownAs).toBe('status-notifier');
    } else {
      expect(hostAsked).toBe(0);
      expect(tray.shownAs).toBe(profile === 'darwin' ? 'menu-bar' : profile === 'win32' ? 'notification-area' : 'status-notifier');
    }
  });

  it('shows a visible tray icon (a template image on macOS)', () => {
    const image = electron.trays[0]!.image;
    expect(image.isEmpty()).toBe(false);
    expect(image.path).toMatch(profile === 'darwin' ? /stoppedTemplate\.png$/ : profile === 'win32' ? /[/\\]stopped\.ico$/ : /[/\\]stopped-(22|24|32)\.png$/);
    expect(image.template).toBe(profile === 'darwin');
  });

  it('stands in the app icon for a missing tray icon, and names a damaged app when that is missing too', async () => {
    const resources = join(appData, 'resources-without-tray');
    await mkdir(resources, { recursive: true });
    expect(() => trayImage(resources, 'ready', profile)).toThrow(expect.objectContaining({ code: 'AppDamaged' }));
    await copyFile(join(process.cwd(), 'resources', 'icon.png'), join(resources, 'icon.png'));
    const image = trayImage(resources, 'ready', profile);
    expect(image.isEmpty()).toBe(false);
    expect((image as unknown as { path: string }).path).toBe(join(resources, 'icon.png'));
  });

  it('opens and closes the popover from the tray the way this desktop lets it', () => {
    const window = electron.windows[0]!;
    const tray = electron.trays[0]!;
    clickTray();
    if (linux) {
      // An AppIndicator opens its menu on a click; the menu is the way in.
      expect(tray.menusOpened).toBe(1);
      expect(window.visible).toBe(false);
      clickMenuItem('Show CloudRig');
    }
    expect(window.visible).toBe(true);
    if (profile === 'linux-wayland') {
      // Nothing can place it or hide it on blur: a framed, centred window the user closes.
      expect(window.options).toMatchObject({ frame: true, center: true, skipTaskbar: false, alwaysOnTop: false });
      expect(window.ignoredMoves).toBe(0);
      let prevented = false;
      for (const handler of window.handlers.get('close') ?? []) handler({ preventDefault: () => (prevented = true) });
      expect(prevented).toBe(true);
      expect(window.visible).toBe(false);
      return;
    }
    expect(window.options).toMatchObject({ frame: false, skipTaskbar: true, alwaysOnTop: true });
    if (linux) {
      window.clickElsewhere();
    } else {
      clickTray();
    }
    expect(window.visible).toBe(false);
  });

  it('places the popover by the tray icon, or by the pointer when the icon has no bounds', () => {
    const window = electron.windows[0]!;
    const { cursor } = electron.world;
    if (profile === 'linux-wayland') return;
    if (linux) {
      // A KDE panel at the bottom reports no icon bounds: the popover rises from where its menu was.
      electron.world.displays[0]!.workArea = { x: 0, y: 0, width: 1920, height: 1036 };
      cursor.x = 1800;
      cursor.y = 1060;
      clickMenuItem('Show CloudRig');
      const area = electron.world.displays[0]!.workArea;
      expect(window.bounds.y + window.bounds.height).toBe(area.y + area.height);
      expect(window.bounds.x + window.bounds.width).toBeGreaterThan(cursor.x - 200);
      window.clickElsewhere();
      return;
    }
    const icon = electron.world.trayBounds;
    clickTray();
    expect(window.bounds.x).toBeLessThanOrEqual(icon.x);
    expect(window.bounds.x + window.bounds.width).toBeGreaterThanOrEqual(icon.x + icon.width);
    if (profile === 'darwin') expect(window.bounds.y).toBe(icon.y + icon.height + 4);
    else expect(window.bounds.y + window.bounds.height).toBe(icon.y - 4);
    window.clickElsewhere();
    if (profile === 'win32') {
      // In the overflow area the icon reports zero bounds: the popover opens above the pointer.
      electron.world.trayBounds = { x: 0, y: 0, width: 0, height: 0 };
      cursor.x = 1700;
      cursor.y = 960;
      clickTray();
      expect(window.bounds.y + window.bounds.height).toBeLessThanOrEqual(cursor.y);
      expect(window.bounds.y + window.bounds.height).toBeGreaterThan(cursor.y - 10);
      expect(window.bounds.x).toBeLessThanOrEqual(cursor.x);
      expect(window.bounds.x + window.bounds.width).toBeGreaterThanOrEqual(cursor.x);
      window.clickElsewhere();
    }
  });

  it('lands by the icon on a second display with another scale factor', () => {
    if (linux) return;
    const window = electron.windows[0]!;
    // A 1.5× display right of the primary one; the tray (taskbar / menu bar) is on it now.
    const second: DisplayModel = {
      id: 2, bounds: { x: 1920, y: 0, width: 1707, height: 960 },
      workArea: profile === 'darwin' ? { x: 1920, y: 25, width: 1707, height: 935 } : { x: 1920, y: 0, width: 1707, height: 920 }, scaleFactor: 1.5,
    };
    electron.world.displays.push(second);
    electron.world.trayBounds = profile === 'darwin' ? { x: 3300, y: 0, width: 24, height: 24 } : { x: 3400, y: 924, width: 24, height: 32 };
    const icon = electron.world.trayBounds;
    clickTray();
    expect(window.display.id).toBe(2);
    expect(window.bounds.x).toBeGreaterThanOrEqual(second.workArea.x);
    expect(window.bounds.x + window.bounds.width).toBeLessThanOrEqual(second.workArea.x + second.workArea.width);
    expect(window.bounds.x).toBeLessThanOrEqual(icon.x);
    expect(window.bounds.width).toBe(380);
    if (profile === 'darwin') expect(window.bounds.y).toBe(icon.y + icon.height + 4);
    else expect(window.bounds.y + window.bounds.height).toBe(icon.y - 4);
    window.clickElsewhere();
  });

  it('fits the tooltip to what the OS shows, keeping the month\'s cost and the error', () => {
    const tray = electron.trays[0]!;
    desktopShell.tray.apply({ ...desktopShell.session.tray(), tooltip: LONG_TOOLTIP });
    if (profile === 'win32') {
      expect(tray.tooltip.length).toBeLessThanOrEqual(127);
      expect(tray.tooltip).toMatch(/^CloudRig: gpu/);
      expect(tray.tooltip).toContain('Running, waiting for ssh');
      expect(tray.tooltip).toContain('this month $41.20');
      expect(tray.tooltip).toContain('ssh to 127.0.0.1:2222 was refused');
    } else {
      expect(tray.tooltip).toBe(LONG_TOOLTIP);
    }
    desktopShell.tray.apply(desktopShell.session.tray());
  });

  it('offers a reminder\'s Stop now / Snooze as buttons where the OS shows them, else through a click', () => {
    const clicks: string[] = [];
    // Each toast is gone once acted on: one reminder per thing the user does.
    const show = () => {
      desktopShell.notifier.show(REMINDER, () => clicks.push('click'), (button) => clicks.push(button));
      return electron.notifications.at(-1)!;
    };
    const notification = show();
    expect(notification.shown).toBe(true);
    expect(notification.options.silent).toBe(false);
    notification.click();
    expect(clicks).toEqual(['click']);
    if (linux) {
      expect(show().buttons()).toEqual([]);
    } else {
      expect(show().buttons()).toEqual(['Stop now', 'Snooze 1 h']);
      electron.notifications.at(-1)!.press(1);
      show().press(0);
      expect(clicks).toEqual(['click', 'snooze', 'stop']);
    }
  });

  it('renews start at login without undoing what the user chose outside the app', async () => {
    if (profile === 'win32') {
      // Disabled in Task Manager: still disabled, not written again.
      expect(electron.world.windowsRunEntry).toEqual({ enabled: false });
      expect(electron.loginItemCalls).toEqual([]);
    } else if (profile === 'darwin') {
      // Switched off in System Settings → Login Items: not registered again (which would nag).
      expect(electron.world.macLoginStatus).toBe('requires-approval');
      expect(electron.loginItemCalls).toEqual([]);
    } else if (profile === 'linux-x11') {
      // The user's edits to the autostart entry are kept to the byte.
      await expect(readFile(autostartFile(), 'utf8')).resolves.toBe(scenario.autostart);
    } else {
      // The app moved since: only the program follows it; the user's arguments and keys stay.
      const entry = await readFile(autostartFile(), 'utf8');
      expect(entry).toBe(EDITED_AUTOSTART(process.execPath));
    }
  });

  it('turns start at login off and on from the tray menu', async () => {
    clickMenuItem('Start at login');
    await vi.waitFor(() => expect(appStateFile().startAtLogin).toBe(false));
    if (profile === 'win32') expect(electron.world.windowsRunEntry).toBeNull();
    if (profile === 'darwin') expect(electron.world.macLoginStatus).toBe('not-registered');
    if (linux) expect(existsSync(autostartFile())).toBe(false);
    await vi.waitFor(() => expect(electron.trays[0]?.openMenu()?.template.find((item) => item.label === 'Start at login')).toMatchObject({ checked: false }));
    clickMenuItem('Start at login');
    await vi.waitFor(() => expect(appStateFile().startAtLogin).toBe(true));
    // Turned on in the app, it is on: Windows' Task Manager switch included.
    if (profile === 'win32') expect(electron.world.windowsRunEntry).toEqual({ enabled: true });
    if (profile === 'darwin') expect(electron.world.macLoginStatus).toBe('enabled');
    if (linux) await expect(readFile(autostartFile(), 'utf8')).resolves.toContain(`\nExec=${process.execPath} --autostart\n`);
  });

  it('stores typed access keys only where the system keeps them encrypted (not Linux basic_text)', async () => {
    const settings = await invoke('settings:get');
    expect(settings.ok).toBe(true);
    const keyStorage = (settings.value as { keyStorage: { available: boolean; reason?: string } }).keyStorage;
    if (electron.world.linuxStorageBackend === 'basic_text' && linux) {
      expect(keyStorage).toEqual({ available: false, reason: expect.stringMatching(/^No keyring \(GNOME Keyring or KWallet\) is running/) });
      await expect(invoke('credentials:save', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' })).resolves.toMatchObject({ ok: false, error: { code: 'KeyStorageUnavailable' } });
    } else {
      expect(keyStorage).toMatchObject({ available: true });
      const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      await expect(invoke('credentials:save', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey })).resolves.toMatchObject({ ok: true });
      // Sealed in the app's own store; nothing of them in the file rig reads.
      expect(appStateFile().sealedCredentials).toEqual(expect.stringMatching(/^[A-Za-z0-9+/]+=*$/));
      expect(JSON.stringify(appStateFile())).not.toContain(secretAccessKey);
      const shared = readFileSync(join(desktopHome, 'settings.json'), 'utf8');
      expect(shared).not.toContain('encryptedCredentials');
      expect(shared).not.toContain(secretAccessKey);
    }
  });
});

describe('the tray host probe, against a real D-Bus session bus', () => {
  let bus: ChildProcess | null = null;
  let address = '';
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudrig-dbus-'));
    bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    address = await new Promise<string>((resolve, reject) => {
      let text = '';
      bus!.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.trim());
      });
      bus!.once('error', reject);
    });
  });

  afterAll(async () => {
    if (bus && bus.exitCode === null) {
      const exited = new Promise((resolve) => bus!.once('exit', resolve));
      bus.kill();
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says whether a name has an owner, and null when no bus answers', async () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
    await expect(nameHasOwner(STATUS_NOTIFIER_WATCHER, env)).resolves.toBe(false);
    await expect(nameHasOwner('org.freedesktop.DBus', env)).resolves.toBe(true);
    await expect(nameHasOwner(STATUS_NOTIFIER_WATCHER, { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'nobody')}` })).resolves.toBeNull();
  });
});
