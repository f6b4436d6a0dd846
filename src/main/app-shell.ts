import { app, clipboard, type BrowserWindow } from 'electron';
import type { AppUpdater } from 'electron-updater';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppSession, updateBlocker, withUpdateItem, type CoreFactory, type MemoryPort, type TerminalPort, type TrayAction } from '../core/app/app-face.js';
import type { Events, EventChannel } from '../shared/contract.js';
import type { Screen } from '../shared/views.js';
import { appFix } from '../shared/app-fix-wording.js';
import { ipcHandlers, runTrayAction } from './ipc-handlers.js';
import { APP_ORIGIN } from './app-protocol.js';
import { detectDesktop, platformOf, traitsOf, type Desktop } from './desktop.js';
import { bindRouter } from './ipc-binding.js';
import { createRouter, originOf, senderFrom, type Router } from './ipc-router.js';
import { setApplicationMenu } from './app-menu.js';
import { ElectronAppStateStore } from './app-state-store.js';
import { FileLoginItemMemory, SystemLoginItem } from './login-item.js';
import { ElectronNotifier } from './notifier.js';
import { createPopoverWindow, preloadPath, showPopoverAt } from './popover-window.js';
import { askInFront } from './quit-question.js';
import { SafeStorageSecretBox } from './secret-box.js';
import { ElectronFolderPicker } from './folder-picker.js';
import { nameHasOwner, STATUS_NOTIFIER_WATCHER, waitForTrayHost } from './status-notifier.js';
import { registerAppScheme, serveRenderer } from './renderer-protocol.js';
import { hardenWebContents, openExternalAllowlisted } from './security.js';
import { TrayView } from './tray.js';
import { AppUpdates } from './updates.js';
import { watchWakeAndNetwork } from './wake-watch.js';

const mainDir = fileURLToPath(new URL('.', import.meta.url));

/** How long a login start waits for the panel's StatusNotifier host before making the tray anyway. */
const TRAY_HOST_WAIT_MS = 60_000;

/** A tray click this soon after the popover hid on blur was the click that took its focus away. */
const CLICK_AFTER_BLUR_MS = 300;

// §18: the popover is served from a privileged custom scheme, not file://. Must run before ready.
registerAppScheme();

/** What boot() may be given instead of the real adapters (the boot test passes its own). */
export interface BootOptions {
  /** The environment, read once by the entry point (src/main/index.ts); nothing below reads `process.env`. */
  readonly env: NodeJS.ProcessEnv;
  /** The OS to behave as (the boot test runs every desktop on one machine). */
  readonly platform?: NodeJS.Platform;
  /** The time, for telling a tray click from the blur it caused (the boot test moves it). */
  readonly now?: () => number;
  /** The command line (`--autostart` marks a login start on Linux). */
  readonly argv?: readonly string[];
  /** Whether a StatusNotifier host runs (D-Bus in the app). */
  readonly trayHost?: () => Promise<boolean | null>;
}

