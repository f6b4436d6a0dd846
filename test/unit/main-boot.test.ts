import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../fixtures/sshd.js';
import { createCore, type CoreOptions } from '../../src/adapters/compose.js';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { idleStatusCommand } from '../../src/core/idle-watchdog.js';
import { requestChannels } from '../../src/shared/contract.js';
import type { Shell } from '../../src/main/app-shell.js';
import { ShiftedClock } from './support/shifted-clock.js';

// The Electron main process booted with `electron` replaced by this module double (no Electron
// binary can run here). Everything behind it is real: the controller, the core, the AWS adapters
// against moto + the cloud proxy. The double records what main asked Electron to do.
const electron = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const on = (target: Map<string, Handler[]>) => (event: string, handler: Handler) => {
    target.set(event, [...(target.get(event) ?? []), handler]);
  };
  const appEvents = new Map<string, Handler[]>();
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  type NotificationOptions = { title: string; body: string; silent: boolean; actions: Array<{ type: string; text: string }> };
  const notifications: Array<{ options: NotificationOptions; shown: boolean; events: Map<string, Handler[]> }> = [];
  const ipcHandlers = new Map<string, Handler>();
  const sessionCalls: string[] = [];
  const dialogs: Array<{ message: string; detail: string; buttons: string[] }> = [];
  const dialogAnswers: number[] = [];

  class FakeWebContents {
    readonly sent: Array<[string, unknown]> = [];
    send(channel: string, value: unknown): void {
      this.sent.push([channel, value]);
    }
    isDevToolsOpened(): boolean {
      return false;
    }
  }

  class FakeWindow {
    readonly events = new Map<string, Handler[]>();
    readonly webContents = new FakeWebContents();
    loadedUrl = '';
    visible = false;
    position: [number, number] = [0, 0];
    constructor(readonly options: Record<string, unknown>) {
      windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    on = on(this.events);
    show(): void {
      this.visible = true;
    }
    hide(): void {
      this.visible = false;
    }
    focus(): void {}
    isVisible(): boolean {
      return this.visible;
    }
    isDestroyed(): boolean {
      return false;
    }
    setPosition(x: number, y: number): void {
      this.position = [x, y];
    }
  }

  class FakeTray {
    readonly events = new Map<string, Handler[]>();
    image = '';
    tooltip = '';
    menu: { template: Array<Record<string, unknown>> } | null = null;
    constructor(image: { path: string }) {
      this.image = image.path;
      trays.push(this);
    }
    on = on(this.events);
    setImage(image: { path: string }): void {
      this.image = image.path;
    }
    setToolTip(text: string): void {
      this.tooltip = text;
    }
    setTitle(): void {}
    setContextMenu(menu: { template: Array<Record<string, unknown>> }): void {
      this.menu = menu;
    }
    popUpContextMenu(): void {}
    getBounds() {
      return { x: 0, y: 0, width: 0, height: 0 };
    }
    destroy(): void {}
  }

  class FakeNotification {
    static isSupported(): boolean {
      return true;
    }
    readonly record;
    constructor(options: NotificationOptions) {
      this.record = { options, shown: false, events: new Map<string, Handler[]>() };
      notifications.push(this.record);
    }
    on(event: string, handler: Handler): void {
      on(this.record.events)(event, handler);
    }
    show(): void {
      this.record.shown = true;
    }
  }

  const module = {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: vi.fn(() => true),
      setAppUserModelId: vi.fn(),
      whenReady: vi.fn(() => Promise.resolve()),
      dock: { hide: vi.fn() },
      getAppPath: () => process.cwd(),
      on: on(appEvents),
      quit: vi.fn(),
      exit: vi.fn(),
      setLoginItemSettings: vi.fn(),
    },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: Array<Record<string, unknown>>) => ({ template }) },
    nativeImage: { createFromPath: (path: string) => ({ path, setTemplateImage: vi.fn() }) },
    Notification: FakeNotification,
    ipcMain: {
      handle: (channel: string, handler: Handler) => ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(`sealed:${plain}`),
      decryptString: (sealed: Buffer) => sealed.toString().replace(/^sealed:/, ''),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Handler) => {
          let granted: unknown;
          handler(null, 'media', (answer: unknown) => (granted = answer));
          sessionCalls.push(`request:${String(granted)}`);
        },
        setPermissionCheckHandler: (handler: Handler) => sessionCalls.push(`check:${String(handler())}`),
        setDevicePermissionHandler: (handler: Handler) => sessionCalls.push(`device:${String(handler())}`),
      },
    },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    clipboard: { writeText: vi.fn() },
    dialog: {
      showMessageBox: vi.fn((options: { message: string; detail: string; buttons: string[] }) => {
        dialogs.push(options);
        return Promise.resolve({ response: dialogAnswers.shift() ?? 1 });
      }),
      showErrorBox: vi.fn(),
    },
    powerMonitor: { on: vi.fn() },
    net: { isOnline: () => true, fetch: vi.fn() },
    screen: {
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
      getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    },
  };
  return { module, appEvents, windows, trays, notifications, ipcHandlers, sessionCalls, dialogs, dialogAnswers };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

