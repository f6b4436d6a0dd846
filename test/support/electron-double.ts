import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { vi } from 'vitest';
import { defaultApplicationMenu, leafItems, menuBarLabels, normalizeAccelerator, type BuiltMenu, type MenuItem } from './electron-menus.js';

// A module double for `electron` (no Electron binary runs here) that models how each desktop
// behaves, from Electron 41's docs and source, so the shell's per-OS choices can be tested:
//  - whenReady ordering: windows, trays, screen, notifications and safeStorage throw before ready;
//    registerSchemesAsPrivileged throws after it; setPath('userData') after ready is allowed (Electron
//    only records the path; what already lives in the old folder stays there);
//  - the app's name is package.json's productName, else its name (`cloudrig`), and userData
//    defaults to <appData>/<name>; requestSingleInstanceLock creates the userData folder as it is
//    at that moment and puts the lock there (SingletonLock; `lockfile` on Windows);
//  - the default application menu (File/Edit/View/Window, Reload on CmdOrCtrl+R) installed at
//    launch unless the app set one: electron-menus.ts;
//  - the tray: clicks (Windows: the taskbar takes focus first, so the popover's blur comes before
//    the click; Linux: GNOME's AppIndicator extension opens the menu on any click, no 'click' ever;
//    KDE Plasma sends the StatusNotifierItem's Activate on a left click, which Electron reports as
//    'click' (TrayIconLinux::OnClick), after the panel took focus on X11), a second click
//    within the double-click interval ('double-click' instead of 'click' on macOS unless
//    setIgnoreDoubleClickEvents(true), and always on Windows, which sends WM_LBUTTONDBLCLK),
//    bounds (real, zero in Windows' overflow area, always zero on Linux), tooltips (Windows
//    shows 127 characters);
//  - windows: Wayland ignores positions and focus() only flashes (no blur ever comes); Windows
//    converts the first move onto a display of another scale factor with the old factor; the
//    colour a window shows before its page paints (backgroundColor, setBackgroundColor);
//  - nativeTheme: shouldUseDarkColors follows the system's theme, 'updated' when it changes;
//  - another status item opened in the macOS menu bar: the app stays active and its window key, so
//    no 'blur' comes; HIToolbox posts the distributed notification
//    com.apple.HIToolbox.beginMenuTrackingNotification (systemPreferences.subscribeNotification,
//    macOS only). Elsewhere clicking another tray icon takes focus, and the popover hears 'blur';
//  - message boxes, and whether the user sees them in front: an app-modal box on macOS shows in
//    front only while the app is active (app.focus({ steal: true }) makes it so; a menu-bar app is
//    not active after its tray menu was used from another app) and below a window kept on top at a
//    higher level (the popover's 'pop-up-menu'); elsewhere a box with a parent window is modal to it,
//    one without shows behind a visible always-on-top window;
//  - notifications: buttons on macOS and Windows (`action` with `actionIndex`), none with libnotify;
//    the toast the user sees (`notifications`) is the OS's and holds only a weak link to the app's
//    Notification object: once the app drops it and it is collected (collectGarbage()), clicking
//    the toast reaches nobody. Windows fires 'close' with reason 'timedOut' when a toast leaves the
//    screen for the Action Center, where it can still be clicked (timeOut()); macOS says nothing
//    and keeps it in Notification Center;
//  - login items: Windows Run entry + StartupApproved flag (setLoginItemSettings' `enabled`
//    defaults to true), macOS SMAppService status, nothing on Linux;
//  - relaunching: 'second-instance' on Windows and Linux, 'activate' on macOS;
//  - ipcMain is an EventEmitter: plain `on` listeners (electron-store registers one) beside the
//    invoke handlers; app.getVersion() is package.json's version;
//  - safeStorage backends (Linux only: gnome_libsecret, kwallet6, basic_text);
//  - nativeImage.createFromPath gives an empty image for a missing file;
//  - the open dialog: Windows and Linux cannot choose files and folders in one dialog (asked for
//    both, they show a folder chooser); macOS can. macOS shows `message`, never `title`;
//    `createDirectory` is macOS's New Folder button (the others always have one). With a parent
//    window it is modal to it (a sheet on macOS). Resolves { canceled, filePaths }.
//  - app.getVersion() is the app's package.json version; net.request is Chromium's network stack
//    (a ClientRequest: 'response' with an IncomingMessage, 'redirect' held until followRedirect()
//    when redirect is 'manual', failures as 'error' with Chromium's net::ERR_… names), usable only
//    after ready; session.fromPartition gives one Session per partition; autoUpdater is an event
//    emitter on every OS (Squirrel's on macOS and Windows; on Linux nothing but the events).
//    The double's net reaches loopback only: tests never leave 127.0.0.0/8.
//  - CommonJS packages (electron-updater) `require('electron')` past vitest's module mock: the double
//    is put in Node's require cache as `electron`, so they get it instead of the npm package's
//    index.js (which only knows the binary's path, and would try to download one).

