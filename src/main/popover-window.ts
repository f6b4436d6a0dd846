import { app, BrowserWindow, screen, type Rectangle } from 'electron';
import { join } from 'node:path';
import { popoverPosition } from '../core/popover-position.js';

/** The popover's size in CSS pixels. */
export const POPOVER_SIZE = { width: 380, height: 560 } as const;

/** Where the popover's page comes from: the app:// scheme when packaged, the dev server in development. */
export interface PopoverSource {
  readonly url: string;
  readonly preload: string;
}

/** The popover's preload script, emitted as CommonJS so it runs in a sandboxed renderer. */
export function preloadPath(mainDir: string): string {
  return join(mainDir, '../preload/index.cjs');
}

/**
 * Creates the frameless popover. Its security settings are written out here, where a reader and
 * a scanner (electronegativity) see them, each with the Electron security checklist item it meets.
 */
export function createPopoverWindow(source: PopoverSource): BrowserWindow {
  const window = new BrowserWindow({
    width: POPOVER_SIZE.width,
    height: POPOVER_SIZE.height,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    transparent: false,
    backgroundColor: '#1d1f23',
    title: 'CloudRig',
    webPreferences: {
      // electronegativity PRELOAD_JS_CHECK: the preload exposes only named functions built from
      // the contract (src/preload/bridge.ts) — no ipcRenderer, no channel strings, no Node.js.
      preload: source.preload,
      // §2: no Node.js in the renderer.
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      // §3: the preload's world is isolated from the page's.
      contextIsolation: true,
      // §4: the renderer runs in Chromium's sandbox.
      sandbox: true,
      // §6: same-origin policy stays on.
      webSecurity: true,
      // §8: no http content in the app's pages.
      allowRunningInsecureContent: false,
      // §9, §10: no experimental features (and enableBlinkFeatures is left unset).
      experimentalFeatures: false,
      // §12: no <webview>.
      webviewTag: false,
      // §14: a middle click on a link cannot open a window either (electronegativity AUXCLICK).
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      spellcheck: false,
      // DevTools only in an unpackaged build (development).
      devTools: !app.isPackaged,
    },
  });
  // Like a menu: it goes away when the user clicks elsewhere.
  window.on('blur', () => {
    if (!window.webContents.isDevToolsOpened()) window.hide();
  });
  void window.loadURL(source.url);
  return window;
}

/** Shows the popover next to the tray icon (or the work area's corner when the tray has no bounds). */
export function showPopoverAt(window: BrowserWindow, trayBounds: Rectangle | null): void {
  const anchor = trayBounds && (trayBounds.width > 0 || trayBounds.height > 0) ? trayBounds : null;
  const display = anchor ? screen.getDisplayNearestPoint({ x: anchor.x, y: anchor.y }) : screen.getPrimaryDisplay();
  const { x, y } = popoverPosition(anchor, POPOVER_SIZE, display.workArea);
  window.setPosition(x, y, false);
  window.show();
  window.focus();
}