let cloud: Cloud;
let sshd: Sshd;
let home: string;
let shell: Shell;
const saved = { ...process.env };
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

/** Fires a fake notification's event the way Electron would. */
function fire(notification: { events: Map<string, Array<(...args: unknown[]) => unknown>> }, event: string, ...args: unknown[]): void {
  for (const handler of notification.events.get(event) ?? []) handler(...args);
}

/** The last view main pushed to the popover. */
function lastView(): Record<string, unknown> | undefined {
  const views = electron.windows[0]!.webContents.sent.filter(([channel]) => channel === 'view:changed');
  return views.at(-1)?.[1] as Record<string, unknown> | undefined;
}

const REMINDERS = { afterHours: 2, repeatHours: 1, dailyAt: null, idleMinutes: 30, monthlyBudgetUsd: null, sessionBudgetUsd: null, autoStopAtBudget: false };

function menuLabels(): string[] {
  return (electron.trays[0]?.menu?.template ?? []).map((item) => (item.type === 'separator' ? '—' : `${String(item.label)}${item.enabled === false ? ' (off)' : ''}`));
}

beforeAll(async () => {
  cloud = await startCloud();
  cloud.proxy.setHold({ pendingMs: 1_500 });
  // No pricing:GetProducts: the app prices from its bundled table, and says so.
  cloud.proxy.setPricingAvailable(false);
  // The workstation's ssh: reserved now, started once CloudRig has made its key.
  sshd = await startSshd({ start: false });
  home = await mkdtemp(join(tmpdir(), 'cloudrig-boot-'));
  await writeFile(join(home, 'aws-config'), '');
  Object.assign(process.env, cloud.env, {
    CLOUDRIG_HOME: join(home, 'home'),
    XDG_CONFIG_HOME: join(home, 'xdg'),
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    // Where Snooze writes the keep-alive on "the instance" (the sshd fixture runs as this user).
    CLOUDRIG_KEEPALIVE_FILE: join(home, 'instance-keepalive'),
  });
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
  const booted = await boot({ createCore: recordingCore });
  if (!booted) throw new Error('boot() gave up the single-instance lock');
  shell = booted;
}, 60_000);

afterAll(async () => {
  await shell?.controller.dispose();
  process.env = saved;
  await sshd?.close();
  await cloud?.close();
  await rm(home, { recursive: true, force: true });
});