/** The desktops modelled. */
export type DesktopProfile = 'darwin' | 'win32' | 'linux-x11' | 'linux-wayland';
export const DESKTOP_PROFILES: readonly DesktopProfile[] = ['darwin', 'win32', 'linux-x11', 'linux-wayland'];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayModel {
  id: number;
  bounds: Rect;
  workArea: Rect;
  scaleFactor: number;
}

/** The world a profile boots into; every field has a plain default for its desktop. */
export interface World {
  displays: DisplayModel[];
  /** Where the tray icon is (Linux reports none whatever this says). */
  trayBounds: Rect;
  cursor: { x: number; y: number };
  /** Electron's appData directory (userData defaults to <appData>/<productName>). */
  appData: string;
  /** Windows: the Run entry for this executable and its Task Manager switch. */
  windowsRunEntry: { enabled: boolean } | null;
  /** macOS 13+: SMAppService status of the main app. */
  macLoginStatus: 'not-registered' | 'enabled' | 'requires-approval' | 'not-found';
  linuxStorageBackend: 'gnome_libsecret' | 'kwallet6' | 'basic_text';
  /** Linux: a StatusNotifier host (the panel) runs; a tray made without one falls back to XEmbed for good. */
  statusNotifierHost: boolean;
  /** Linux: who hosts the tray icon: GNOME's AppIndicator extension (menu on any click) or KDE Plasma (left click activates). */
  linuxTrayHost: 'appindicator' | 'plasma';
  /** The system's theme is dark. */
  darkTheme: boolean;
  /** macOS: CloudRig is the active app (another app is in front when false). */
  appActive: boolean;
}

type Handler = (...args: unknown[]) => unknown;

/** An open dialog as the user saw it. */
export interface OpenDialogSeen {
  /** The words above it (macOS shows `message`, the others `title`). */
  readonly heading: string | null;
  readonly chooses: 'files' | 'folders' | 'files-and-folders';
  readonly newFolderButton: boolean;
  readonly startsIn: string | null;
  readonly modalTo: unknown;
}

class Events {
  readonly handlers = new Map<string, Handler[]>();
  on = (event: string, handler: Handler): this => {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  };
  once = (event: string, handler: Handler): this => {
    const once: Handler = (...args) => {
      this.removeListener(event, once);
      return handler(...args);
    };
    return this.on(event, once);
  };
  removeListener = (event: string, handler: Handler): this => {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((candidate) => candidate !== handler));
    return this;
  };
  emit(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  has(event: string): boolean {
    return (this.handlers.get(event)?.length ?? 0) > 0;
  }
}

function inside(rect: Rect, x: number, y: number): boolean {
  return x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
}

function distance(rect: Rect, x: number, y: number): number {
  const dx = Math.max(rect.x - x, 0, x - (rect.x + rect.width));
  const dy = Math.max(rect.y - y, 0, y - (rect.y + rect.height));
  return Math.hypot(dx, dy);
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return Math.max(w, 0) * Math.max(h, 0);
}

export const PRIMARY_1080P: DisplayModel = {
  id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1,
};

/** A plain world for a desktop: one 1080p display, the tray where that desktop puts it. */
export function defaultWorld(profile: DesktopProfile, appData: string): World {
  const mac = profile === 'darwin';
  const display: DisplayModel = mac
    ? { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 25, width: 1920, height: 1055 }, scaleFactor: 2 }
    : profile === 'win32' ? PRIMARY_1080P
      : { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 32, width: 1920, height: 1048 }, scaleFactor: 1 };
  return {
    displays: [display],
    trayBounds: mac ? { x: 1500, y: 0, width: 24, height: 24 } : profile === 'win32' ? { x: 1780, y: 1044, width: 24, height: 32 } : { x: 1800, y: 0, width: 24, height: 32 },
    cursor: { x: 960, y: 540 },
    appData,
    windowsRunEntry: null,
    macLoginStatus: 'not-registered',
    linuxStorageBackend: 'gnome_libsecret',
    statusNotifierHost: true,
    linuxTrayHost: 'appindicator',
    darkTheme: false,
    appActive: false,
  };
}

/** The system's double-click interval (macOS NSEvent.doubleClickInterval, Windows GetDoubleClickTime). */
export const DOUBLE_CLICK_MS = 500;

