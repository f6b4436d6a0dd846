import { Menu, type MenuItemConstructorOptions } from 'electron';
import { traitsOf, type Desktop } from './desktop.js';

/**
 * The macOS menu bar while CloudRig is in front: the app menu, whose Quit (Cmd+Q) asks about a
 * billed instance as the tray's Quit does, and Edit, whose roles give text fields in the popover
 * copy, paste and select all. No View menu: nothing reloads the popover or opens its devtools.
 */
export function macMenuTemplate(requestQuit: () => void): MenuItemConstructorOptions[] {
  return [
    {
      label: 'CloudRig',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { label: 'Quit CloudRig', accelerator: 'Command+Q', click: () => requestQuit() },
      ],
    },
    { role: 'editMenu' },
  ];
}

/**
 * Replaces Electron's default application menu (File/Edit/View/Window, Reload on CmdOrCtrl+R, a
 * Quit that asks nothing), which it installs at launch for any app that sets none: macOS gets
 * CloudRig's own menu, Windows and Linux none (desktop.ts, applicationMenu).
 */
export function setApplicationMenu(desktop: Desktop, requestQuit: () => void): void {
  if (traitsOf(desktop).applicationMenu === 'app-menu') Menu.setApplicationMenu(Menu.buildFromTemplate(macMenuTemplate(requestQuit)));
  else Menu.setApplicationMenu(null);
}
