import { app, BrowserWindow, nativeTheme, screen, systemPreferences, type Rectangle } from 'electron';
import { join } from 'node:path';
import { popoverPosition } from '../core/app/app-face.js';
import { traitsOf, type Desktop } from './desktop.js';

/** The popover's size in CSS pixels. */
export const POPOVER_SIZE = { width: 380, height: 560 } as const;

/**
 * The colour the popover shows before its page paints: the page's own background (--bg in
 * src/renderer/styles.css) for the system's theme, so a light-theme user sees no dark flash.
 */
export const POPOVER_BACKGROUND = { light: '#f6f7f9', dark: '#1d1f23' } as const;

function background(): string {
  return nativeTheme.shouldUseDarkColors ? POPOVER_BACKGROUND.dark : POPOVER_BACKGROUND.light;
}

/** macOS posts this (distributed) when any app's menu starts tracking, a status item's menu included. */
const MENU_TRACKING = 'com.apple.HIToolbox.beginMenuTrackingNotification';

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
 * Creates the popover. Its security settings are written out here, where a reader and a scanner
 * (electronegativity) see them, each with the Electron security checklist item it meets.
 *
 * Where windows can be placed it is a frameless panel by the tray icon that hides when it loses
 * focus. On Wayland the compositor ignores positions and focus() may only flash the window, so
 * there it is a normal framed window, centred, found in the task switcher, closed with its close
 * button (docs/tray-app.md). `onBlurHide` hears every hide caused by a lost focus.
 */
export function createPopoverWindow(source: PopoverSource, desktop: Desktop, onBlurHide: () => void = () => undefined): BrowserWindow {
  const panel = traitsOf(desktop).positionsWindows;
  const window = new BrowserWindow({
    width: POPOVER_SIZE.width,
    height: POPOVER_SIZE.height,
    show: false,
    frame: !panel,
    center: !panel,
    resizable: false,
    movable: !panel,
    minimizable: !panel,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: panel,
    alwaysOnTop: panel,
    transparent: false,
    backgroundColor: background(),
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
  if (desktop === 'darwin') {
    // A menu-bar popover shows on the Space the user is on, over full-screen apps too. The app is
    // already a UIElement (LSUIElement), so the process type need not flip (which would flash the Dock).
    window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true, skipTransformProcessType: true });
    window.setAlwaysOnTop(true, 'pop-up-menu');
  }
  // The page follows the theme through prefers-color-scheme; the window's own colour follows here.
  nativeTheme.on('updated', () => {
    if (!window.isDestroyed()) window.setBackgroundColor(background());
  });
  if (panel) {
    // Like a menu: it goes away when the user clicks elsewhere.
    const hide = (): void => {
      if (!window.isVisible() || window.webContents.isDevToolsOpened()) return;
      window.hide();
      onBlurHide();
    };
    window.on('blur', hide);
    // …or opens another menu-bar item, which on macOS takes no focus from it (desktop.ts, otherStatusItem).
    if (traitsOf(desktop).otherStatusItem === 'menu-tracking') systemPreferences.subscribeNotification(MENU_TRACKING, hide);
  }
  void window.loadURL(source.url);
  return window;
}

function hasArea(bounds: Rectangle | null): bounds is Rectangle {
  return bounds !== null && (bounds.width > 0 || bounds.height > 0);
}

/**
 * What the popover is placed against: the tray icon, or where the pointer is when the icon has
 * no bounds (an icon in Windows' overflow area, an AppIndicator on Linux): the user just clicked
 * the icon or its menu there.
 */
function anchorOf(trayBounds: Rectangle | null): Rectangle {
  if (hasArea(trayBounds)) return trayBounds;
  const { x, y } = screen.getCursorScreenPoint();
  return { x, y, width: 1, height: 1 };
}

/**
 * Moves the window to `target`. Between displays of different scale factors Windows converts the
 * first move with the old display's factor and lands elsewhere (electron/electron#10862); a
 * second move from the new display lands right, so the bounds are checked and set once more.
 */
function place(window: BrowserWindow, target: Rectangle): void {
  window.setBounds(target, false);
  const landed = window.getBounds();
  if (landed.x !== target.x || landed.y !== target.y) window.setBounds(target, false);
}

/** Shows the popover by the tray icon, on that icon's display; centred where windows cannot be placed. */
export function showPopoverAt(window: BrowserWindow, trayBounds: Rectangle | null, desktop: Desktop): void {
  if (traitsOf(desktop).positionsWindows) {
    const anchor = anchorOf(trayBounds);
    const display = screen.getDisplayMatching(anchor);
    const { x, y } = popoverPosition(anchor, POPOVER_SIZE, display.workArea);
    place(window, { x, y, width: POPOVER_SIZE.width, height: POPOVER_SIZE.height });
  } else {
    window.center();
  }
  window.show();
  window.focus();
}