/** The double: `module` replaces electron; the rest lets a test act as the user and read what the app did. */
export function createElectronDouble() {
  let profile: DesktopProfile = 'linux-x11';
  let world: World = defaultWorld(profile, '/nonexistent');
  let ready = false;
  const paths = new Map<string, string>();
  const schemes: unknown[] = [];
  let app = new Events();
  let windows: FakeWindow[] = [];
  let trays: FakeTray[] = [];
  let notifications: Toast[] = [];
  /** The application menu, and whether the app set one (null included) before Electron's default went in. */
  let applicationMenu: BuiltMenu | null = null;
  let applicationMenuSet = false;
  const ipcHandlers = new Map<string, Handler>();
  /** ipcMain's plain listeners (ipcRenderer.send/sendSync reach them): ipcMain is an EventEmitter. */
  const ipcListeners = new Map<string, Handler[]>();
  const sessionCalls: string[] = [];
  const dialogs: Array<{ message: string; detail: string; buttons: string[]; inFront: boolean }> = [];
  let theme = new Events();
  let menuTrackingSubscribers: Array<(event: string, userInfo: unknown, object: string) => void> = [];
  const dialogAnswers: number[] = [];
  const loginItemCalls: Array<Record<string, unknown>> = [];
  /** The open dialogs shown, as the user saw them. */
  const openDialogs: OpenDialogSeen[] = [];
  /** What the user picks in the next open dialogs: a path, or null to cancel (none queued cancels). */
  const openDialogAnswers: Array<string | null> = [];

  const linux = (): boolean => profile.startsWith('linux');
  const os = (): 'darwin' | 'win32' | 'linux' => (linux() ? 'linux' : (profile as 'darwin' | 'win32'));
  /** Electron's app name: productName, else name, from the app's package.json. */
  const appPackage = (): { name?: string; productName?: string; version?: string } =>
    JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { name?: string; productName?: string; version?: string };
  const appName = (): string => {
    const pkg = appPackage();
    return pkg.productName ?? pkg.name ?? 'Electron';
  };
  const getPath = (name: string): string =>
    paths.get(name) ?? (name === 'userData' ? join(world.appData, appName()) : name === 'appData' ? world.appData : join(world.appData, name));
  const requireReady = (what: string): void => {
    if (!ready) throw new Error(`${what} cannot be used before the app is ready`);
  };
  const displayAt = (x: number, y: number): DisplayModel =>
    world.displays.find((display) => inside(display.bounds, x, y))
      ?? [...world.displays].sort((a, b) => distance(a.bounds, x, y) - distance(b.bounds, x, y))[0]!;

  class FakeWebContents {
    readonly sent: Array<[string, unknown]> = [];
    /** Times the page was reloaded (the View menu's Reload). */
    reloads = 0;
    reload(): void {
      this.reloads += 1;
    }
    send(channel: string, value: unknown): void {
      this.sent.push([channel, value]);
    }
    isDevToolsOpened(): boolean {
      return false;
    }
  }

  class FakeWindow extends Events {
    readonly webContents = new FakeWebContents();
    loadedUrl = '';
    visible = false;
    focused = false;
    bounds: Rect;
    /** The display the window is on (its scale factor converts the next move on Windows). */
    display: DisplayModel;
    /** setPosition/setBounds calls a Wayland compositor ignored. */
    ignoredMoves = 0;
    allWorkspaces: { visible: boolean; options: Record<string, unknown> } | null = null;
    alwaysOnTopLevel: string | null = null;
    /** The colour shown where the page has not painted yet (Electron's default is white). */
    backgroundColor: string;
    constructor(readonly options: Record<string, unknown>) {
      super();
      requireReady('BrowserWindow');
      this.backgroundColor = typeof options.backgroundColor === 'string' ? options.backgroundColor : '#FFFFFF';
      if (options.alwaysOnTop === true) this.alwaysOnTopLevel = 'floating';
      const primary = world.displays[0]!;
      const width = Number(options.width);
      const height = Number(options.height);
      this.display = primary;
      this.bounds = { x: primary.workArea.x + (primary.workArea.width - width) / 2, y: primary.workArea.y + (primary.workArea.height - height) / 2, width, height };
      windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    private move(target: Rect): void {
      if (profile === 'linux-wayland') {
        this.ignoredMoves += 1;
        return;
      }
      const destination = displayAt(target.x, target.y);
      let landed = target;
      if (profile === 'win32' && destination.scaleFactor !== this.display.scaleFactor) {
        // DIP → pixels with the old display's factor, read back on the new display.
        const ratio = this.display.scaleFactor / destination.scaleFactor;
        landed = { x: Math.round(target.x * ratio), y: Math.round(target.y * ratio), width: Math.round(target.width * ratio), height: Math.round(target.height * ratio) };
      }
      this.bounds = landed;
      this.display = destination;
    }
    setPosition(x: number, y: number): void {
      this.move({ ...this.bounds, x, y });
    }
    setBounds(bounds: Partial<Rect>): void {
      this.move({ ...this.bounds, ...bounds });
    }
    getBounds(): Rect {
      return { ...this.bounds };
    }
    center(): void {
      if (profile === 'linux-wayland') return; // the compositor places new windows itself (centred on GNOME)
      const area = world.displays[0]!.workArea;
      this.bounds = { ...this.bounds, x: area.x + (area.width - this.bounds.width) / 2, y: area.y + (area.height - this.bounds.height) / 2 };
    }
    show(): void {
      this.visible = true;
      this.focused = profile !== 'linux-wayland';
      // Showing a focusable window activates the app on macOS (NativeWindowMac::Show).
      if (profile === 'darwin') world.appActive = true;
    }
    setBackgroundColor(colour: string): void {
      this.backgroundColor = colour;
    }
    hide(): void {
      this.visible = false;
      this.focused = false;
    }
    focus(): void {
      // Wayland: activation needs a token the app does not have; the window only asks for attention.
      if (this.visible && profile !== 'linux-wayland') this.focused = true;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isFocused(): boolean {
      return this.focused;
    }
    isDestroyed(): boolean {
      return false;
    }
    setVisibleOnAllWorkspaces(visible: boolean, options: Record<string, unknown> = {}): void {
      if (profile !== 'win32') this.allWorkspaces = { visible, options };
    }
    setAlwaysOnTop(flag: boolean, level = 'floating'): void {
      this.alwaysOnTopLevel = flag ? level : null;
    }
    /** The menu bar the user sees on this window: the application menu on a framed window (not macOS). */
    menuBar(): string[] {
      if (profile === 'darwin' || this.options.frame === false || !applicationMenu) return [];
      return menuBarLabels(applicationMenu, os());
    }
    /** The user clicks another app: a focused window loses focus and hears 'blur'. */
    clickElsewhere(): void {
      if (profile === 'darwin') world.appActive = false;
      if (!this.focused) return;
      this.focused = false;
      this.emit('blur');
    }
  }

  class FakeImage {
    constructor(readonly path: string) {}
    template = false;
    isEmpty(): boolean {
      return this.path === '' || !existsSync(this.path);
    }
    setTemplateImage(template: boolean): void {
      this.template = template;
    }
    resize(): FakeImage {
      return this;
    }
  }

  class FakeTray extends Events {
    image: FakeImage;
    /** The tooltip as the OS shows it. */
    tooltip = '';
    title = '';
    menu: { template: Array<Record<string, unknown>> } | null = null;
    poppedMenu: { template: Array<Record<string, unknown>> } | null = null;
    menusOpened = 0;
    ignoreDoubleClicks = false;
    /** How many clicks the OS counts in the current run of quick clicks. */
    private clickCount = 0;
    /** How the OS shows it: GNOME shows a StatusNotifierItem (with the extension), never an XEmbed icon. */
    readonly shownAs: 'menu-bar' | 'notification-area' | 'status-notifier' | 'xembed';
    constructor(image: FakeImage) {
      super();
      requireReady('Tray');
      this.image = image;
      this.shownAs = profile === 'darwin' ? 'menu-bar' : profile === 'win32' ? 'notification-area' : world.statusNotifierHost ? 'status-notifier' : 'xembed';
      trays.push(this);
    }
    setImage(image: FakeImage): void {
      this.image = image;
    }
    setToolTip(text: string): void {
      // Windows' NOTIFYICONDATA holds 128 UTF-16 units with the terminating null.
      this.tooltip = profile === 'win32' ? text.slice(0, 127) : text;
    }
    setTitle(title: string): void {
      if (profile === 'darwin') this.title = title;
    }
    setContextMenu(menu: { template: Array<Record<string, unknown>> }): void {
      this.menu = menu;
    }
    popUpContextMenu(menu?: { template: Array<Record<string, unknown>> }): void {
      this.menusOpened += 1;
      this.poppedMenu = menu ?? this.menu;
    }
    getBounds(): Rect {
      return linux() ? { x: 0, y: 0, width: 0, height: 0 } : { ...world.trayBounds };
    }
    destroy(): void {}
    setIgnoreDoubleClickEvents(ignore: boolean): void {
      // macOS only: elsewhere Electron's Tray ignores the call.
      if (profile === 'darwin') this.ignoreDoubleClicks = ignore;
    }
    /** The user opens the icon's menu (right click; any click on Linux) and sees this menu, if any. */
    openMenu(): { template: Array<Record<string, unknown>> } | null {
      if (profile === 'darwin') {
        this.poppedMenu = null;
        this.emit('right-click', {}, this.getBounds());
        return this.poppedMenu;
      }
      this.menusOpened += 1;
      return this.menu;
    }
    /**
     * The user left-clicks the icon `sinceLastMs` after their previous click on it, as each desktop
     * delivers it: macOS emits 'double-click' alone for the second click of a quick pair (nothing for
     * a third) unless double clicks are ignored (tray_icon_cocoa.mm handleClickNotifications);
     * Windows gets WM_LBUTTONDBLCLK for the second and emits 'double-click' alone (notify_icon.cc).
     */
    click(sinceLastMs = 1_000): void {
      if (linux()) {
        if (world.linuxTrayHost === 'appindicator') {
          this.menusOpened += 1;
          return;
        }
        // KDE Plasma: the panel takes focus first on X11, then the item's Activate arrives as 'click'.
        if (profile === 'linux-x11') for (const window of windows) window.clickElsewhere();
        this.emit('click', {}, this.getBounds());
        return;
      }
      this.clickCount = sinceLastMs <= DOUBLE_CLICK_MS ? this.clickCount + 1 : 1;
      if (profile === 'win32') {
        for (const window of windows) window.clickElsewhere();
        if (this.clickCount === 2) this.emit('double-click', {}, this.getBounds());
        else this.emit('click', {}, this.getBounds());
        return;
      }
      if (this.clickCount === 1 || this.ignoreDoubleClicks) this.emit('click', {}, this.getBounds());
      else if (this.clickCount === 2) this.emit('double-click', {}, this.getBounds());
    }
  }

  type NotificationOptions = { title: string; body: string; silent: boolean; actions: Array<{ type: string; text: string }> };
  /** The app's Notification object: events reach the app only through it. */
  class FakeNotification extends Events {
    static isSupported(): boolean {
      return true;
    }
    constructor(readonly options: NotificationOptions) {
      super();
    }
    show(): void {
      requireReady('Notification');
      notifications.push(new Toast(this.options, new WeakRef(this)));
    }
  }

  /** A notification as the OS shows it: on screen, in the Action Center / Notification Center, or gone. */
  class Toast {
    readonly shown = true;
    place: 'banner' | 'center' | 'gone' = 'banner';
    constructor(readonly options: NotificationOptions, private readonly wrapper: WeakRef<FakeNotification>) {}
    /** The buttons the user sees: libnotify gets none from Electron. */
    buttons(): string[] {
      return linux() ? [] : this.options.actions.filter((action) => action.type === 'button').map((action) => action.text ?? '');
    }
    /** The user presses a button; false when the app's Notification was collected and nobody heard it. */
    press(index: number): boolean {
      if (index >= this.buttons().length) throw new Error(`no button ${index} is shown on ${profile}`);
      return this.activate('action', { actionIndex: index }, index);
    }
    /** The user clicks the toast; false when nobody heard it. */
    click(): boolean {
      return this.activate('click', {});
    }
    /** The toast leaves the screen by itself: Windows moves it to the Action Center and says 'close' (timedOut). */
    timeOut(): void {
      if (this.place !== 'banner') return;
      if (linux()) throw new Error('libnotify time-outs are not modelled');
      this.place = 'center';
      if (profile === 'win32') this.wrapper.deref()?.emit('close', { reason: 'timedOut' });
    }
    /** The user dismisses it (the toast's ×, or cleared from the Action Center). */
    dismiss(): void {
      this.place = 'gone';
      this.wrapper.deref()?.emit('close', profile === 'win32' ? { reason: 'userCanceled' } : {});
    }
    private activate(event: string, ...args: unknown[]): boolean {
      if (this.place === 'gone') throw new Error('the notification is no longer shown');
      this.place = 'gone';
      const wrapper = this.wrapper.deref();
      wrapper?.emit(event, ...args);
      return wrapper !== undefined;
    }
  }

  /** Chromium's names for what Node reports as socket errors. */
  const NET_ERRORS: Record<string, string> = {
    ECONNREFUSED: 'net::ERR_CONNECTION_REFUSED',
    ECONNRESET: 'net::ERR_CONNECTION_RESET',
    ENOTFOUND: 'net::ERR_NAME_NOT_RESOLVED',
    ETIMEDOUT: 'net::ERR_CONNECTION_TIMED_OUT',
  };
  type NetRequestOptions = {
    url?: string; method?: string; protocol?: string; hostname?: string; host?: string; port?: string | number; path?: string;
    headers?: Record<string, string | string[]>; redirect?: 'follow' | 'error' | 'manual'; session?: unknown;
  };
  /** Electron's ClientRequest (net.request), over Node's http for loopback peers. */
  class FakeClientRequest extends Events {
    private url: URL;
    private readonly headers: Record<string, string | string[]>;
    private pending: ReturnType<typeof httpRequest> | null = null;
    private aborted = false;
    private body: Buffer | undefined;
    constructor(private readonly options: NetRequestOptions) {
      super();
      requireReady('net.request');
      const base = options.url ?? `${options.protocol ?? 'http:'}//${options.host ?? options.hostname ?? 'localhost'}${options.port ? `:${String(options.port)}` : ''}${options.path ?? '/'}`;
      this.url = new URL(base);
      this.headers = { ...(options.headers ?? {}) };
    }
    setHeader(name: string, value: string): void {
      this.headers[name] = value;
    }
    end(data?: Buffer | string): this {
      this.body = data === undefined ? undefined : Buffer.from(data);
      this.send();
      return this;
    }
    abort(): void {
      if (this.aborted) return;
      this.aborted = true;
      this.pending?.destroy();
      this.emit('abort');
      this.emit('close');
    }
    /** Electron holds a 'manual' redirect until the app follows it (or aborts). */
    followRedirect(): void {
      this.send();
    }
    private fail(code: string | undefined, message: string): void {
      if (this.aborted) return;
      this.emit('error', new Error(code && NET_ERRORS[code] ? NET_ERRORS[code] : `net::ERR_FAILED (${message})`));
    }
    private send(): void {
      if (this.aborted) return;
      if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(this.url.hostname)) {
        this.fail(undefined, `the Electron double reaches loopback only, not ${this.url.hostname}`);
        return;
      }
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(this.url, { method: this.options.method ?? 'GET', headers: this.headers });
      this.pending = request;
      request.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code, error.message));
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          response.resume();
          const next = new URL(location, this.url);
          if (this.options.redirect === 'error') return this.fail(undefined, 'redirect refused');
          this.url = next;
          if (this.options.redirect === 'manual') this.emit('redirect', status, this.options.method ?? 'GET', next.href, response.headers);
          else this.send();
          return;
        }
        this.emit('response', response);
        response.on('end', () => this.emit('close'));
      });
      request.end(this.body);
    }
  }
  const partitions = new Map<string, { partition: string; options: Record<string, unknown> }>();
  /** Electron's autoUpdater: Squirrel on macOS and Windows; on Linux it only carries events. */
  const autoUpdater = Object.assign(new Events(), {
    setFeedURL: vi.fn(),
    getFeedURL: () => '',
    checkForUpdates: vi.fn(),
    quitAndInstall: vi.fn(),
  });

  const execPath = process.execPath;
  const module = {
    app: {
      isPackaged: true,
      // The lock lives in userData as it is now; Electron creates that folder first (App::RequestSingleInstanceLock).
      requestSingleInstanceLock: vi.fn(() => {
        const userData = getPath('userData');
        mkdirSync(userData, { recursive: true });
        writeFileSync(join(userData, profile === 'win32' ? 'lockfile' : 'SingletonLock'), '');
        return true;
      }),
      getName: () => appName(),
      getVersion: () => appPackage().version ?? process.versions.electron ?? '0.0.0',
      relaunch: vi.fn(),
      setAppUserModelId: vi.fn(),
      whenReady: vi.fn(() => {
        // lib/browser/init.ts: the default menu goes in at will-finish-launching, unless the app set one.
        if (!ready && !applicationMenuSet) applicationMenu = defaultApplicationMenu(os());
        ready = true;
        return Promise.resolve();
      }),
      isReady: () => ready,
      focus: vi.fn((options?: { steal?: boolean }) => {
        // macOS 14+: without steal the system may refuse a background app its activation.
        if (profile === 'darwin' && options?.steal === true) world.appActive = true;
      }),
      get dock() {
        return profile === 'darwin' ? dock : undefined;
      },
      getAppPath: () => process.cwd(),
      getPath,
      setPath: (name: string, value: string) => {
        if (!value.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(value)) throw new Error('Path must be absolute');
        paths.set(name, value);
      },
      commandLine: { getSwitchValue: () => '', hasSwitch: () => false, appendSwitch: vi.fn() },
      on: (event: string, handler: Handler) => app.on(event, handler),
      once: (event: string, handler: Handler) => app.once(event, handler),
      quit: vi.fn(),
      exit: vi.fn(),
      getLoginItemSettings: () => {
        if (profile === 'win32') {
          const entry = world.windowsRunEntry;
          return {
            openAtLogin: entry !== null,
            executableWillLaunchAtLogin: entry?.enabled ?? false,
            launchItems: entry ? [{ name: 'com.cloudrig.app', path: execPath, args: [], scope: 'user', enabled: entry.enabled }] : [],
          };
        }
        if (profile === 'darwin') return { openAtLogin: world.macLoginStatus === 'enabled', status: world.macLoginStatus };
        return { openAtLogin: false };
      },
      setLoginItemSettings: (settings: { openAtLogin?: boolean; enabled?: boolean }) => {
        loginItemCalls.push(settings);
        if (profile === 'win32') world.windowsRunEntry = settings.openAtLogin ? { enabled: settings.enabled ?? true } : null;
        // SMAppService: register() cannot override the user's switch in System Settings.
        else if (profile === 'darwin') {
          if (!settings.openAtLogin) world.macLoginStatus = 'not-registered';
          else if (world.macLoginStatus === 'not-registered') world.macLoginStatus = 'enabled';
        }
      },
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn((list: unknown[]) => {
        if (ready) throw new Error('registerSchemesAsPrivileged must be called before the app is ready');
        schemes.push(...list);
      }),
      handle: vi.fn(() => requireReady('protocol.handle')),
    },
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Menu: {
      buildFromTemplate: (template: MenuItem[]): BuiltMenu => ({ template }),
      setApplicationMenu: (menu: BuiltMenu | null) => {
        applicationMenuSet = true;
        // macOS keeps its native menu bar when given null (lib/browser/api/menu.ts).
        if (menu !== null || profile !== 'darwin') applicationMenu = menu;
      },
      getApplicationMenu: () => applicationMenu,
    },
    nativeImage: { createFromPath: (path: string) => new FakeImage(path) },
    nativeTheme: {
      get shouldUseDarkColors() {
        return world.darkTheme;
      },
      themeSource: 'system',
      on: (event: string, handler: Handler) => theme.on(event, handler),
    },
    systemPreferences: {
      subscribeNotification: (event: string, callback: (event: string, userInfo: unknown, object: string) => void): number => {
        // Electron defines it on macOS only: elsewhere the call is a TypeError.
        if (profile !== 'darwin') throw new TypeError('systemPreferences.subscribeNotification is not a function');
        if (event === 'com.apple.HIToolbox.beginMenuTrackingNotification') menuTrackingSubscribers.push(callback);
        return menuTrackingSubscribers.length;
      },
    },
    Notification: FakeNotification,
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        ipcHandlers.set(channel, handler);
      },
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
      on: (channel: string, listener: Handler) => {
        ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), listener]);
        return module.ipcMain;
      },
      removeAllListeners: (channel?: string) => {
        if (channel === undefined) ipcListeners.clear();
        else ipcListeners.delete(channel);
        return module.ipcMain;
      },
      listenerCount: (channel: string) => ipcListeners.get(channel)?.length ?? 0,
    },
    safeStorage: {
      isEncryptionAvailable: () => ready,
      getSelectedStorageBackend: () => {
        if (!linux()) throw new Error('safeStorage.getSelectedStorageBackend is only available on Linux');
        requireReady('safeStorage');
        return world.linuxStorageBackend;
      },
      encryptString: (plain: string) => {
        requireReady('safeStorage');
        return Buffer.from(`sealed:${plain}`);
      },
      decryptString: (sealed: Buffer) => sealed.toString().replace(/^sealed:/, ''),
    },
    session: {
      fromPartition: (partition: string, options: Record<string, unknown> = {}) => {
        requireReady('session.fromPartition');
        const existing = partitions.get(partition) ?? { partition, options };
        partitions.set(partition, existing);
        return existing;
      },
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
      showMessageBox: vi.fn((first: unknown, second?: unknown) => {
        const parent = first instanceof FakeWindow ? first : null;
        const options = (parent ? second : first) as { message: string; detail: string; buttons: string[] };
        const coveredBy = windows.find((window) => window !== parent && window.visible && window.alwaysOnTopLevel !== null);
        // macOS: an app-modal alert sits at the modal-panel level, under 'pop-up-menu' and 'screen-saver'.
        const inFront = profile === 'darwin'
          ? world.appActive && !windows.some((window) => window.visible && (window.alwaysOnTopLevel === 'pop-up-menu' || window.alwaysOnTopLevel === 'screen-saver'))
          : parent !== null || coveredBy === undefined;
        dialogs.push({ ...options, inFront });
        return Promise.resolve({ response: dialogAnswers.shift() ?? 1 });
      }),
      showErrorBox: vi.fn(),
      showOpenDialog: vi.fn((first: unknown, second?: unknown) => {
        requireReady('dialog.showOpenDialog');
        const parent = first instanceof FakeWindow ? first : null;
        const options = (parent ? second : first) as { title?: string; message?: string; properties?: string[]; defaultPath?: string } | undefined;
        const properties = options?.properties ?? ['openFile'];
        const folders = properties.includes('openDirectory');
        const files = properties.includes('openFile') || !folders;
        const mac = profile === 'darwin';
        openDialogs.push({
          heading: (mac ? options?.message : options?.title) ?? null,
          chooses: folders && (!files || !mac) ? 'folders' : folders ? 'files-and-folders' : 'files',
          newFolderButton: mac ? properties.includes('createDirectory') : true,
          startsIn: options?.defaultPath ?? null,
          modalTo: parent,
        });
        const answer = openDialogAnswers.shift() ?? null;
        return Promise.resolve(answer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [answer] });
      }),
    },
    powerMonitor: { on: vi.fn() },
    net: { isOnline: () => true, fetch: vi.fn(), request: (options: NetRequestOptions | string) => new FakeClientRequest(typeof options === 'string' ? { url: options } : options) },
    autoUpdater,
    screen: {
      getPrimaryDisplay: () => (requireReady('screen'), world.displays[0]!),
      getAllDisplays: () => (requireReady('screen'), world.displays),
      getDisplayNearestPoint: (point: { x: number; y: number }) => (requireReady('screen'), displayAt(point.x, point.y)),
      getDisplayMatching: (rect: Rect) => {
        requireReady('screen');
        const best = [...world.displays].sort((a, b) => overlap(b.bounds, rect) - overlap(a.bounds, rect))[0]!;
        return overlap(best.bounds, rect) > 0 ? best : displayAt(rect.x, rect.y);
      },
      // Wayland gives no global pointer position to clients.
      getCursorScreenPoint: () => (requireReady('screen'), profile === 'linux-wayland' ? { x: 0, y: 0 } : { ...world.cursor }),
    },
  };
  const dock = { hide: vi.fn() };
  provideToRequire(module);

  return {
    module,
    schemes,
    ipcHandlers,
    ipcListeners,
    sessionCalls,
    dialogs,
    dialogAnswers,
    loginItemCalls,
    openDialogs,
    openDialogAnswers,
    get profile() {
      return profile;
    },
    get world() {
      return world;
    },
    get ready() {
      return ready;
    },
    get appEvents() {
      return app.handlers;
    },
    get windows() {
      return windows;
    },
    get trays() {
      return trays;
    },
    get notifications() {
      return notifications;
    },
    /** A full garbage collection, as V8 runs now and then: what the app no longer references goes. */
    async collectGarbage(): Promise<void> {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      // WeakRef targets touched in a job live until it ends: collect from a later task.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    },
    get applicationMenu() {
      return applicationMenu;
    },
    /**
     * The user presses a keyboard shortcut with CloudRig in front (on Windows and Linux: in its
     * focused window). The application menu's item for it runs: its click, or its role's action.
     * Returns what ran: the role, 'click', or null when nothing answers the keys.
     */
    pressShortcut(accelerator: string): string | null {
      const focused = windows.find((window) => window.focused) ?? null;
      if (!applicationMenu || (profile !== 'darwin' && !focused)) return null;
      const keys = normalizeAccelerator(accelerator, os());
      const item = leafItems(applicationMenu.template, os())
        .find((candidate) => candidate.effectiveAccelerator && candidate.enabled !== false && normalizeAccelerator(candidate.effectiveAccelerator, os()) === keys);
      if (!item) return null;
      if (typeof item.click === 'function') {
        (item.click as (item: unknown, window: unknown, event: unknown) => void)(item, focused, {});
        return 'click';
      }
      const role = String(item.role);
      if (role === 'quit') module.app.quit();
      if (role === 'reload' || role === 'forceReload') focused?.webContents.reload();
      return role;
    },
    /** The user switches the system between light and dark. */
    setSystemTheme(dark: boolean): void {
      world.darkTheme = dark;
      theme.emit('updated');
    },
    /**
     * The user clicks another app's icon in the menu bar / tray and its menu opens. macOS: the
     * app stays active and no 'blur' comes; HIToolbox posts its menu-tracking notification.
     * Elsewhere the other icon's menu takes focus.
     */
    openOtherStatusItem(): void {
      if (profile !== 'darwin') {
        for (const window of windows) window.clickElsewhere();
        return;
      }
      for (const callback of menuTrackingSubscribers) callback('com.apple.HIToolbox.beginMenuTrackingNotification', {}, '');
    },
    /** A fresh, not-yet-ready app on `next`'s desktop (the module registrations made at import stay). */
    reset(next: DesktopProfile, changes: Partial<World> & Pick<World, 'appData'>): void {
      profile = next;
      world = { ...defaultWorld(next, changes.appData), ...changes };
      ready = false;
      paths.clear();
      app = new Events();
      windows = [];
      trays = [];
      notifications = [];
      applicationMenu = null;
      applicationMenuSet = false;
      theme = new Events();
      menuTrackingSubscribers = [];
      ipcHandlers.clear();
      ipcListeners.clear();
      sessionCalls.length = 0;
      loginItemCalls.length = 0;
      openDialogs.length = 0;
      openDialogAnswers.length = 0;
      dock.hide.mockClear();
      partitions.clear();
      autoUpdater.handlers.clear();
      autoUpdater.quitAndInstall.mockClear();
      module.app.relaunch.mockClear();
    },
    /** The user launches CloudRig again while it runs. */
    relaunch(): void {
      if (profile === 'darwin') app.emit('activate', {}, windows.some((window) => window.visible));
      else app.emit('second-instance', {}, [execPath], process.cwd());
    },
  };
}

export type ElectronDouble = ReturnType<typeof createElectronDouble>;

/**
 * Makes `require('electron')` from CommonJS packages give the double: vi.mock replaces the module
 * for imports the test's module graph sees, never for Node's own require() inside node_modules.
 */
function provideToRequire(exports: unknown): void {
  const fromUpdater = createRequire(createRequire(import.meta.url).resolve('electron-updater'));
  const file = fromUpdater.resolve('electron');
  const entry = new Module(file);
  entry.filename = file;
  entry.loaded = true;
  entry.exports = exports;
  fromUpdater.cache[file] = entry;
}