/** What the composition root (main/index.ts) hands the shell: the core's factory and the adapters the shell ports need. */
export interface Composition {
  readonly createCore: CoreFactory;
  /** The CloudRig home shared with `rig`. */
  resolveHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string;
  /** The system terminal (adapters/terminal). */
  terminal(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): TerminalPort;
  /** This install's updater (electron-updater), or null where it does not update itself; absent: no updates. */
  updater?(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<AppUpdater | null>;
  /** Gives memory back after bursts of work (adapters/cold-code.ts); absent: never early. */
  readonly memory?: MemoryPort;
}

/** The running app, for the boot test and for quitting. */
export interface Shell {
  readonly session: AppSession;
  readonly router: Router;
  readonly window: BrowserWindow;
  readonly tray: TrayView;
  readonly notifier: ElectronNotifier;
  /** The tray menu's Quit: asks first when an instance is billed, never stops it. */
  requestQuit(): Promise<boolean>;
}

/**
 * The composition root of the tray app: single instance, no dock icon, the popover and its
 * router, the tray, notifications, and refreshes on resume and when the network comes back.
 * Resolves with null when another instance already runs (this one then quits).
 */
export async function boot(composition: Composition, options: BootOptions): Promise<Shell | null> {
  const { env } = options;
  const now = options.now ?? Date.now;
  const desktop: Desktop = detectDesktop(options.platform ?? process.platform, env, app.commandLine.getSwitchValue('ozone-platform'));
  const platform = platformOf(desktop);
  const traits = traitsOf(desktop);
  const home = composition.resolveHome(env, platform);
  // Chromium's own files (and on Windows its DPAPI-wrapped key) get a folder of their own: by
  // default userData is <appData>/CloudRig, which is the CloudRig home itself. Set before ready
  // (the default session's files follow it) and before the lock: Electron creates the userData
  // folder at lock time and keeps the lock (Singleton files) there, so a lock taken first would
  // land in the home, or in a stray <appData>/cloudrig without a productName.
  app.setPath('userData', join(home, 'electron'));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  // Windows toasts are attributed to (and their buttons routed by) the installer's AppUserModelId.
  if (platform === 'win32') app.setAppUserModelId('com.cloudrig.app');
  await app.whenReady();
  // A menu-bar app: no Dock icon (LSUIElement in the packaged Info.plist does the same at launch).
  if (platform === 'darwin') app.dock?.hide();

  const devServer = !app.isPackaged ? env.ELECTRON_RENDERER_URL : undefined;
  const pageOrigin = devServer ? originOf(devServer) ?? APP_ORIGIN : APP_ORIGIN;
  hardenWebContents((url) => originOf(url) === pageOrigin);
  if (!devServer) serveRenderer(join(mainDir, '../renderer'));

  let hiddenByBlurAt = Number.NEGATIVE_INFINITY;
  const source = { url: devServer ?? `${APP_ORIGIN}/index.html`, preload: preloadPath(mainDir) };
  const window = createPopoverWindow(source, desktop, () => (hiddenByBlurAt = now()));
  const send = <E extends EventChannel>(channel: E, value: Events[E]): void => {
    if (!window.isDestroyed()) window.webContents.send(channel, value);
  };

  let tray: TrayView | null = null;
  const showPopover = (screen: Screen): void => {
    showPopoverAt(window, tray?.bounds() ?? null, desktop);
    send('screen:show', screen);
    // Opening the popover is when fresh cost (and, when stopped, what is kept) is worth AWS calls.
    session.popoverShown();
  };

  const log = (line: string): void => console.log(line);
  const notifier = new ElectronNotifier(traits.notificationButtons, traits.closeOnTimeout);
  const session = new AppSession({
    home,
    env,
    platform,
    createCore: composition.createCore,
    clipboard: { writeText: (text) => clipboard.writeText(text) },
    terminal: composition.terminal(platform, env),
    notifier,
    secretBox: new SafeStorageSecretBox(platform),
    // What the app last wrote to the login items is the app's own state: kept in userData.
    loginItem: new SystemLoginItem(desktop, new FileLoginItemMemory(join(app.getPath('userData'), 'login-item.json')), env),
    // In userData, settled above: only the app reads it (never `rig`, which shares the home).
    appState: new ElectronAppStateStore((line) => console.warn(line)),
    popover: { show: showPopover, hide: () => window.hide() },
    log,
    openExternal: openExternalAllowlisted,
    folderPicker: new ElectronFolderPicker(),
    memory: composition.memory,
  });

  const router = createRouter(ipcHandlers(session, openExternalAllowlisted), senderFrom(pageOrigin), (line) => console.warn(line));
  const unbind = bindRouter(router);

  let quitting = false;
  const requestQuit = async (): Promise<boolean> => {
    const prompt = session.quitPrompt();
    if (prompt) {
      const response = await askInFront(window, desktop, {
        type: 'warning',
        message: prompt.message,
        detail: `${prompt.detail} ${appFix(prompt.fix)}`,
        buttons: [prompt.quitLabel, prompt.cancelLabel],
        defaultId: 1,
        cancelId: 1,
      });
      if (response !== 0) return false;
    }
    quitting = true;
    app.quit();
    return true;
  };

  // Electron's default menu went in at launch; ours replaces it (none on Windows and Linux).
  setApplicationMenu(desktop, () => void requestQuit());

  // Updates never stop the app from starting: an updater that cannot be made is a line in the log.
  const updater = await composition.updater?.(platform, env).catch((error: unknown) => (log(`updates: off (${String(error)})`), null));
  const updates = updater ? new AppUpdates(updater, log) : null;
  const trayWithUpdate = (model = session.tray()) => withUpdateItem(model, updates?.version ?? null, session.operationUnderWay());
  // Chosen in the tray; never while an operation runs (its item says what it waits for).
  const restartToUpdate = (): void => {
    const blocker = updateBlocker(updates?.version ?? null, session.operationUnderWay());
    if (blocker) log(`updates: no restart (${blocker})`);
    else {
      quitting = true;
      updates?.install();
    }
    tray?.apply(trayWithUpdate());
  };

  const onAction = (action: TrayAction, workstation?: string): void => {
    if (action === 'quit') void requestQuit();
    else if (action === 'restart-to-update') restartToUpdate();
    else runTrayAction(session, action, workstation);
  };
  // Launching CloudRig again opens the popover: a second process on Windows and Linux; on macOS
  // the system re-activates the running app instead (applicationShouldHandleReopen → 'activate').
  app.on('second-instance', () => showPopover('main'));
  if (platform === 'darwin') app.on('activate', () => showPopover('main'));
  if (platform === 'linux' && (options.argv ?? process.argv).includes('--autostart')) {
    // At login the panel may not be up yet; a tray made before it would never show (docs/tray-app.md).
    const host = await waitForTrayHost(options.trayHost ?? (() => nameHasOwner(STATUS_NOTIFIER_WATCHER, env)), TRAY_HOST_WAIT_MS, 1_000);
    if (host !== 'up') console.warn(`tray: no StatusNotifier host (${host}); the icon may not show`);
  }
  tray = new TrayView(join(app.getAppPath(), 'resources'), desktop, onAction, () => {
    if (window.isVisible()) window.hide();
    // The taskbar (Windows) or the panel (KDE on X11) took focus first: the popover just hid on
    // blur, and this click is the one that closed it.
    else if (!(traits.blurBeforeTrayClick && now() - hiddenByBlurAt < CLICK_AFTER_BLUR_MS)) showPopover('main');
  }, env.XDG_CURRENT_DESKTOP ?? '');
  session.onDidChangeTray((model) => tray?.apply(trayWithUpdate(model)));
  updates?.onDidDownload(() => tray?.apply(trayWithUpdate()));
  session.onDidChangeView((view) => send('view:changed', view));

  // A tray app keeps running with its popover hidden.
  app.on('window-all-closed', () => undefined);
  // Resume, unlock and a network coming back: look again, and follow the public address.
  const stopWakeWatch = watchWakeAndNetwork(session);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => {
    // Quitting stops watching; every instance is left exactly as it is.
    stopWakeWatch();
    updates?.dispose();
    unbind();
    tray?.destroy();
    void session.dispose();
  });
  window.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      window.hide();
    }
  });

  session.start();
  updates?.start();
  return { session, router, window, tray, notifier, requestQuit };
}
