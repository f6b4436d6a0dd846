/** The desktops the shell tells apart: what the tray, the popover and notifications can do differs. */
export type Desktop = 'darwin' | 'win32' | 'linux-x11' | 'linux-wayland';

/** What a desktop lets a tray app do; every per-OS choice in src/main reads it from here. */
export interface DesktopTraits {
  /** The tray icon reports left clicks everywhere (on Linux GNOME's AppIndicator opens the menu instead; KDE Plasma reports them). */
  readonly trayClicks: boolean;
  /**
   * The click on the tray icon takes focus before it arrives, so an open popover hides on blur
   * first and the click would open it again: Windows' taskbar, and on X11 KDE Plasma's panel (its
   * StatusNotifierItem Activate comes after the panel took focus). A click that soon after a
   * blur-hide is the one that closed the popover.
   */
  readonly blurBeforeTrayClick: boolean;
  /**
   * What tells the popover that another menu-bar / tray item opened, so it goes away as a menu
   * would: macOS keeps CloudRig active and its window key while another app's status item menu is
   * open, so no blur comes; HIToolbox's menu-tracking notification does ('menu-tracking').
   * Elsewhere the other icon takes focus and the popover hears blur ('blur').
   */
  readonly otherStatusItem: 'menu-tracking' | 'blur';
  /**
   * How the quit question comes in front: a menu-bar app is not active when its tray menu is used
   * from another app, and the popover floats above alert level, so on macOS the popover hides and
   * the app takes activation (app.focus with steal) first ('activate-app'). Elsewhere the question is
   * modal to the popover when it shows, which it would otherwise open behind ('parent-popover').
   */
  readonly quitQuestion: 'activate-app' | 'parent-popover';
  /** Windows can be placed by the app (a Wayland compositor ignores setPosition). */
  readonly positionsWindows: boolean;
  /** The longest tooltip the OS shows (Windows: 127 characters, the rest is cut). */
  readonly tooltipMax: number | null;
  /** Notification buttons are shown (macOS signed with alert style, Windows toasts; libnotify: none). */
  readonly notificationButtons: boolean;
  /** Electron's login item API works (macOS, Windows); Linux uses an XDG autostart entry. */
  readonly loginItemApi: boolean;
  /**
   * The application menu the app sets instead of Electron's default (File/Edit/View/Window, with
   * Reload on CmdOrCtrl+R and Cmd+Q quitting without a question): macOS needs a menu bar of its own
   * for the app (Quit through the billed-instance question, Edit for copy and paste in text fields);
   * Windows and Linux get none, so a framed popover (Wayland) shows no menu bar and no key reloads it.
   */
  readonly applicationMenu: 'app-menu' | 'none';
  /**
   * What a quick second click on the tray icon arrives as, and how the shell keeps it a click:
   * macOS sends 'double-click' instead of 'click' unless Tray.setIgnoreDoubleClickEvents(true)
   * ('ignore'); Windows sends 'double-click' for WM_LBUTTONDBLCLK and has no switch, so the shell
   * treats it as a click ('as-click'); Linux's AppIndicator sends neither ('none').
   */
  readonly trayDoubleClick: 'ignore' | 'as-click' | 'none';
  /**
   * A notification's 'close' can come while it can still be activated: Windows fires it with
   * reason 'timedOut' when the toast moves to the Action Center, where its buttons work later;
   * the app must keep the Notification referenced until then, or the activation is lost.
   */
  readonly closeOnTimeout: boolean;
}

/**
 * The tray icon file for a state: macOS a black-and-alpha template PNG (the menu bar tints it; @2x
 * found by name); Windows an ICO holding 16, 20, 24, 32 and 48 px, from which it picks the size
 * for the display's scale (a PNG is scaled, and soft); Linux one PNG, since Electron hands the
 * StatusNotifierItem a single pixmap that the panel scales: 22 px for KDE Plasma's tray, 24 px
 * for Xfce's panel, else 32 px (GNOME's AppIndicator extension and HiDPI panels scale it down).
 */
export function trayIconFile(desktop: Desktop, icon: string, currentDesktop = ''): string {
  if (desktop === 'darwin') return `${icon}Template.png`;
  if (desktop === 'win32') return `${icon}.ico`;
  const names = currentDesktop.toUpperCase().split(':');
  const size = names.includes('KDE') ? 22 : names.includes('XFCE') ? 24 : 32;
  return `${icon}-${size}.png`;
}

const TRAITS: Readonly<Record<Desktop, DesktopTraits>> = {
  darwin: {
    trayClicks: true, blurBeforeTrayClick: false, positionsWindows: true, tooltipMax: null, notificationButtons: true, loginItemApi: true,
    applicationMenu: 'app-menu', trayDoubleClick: 'ignore', closeOnTimeout: false, otherStatusItem: 'menu-tracking', quitQuestion: 'activate-app',
  },
  win32: {
    trayClicks: true, blurBeforeTrayClick: true, positionsWindows: true, tooltipMax: 127, notificationButtons: true, loginItemApi: true,
    applicationMenu: 'none', trayDoubleClick: 'as-click', closeOnTimeout: true, otherStatusItem: 'blur', quitQuestion: 'parent-popover',
  },
  'linux-x11': {
    trayClicks: false, blurBeforeTrayClick: true, positionsWindows: true, tooltipMax: null, notificationButtons: false, loginItemApi: false,
    applicationMenu: 'none', trayDoubleClick: 'none', closeOnTimeout: false, otherStatusItem: 'blur', quitQuestion: 'parent-popover',
  },
  'linux-wayland': {
    trayClicks: false, blurBeforeTrayClick: false, positionsWindows: false, tooltipMax: null, notificationButtons: false, loginItemApi: false,
    applicationMenu: 'none', trayDoubleClick: 'none', closeOnTimeout: false, otherStatusItem: 'blur', quitQuestion: 'parent-popover',
  },
};

/** The traits of a desktop. */
export function traitsOf(desktop: Desktop): DesktopTraits {
  return TRAITS[desktop];
}

/** The OS family of a desktop, as node names it. */
export function platformOf(desktop: Desktop): NodeJS.Platform {
  return desktop === 'darwin' || desktop === 'win32' ? desktop : 'linux';
}

/**
 * Which desktop this process runs on. On Linux Electron 41 picks its Ozone backend from the
 * session (--ozone-platform-hint=auto is the default): native Wayland in a Wayland session unless
 * --ozone-platform=x11 forces XWayland.
 */
export function detectDesktop(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, ozonePlatform = ''): Desktop {
  if (platform === 'darwin' || platform === 'win32') return platform;
  if (ozonePlatform === 'x11') return 'linux-x11';
  if (ozonePlatform === 'wayland') return 'linux-wayland';
  return env.XDG_SESSION_TYPE === 'wayland' || (env.WAYLAND_DISPLAY ?? '') !== '' ? 'linux-wayland' : 'linux-x11';
}
