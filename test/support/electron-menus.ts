// The part of the electron double that models menus and their keyboard shortcuts, from Electron's
// lib/browser/default-menu.ts and lib/browser/api/menu-item-roles.ts:
//  - at launch (`will-finish-launching`, before `ready`) Electron installs a default application
//    menu unless the app called Menu.setApplicationMenu first: [appMenu (macOS)], fileMenu,
//    editMenu, viewMenu (Reload CmdOrCtrl+R, Force Reload, Toggle Developer Tools), windowMenu;
//  - on Windows and Linux the application menu is every framed window's menu bar and its
//    accelerators act in the focused window; on macOS it is the menu bar of the active app
//    (Menu.setApplicationMenu(null) there leaves the native menu as it was);
//  - a role item without an accelerator of its own gets the role's: quit is Cmd+Q on macOS,
//    Ctrl+Q on Linux and none on Windows; a role menu (appMenu, editMenu, …) its role's items.

/** A menu item as a template gives it (Menu.buildFromTemplate keeps the template). */
export type MenuItem = Record<string, unknown>;
/** A built menu. */
export interface BuiltMenu {
  readonly template: MenuItem[];
}

type Os = 'darwin' | 'win32' | 'linux';

const ROLE_ACCELERATORS: Readonly<Record<string, (os: Os) => string | undefined>> = {
  close: () => 'CommandOrControl+W',
  copy: () => 'CommandOrControl+C',
  cut: () => 'CommandOrControl+X',
  paste: () => 'CommandOrControl+V',
  selectAll: () => 'CommandOrControl+A',
  undo: () => 'CommandOrControl+Z',
  redo: (os) => (os === 'win32' ? 'Control+Y' : 'Shift+CommandOrControl+Z'),
  hide: () => 'Command+H',
  hideOthers: () => 'Command+Alt+H',
  minimize: () => 'CommandOrControl+M',
  quit: (os) => (os === 'win32' ? undefined : 'CommandOrControl+Q'),
  reload: () => 'CmdOrCtrl+R',
  forceReload: () => 'Shift+CmdOrCtrl+R',
  toggleDevTools: (os) => (os === 'darwin' ? 'Alt+Command+I' : 'Ctrl+Shift+I'),
  resetZoom: () => 'CommandOrControl+0',
  zoomIn: () => 'CommandOrControl+Plus',
  zoomOut: () => 'CommandOrControl+-',
  togglefullscreen: (os) => (os === 'darwin' ? 'Control+Command+F' : 'F11'),
};

/** The items a role menu stands for (labels as Electron gives them). */
function roleMenu(role: string, os: Os): { label: string; submenu: MenuItem[] } | null {
  const mac = os === 'darwin';
  switch (role) {
    case 'appMenu':
      return { label: 'CloudRig', submenu: [{ role: 'about' }, { role: 'services' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { role: 'quit' }] };
    case 'fileMenu':
      return { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] };
    case 'editMenu':
      return { label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] };
    case 'viewMenu':
      return { label: 'View', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }] };
    case 'windowMenu':
      return { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'zoom' }, ...(mac ? [{ role: 'front' }] : [{ role: 'close' }])] };
    default:
      return null;
  }
}

/** The menu Electron installs at launch when the app set none. */
export function defaultApplicationMenu(os: Os): BuiltMenu {
  return { template: [...(os === 'darwin' ? [{ role: 'appMenu' }] : []), { role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }] };
}

/** The top-level labels of a menu bar, role menus named as Electron names them. */
export function menuBarLabels(menu: BuiltMenu, os: Os): string[] {
  return menu.template.map((item) => String(item.label ?? roleMenu(String(item.role ?? ''), os)?.label ?? item.role ?? ''));
}

/** Every leaf item of a menu, role menus expanded, each with the accelerator it answers to. */
export function leafItems(items: readonly MenuItem[], os: Os): Array<MenuItem & { effectiveAccelerator?: string }> {
  return items.flatMap((item) => {
    const role = typeof item.role === 'string' ? item.role : '';
    const submenu = Array.isArray(item.submenu) ? (item.submenu as MenuItem[]) : roleMenu(role, os)?.submenu;
    if (submenu) return leafItems(submenu, os);
    if (item.type === 'separator') return [];
    const accelerator = typeof item.accelerator === 'string' ? item.accelerator : ROLE_ACCELERATORS[role]?.(os);
    return [{ ...item, ...(accelerator ? { effectiveAccelerator: accelerator } : {}) }];
  });
}

/** An accelerator in one spelling: CmdOrCtrl resolved for the OS, modifiers sorted. */
export function normalizeAccelerator(accelerator: string, os: Os): string {
  const keys = accelerator.split('+').map((key) => {
    const lower = key.toLowerCase();
    if (lower === 'cmdorctrl' || lower === 'commandorcontrol') return os === 'darwin' ? 'cmd' : 'ctrl';
    if (lower === 'command' || lower === 'cmd') return 'cmd';
    if (lower === 'control') return 'ctrl';
    if (lower === 'option') return 'alt';
    return lower;
  });
  const key = keys.pop() ?? '';
  return [...keys.sort(), key].join('+');
}
