/** The desktops the shell tells apart: what the tray, the popover and notifications can do differs. */
export type Desktop = 'darwin' | 'win32' | 'linux-x11' | 'linux-wayland';

/** What a desktop lets a tray app do; every per-OS choice in src/main reads it from here. */
export interface DesktopTraits {
  /** The tray icon reports left clicks (AppIndicator on Linux opens the menu instead). */
  readonly trayClicks: boolean;
  /** The taskbar takes focus before the click arrives, so the popover's blur comes first (Windows). */
  readonly blurBeforeTrayClick: boolean;
  /** Windows can be placed by the app (a Wayland compositor ignores setPosition). */
  readonly positionsWindows: boolean;
  /** The longest tooltip the OS shows (Windows: 127 characters, the rest is cut). */
  readonly tooltipMax: number | null;
  /** Notification buttons are shown (macOS signed with alert style, Windows toasts; libnotify: none). */
  readonly notificationButtons: boolean;
  /** Electron's login item API works (macOS, Windows); Linux uses an XDG autostart entry. */
  readonly loginItemApi: boolean;
}

const TRAITS: Readonly<Record<Desktop, DesktopTraits>> = {
  darwin: { trayClicks: true, blurBeforeTrayClick: false, positionsWindows: true, tooltipMax: null, notificationButtons: true, loginItemApi: true },
  win32: { trayClicks: true, blurBeforeTrayClick: true, positionsWindows: true, tooltipMax: 127, notificationButtons: true, loginItemApi: true },
  'linux-x11': { trayClicks: false, blurBeforeTrayClick: false, positionsWindows: true, tooltipMax: null, notificationButtons: false, loginItemApi: false },
  'linux-wayland': { trayClicks: false, blurBeforeTrayClick: false, positionsWindows: false, tooltipMax: null, notificationButtons: false, loginItemApi: false },
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