describe('main process boot (electron replaced by a module double)', () => {
  it('runs as a single-instance tray app without a dock icon', () => {
    expect(electron.module.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(electron.module.app.dock.hide).toHaveBeenCalled();
    expect(electron.module.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
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
    await expect(invoke('view:get')).resolves.toEqual({ ok: true, value: { screen: 'setup', workstation: null, notice: null, reminder: null } });
    await expect(invoke('view:get', undefined, { senderFrame: { url: 'app://cloudrig/index.html', parent: {} } })).resolves.toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
    await expect(invoke('view:get', undefined, { senderFrame: null })).resolves.toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
  });

  it('shows the first-run tray the tray model gives', () => {
    expect(electron.trays).toHaveLength(1);
    expect(electron.trays[0]?.image).toMatch(/resources[/\\]tray[/\\]stopped\.png$/);
    expect(electron.trays[0]?.tooltip).toBe('CloudRig: no workstation set up yet');
    expect(menuLabels()).toEqual([
      'No workstation yet (off)', 'Start (off)', 'Copy SSH command (off)', 'Open terminal (off)', '—',
      'Save image and terminate… (off)', 'Terminate… (off)', '—', 'Show CloudRig', 'Set up a workstation…', 'Start at login', '—', 'Quit CloudRig',
    ]);
  });

  it('renews the start-at-login entry at boot, and the tray checkbox turns it off and on again', async () => {
    // Linux has no Electron login item: an XDG autostart entry that starts this executable.
    const entry = join(home, 'xdg', 'autostart', 'cloudrig.desktop');
    const read = (): Promise<string | null> => readFile(entry, 'utf8').catch(() => null);
    await expect(read()).resolves.toContain(`\nExec=${process.execPath}\n`);
    const toggle = (): void => {
      const item = electron.trays[0]?.menu?.template.find((candidate) => candidate.label === 'Start at login');
      expect(item).toMatchObject({ type: 'checkbox' });
      (item?.click as () => void)();
    };
    const settings = new ConfSettingsStore(join(home, 'home'));
    toggle();
    await vi.waitFor(async () => expect(await read()).toBeNull());
    expect(settings.read().startAtLogin).toBe(false);
    await vi.waitFor(() => expect(electron.trays[0]?.menu?.template.find((item) => item.label === 'Start at login')).toMatchObject({ checked: false }));
    toggle();
    await vi.waitFor(async () => expect(await read()).toContain('[Desktop Entry]'));
    expect(settings.read().startAtLogin).toBe(true);
  });

  it('toggles the popover on a tray click', () => {
    const window = electron.windows[0]!;
    for (const handler of electron.trays[0]?.events.get('click') ?? []) handler();
    expect(window.visible).toBe(true);
    expect(window.webContents.sent).toContainEqual(['screen:show', 'main']);
    for (const handler of electron.trays[0]?.events.get('click') ?? []) handler();
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
    await vi.waitFor(() => expect(electron.trays[0]?.image).toMatch(/starting\.png$/), { timeout: 15_000 });
    // No sshd answers on that port: the instance runs, ssh is still awaited.
    await vi.waitFor(() => expect(electron.notifications.map((n) => n.options.title)).toContain('gpu is running'), { timeout: 20_000 });
    const running = electron.notifications.find((n) => n.options.title === 'gpu is running');
    expect(running?.shown).toBe(true);
    expect(running?.options.body).toBe('g4dn.xlarge in us-east-1 is billed from now. Waiting for ssh to answer…');
    expect(menuLabels().slice(0, 4)).toEqual(['gpu: Running, waiting for ssh… (off)', 'Stop', 'Copy SSH command', 'Open terminal (off)']);
    // The rate (bundled: the proxy refuses Pricing), the uptime, and the cost meter's session and month
    // (a started instance bills at least a minute: $0.526/60).
    await vi.waitFor(() => expect(electron.trays[0]?.tooltip).toMatch(/Running, waiting for ssh · \$0\.53\/h \(bundled price\) · up \dm · this session \$0\.01 · this month \$0\.01$/), { timeout: 10_000 });
    const views = electron.windows[0]!.webContents.sent.filter(([channel]) => channel === 'view:changed');
    expect(views.at(-1)?.[1]).toMatchObject({ screen: 'workstation', workstation: { phase: 'running', primary: { action: 'stop', enabled: true } } });
    // Repeated polls of the same state raise nothing more.
    const count = electron.notifications.length;
    shell.controller.refreshNow();
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

  it('reminds after two hours running, with Stop now / Snooze 1 h, and Snooze keeps the instance awake over ssh', async () => {
    // The workstation's sshd admits the key CloudRig made: the instance becomes ready.
    const keys = join(home, 'home', 'keys');
    const keyFile = (await readdir(keys)).find((file) => file.startsWith('cloudrig-gpu'));
    await sshd.setAuthorizedKey(publicKeyFromPrivate(await readFile(join(keys, keyFile ?? ''), 'utf8')));
    await sshd.start();
    await vi.waitFor(() => expect(electron.trays[0]?.image).toMatch(/ready\.png$/), { timeout: 20_000 });
    // Once ssh answers, the app asks the instance's idle watchdog how long it has been idle.
    await vi.waitFor(() => expect(sshCommands).toContain(idleStatusCommand()), { timeout: 10_000 });
    await expect(invoke('settings:update', { reminders: REMINDERS })).resolves.toMatchObject({ ok: true, value: { reminders: REMINDERS } });
    expect(electron.notifications.some((n) => n.options.title.includes('running for'))).toBe(false);

    // Two hours and five minutes later, opening the popover brings cost and reminders up to date.
    clock.jump(2 * 3_600_000 + 5 * 60_000);
    fire(electron.trays[0]!, 'click');
    await vi.waitFor(() => expect(electron.notifications.map((n) => n.options.title)).toContainEqual(expect.stringMatching(/^gpu has been running for 2 h [5-7] min$/)), { timeout: 15_000 });
    const reminder = electron.notifications.find((n) => n.options.title.startsWith('gpu has been running for'))!;
    expect(reminder.shown).toBe(true);
    expect(reminder.options).toMatchObject({
      body: expect.stringMatching(/^\$1\.\d\d so far at \$0\.53\/h\. Stop it if you are done\.$/),
      silent: false,
      actions: [{ type: 'button', text: 'Stop now' }, { type: 'button', text: 'Snooze 1 h' }],
    });
    // Where notifications have no buttons, clicking one opens the popover at the same two choices.
    await vi.waitFor(() => expect(lastView()).toMatchObject({ reminder: { title: reminder.options.title, canStop: true, canSnooze: true, snoozeLabel: 'Snooze 1 h' } }));
    electron.windows[0]!.hide();
    fire(reminder, 'click');
    expect(electron.windows[0]!.visible).toBe(true);
    expect(electron.windows[0]!.webContents.sent.at(-1)).toEqual(['screen:show', 'main']);

    // Snooze 1 h (the notification's second button): reminders wait an hour, and so does the idle auto-stop.
    const snoozedAt = clock.now();
    fire(reminder, 'action', { actionIndex: 1 });
    const keepalive = join(home, 'instance-keepalive');
    await vi.waitFor(async () => expect(Number((await readFile(keepalive, 'utf8')).trim())).toBeGreaterThan(0), { timeout: 15_000 });
    expect(sshCommands.filter((command) => command.includes('kept awake until'))).toHaveLength(1);
    const until = Number((await readFile(keepalive, 'utf8')).trim());
    expect(until).toBeGreaterThanOrEqual(Math.floor(snoozedAt / 1000) + 3_600);
    expect(until).toBeLessThan(Math.floor(snoozedAt / 1000) + 3_600 + 30);
    const state = JSON.parse(await readFile(join(home, 'home', 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number; fired: Record<string, number> };
    expect(state.snoozedUntil).toBeGreaterThanOrEqual(snoozedAt + 3_600_000);
    expect(Object.keys(state.fired)).toContainEqual(expect.stringMatching(/^gpu:running:\d+:0$/));
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
