import { app, dialog, type BrowserWindow, type MessageBoxOptions } from 'electron';
import { traitsOf, type Desktop } from './desktop.js';

/**
 * Asks a question the user must see before anything else happens (quitting with a billed
 * instance), in front of whatever they are doing (desktop.ts, quitQuestion). Resolves with the
 * index of the button pressed.
 */
export async function askInFront(window: BrowserWindow, desktop: Desktop, options: MessageBoxOptions): Promise<number> {
  if (traitsOf(desktop).quitQuestion === 'activate-app') {
    // The popover floats above alert level; and a menu-bar app whose tray menu was used from
    // another app is not active, so its alert would open behind that app.
    if (window.isVisible()) window.hide();
    app.focus({ steal: true });
    return (await dialog.showMessageBox(options)).response;
  }
  // Modal to the popover while it shows (it is always on top, and would hide the question).
  const { response } = window.isVisible() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  return response;
}
