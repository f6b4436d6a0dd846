import { app, clipboard, dialog, net, powerMonitor, protocol, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listGpuInstanceTypes } from '../adapters/aws/instance-catalog.js';
import { requestQuotaIncrease, runDoctor } from '../adapters/aws/account-checks.js';
import { listAwsProfiles } from '../adapters/aws/profiles.js';
import { createCore, type Core, type CoreOptions } from '../adapters/compose.js';
import { resolveHome } from '../adapters/store/home.js';
import { FileReminderStore } from '../adapters/store/reminder-store.js';
import { SystemTerminal } from '../adapters/terminal/system-terminal.js';
import type { Events, EventChannel } from '../shared/contract.js';
import type { Screen } from '../shared/views.js';
import type { TrayAction } from '../core/tray-model.js';
import { AppController, type AccountPort } from './app-controller.js';
import { APP_ORIGIN, APP_SCHEME, assetPath, contentTypeOf, CSP_HEADER } from './app-protocol.js';
import { bindRouter } from './ipc-binding.js';
import { createRouter, originOf, senderFrom, type Router } from './ipc-router.js';
import { SystemLoginItem } from './login-item.js';
import { ElectronNotifier } from './notifier.js';
import { createPopoverWindow, preloadPath, showPopoverAt } from './popover-window.js';
import { SafeStorageSecretBox } from './secret-box.js';
import { hardenWebContents, openExternalAllowlisted } from './security.js';
import { TrayView } from './tray.js';

const mainDir = fileURLToPath(new URL('.', import.meta.url));

/** How often main asks whether the network came back (Electron has no event for it). */
const ONLINE_POLL_MS = 15_000;

// §18: the popover is served from a privileged custom scheme, not file://. Must run before ready.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
]);

/** What boot() may be given instead of the real adapters (the boot test passes its own). */
export interface BootOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly createCore?: (options: CoreOptions) => Core;
  readonly account?: AccountPort;
}

/** The running app, for the boot test and for quitting. */
export interface Shell {
  readonly controller: AppController;
  readonly router: Router;
  readonly window: BrowserWindow;
  readonly tray: TrayView;
  /** The tray menu's Quit: asks first when an instance is billed, never stops it. */
  requestQuit(): Promise<boolean>;
}

/** Serves the built popover from out/renderer on app://cloudrig, with the CSP as a header too. */
function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const path = assetPath(rendererDir, request.url);
    if (path === null) return new Response('Not found', { status: 404 });
    const file = await net.fetch(pathToFileURL(path).toString()).catch(() => null);
    if (!file?.ok) return new Response('Not found', { status: 404 });
    return new Response(file.body, {
      status: 200,
      headers: { 'Content-Type': contentTypeOf(path), 'Content-Security-Policy': CSP_HEADER, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

/**
 * The composition root of the tray app: single instance, no dock icon, the popover and its
 * router, the tray, notifications, and refreshes on resume and when the network comes back.
 * Resolves with null when another instance already runs (this one then quits).
 */
export async function boot(options: BootOptions = {}): Promise<Shell | null> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const env = options.env ?? process.env;
  app.setAppUserModelId('com.cloudrig.app');
  await app.whenReady();
  // A menu-bar app: no Dock icon (LSUIElement in the packaged Info.plist does the same at launch).
  app.dock?.hide();

  const devServer = !app.isPackaged ? env.ELECTRON_RENDERER_URL : undefined;
  const pageOrigin = devServer ? originOf(devServer) ?? APP_ORIGIN : APP_ORIGIN;
  hardenWebContents((url) => originOf(url) === pageOrigin);
  if (!devServer) serveRenderer(join(mainDir, '../renderer'));

  const window = createPopoverWindow({ url: devServer ?? `${APP_ORIGIN}/index.html`, preload: preloadPath(mainDir) });
  const send = <E extends EventChannel>(channel: E, value: Events[E]): void => {
    if (!window.isDestroyed()) window.webContents.send(channel, value);
  };

  let tray: TrayView | null = null;
  const showPopover = (screen: Screen): void => {
    showPopoverAt(window, tray?.bounds() ?? null);
    send('screen:show', screen);
    // Opening the popover is when fresh cost (and, when stopped, what is kept) is worth AWS calls.
    controller.popoverShown();
  };

  const terminal = new SystemTerminal(process.platform, env);
  const controller = new AppController({
    home: resolveHome(env),
    env,
    platform: process.platform,
    createCore: options.createCore ?? createCore,
    clipboard: { writeText: (text) => clipboard.writeText(text) },
    terminal,
    notifier: new ElectronNotifier(),
    secretBox: new SafeStorageSecretBox(),
    loginItem: new SystemLoginItem(process.platform, env),
    openExternal: openExternalAllowlisted,
    popover: { show: showPopover, hide: () => window.hide() },
    account: options.account ?? { checks: runDoctor, requestQuota: requestQuotaIncrease, gpuTypes: listGpuInstanceTypes },
    reminderStore: (home) => new FileReminderStore(home),
    profiles: listAwsProfiles,
    log: (line) => console.log(line),
  });

  const router = createRouter(controller.handlers(), senderFrom(pageOrigin), (line) => console.warn(line));
  const unbind = bindRouter(router);

  let quitting = false;
  const requestQuit = async (): Promise<boolean> => {
    const prompt = controller.quitPrompt();
    if (prompt) {
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        message: prompt.message,
        detail: prompt.detail,
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

  const onAction = (action: TrayAction): void => {
    if (action === 'quit') void requestQuit();
    else controller.trayAction(action);
  };
  tray = new TrayView(join(app.getAppPath(), 'resources'), process.platform, onAction, () => {
    if (window.isVisible()) {
      window.hide();
    } else {
      showPopover('main');
    }
  });
  controller.onDidChangeTray((model) => tray?.apply(model));
  controller.onDidChangeView((view) => send('view:changed', view));

  app.on('second-instance', () => showPopover('main'));
  // A tray app keeps running with its popover hidden.
  app.on('window-all-closed', () => undefined);
  powerMonitor.on('resume', () => controller.refreshNow());
  powerMonitor.on('unlock-screen', () => controller.refreshNow());
  let online = net.isOnline();
  const onlinePoll = setInterval(() => {
    const now = net.isOnline();
    if (now && !online) controller.refreshNow();
    online = now;
  }, ONLINE_POLL_MS);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => {
    // Quitting stops watching; every instance is left exactly as it is.
    clearInterval(onlinePoll);
    unbind();
    tray?.destroy();
    void controller.dispose();
  });
  window.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      window.hide();
    }
  });

  controller.start();
  return { controller, router, window, tray, requestQuit };
}
