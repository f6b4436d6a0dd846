import { dialog } from 'electron';
import type { FolderPicker } from '../core/app/app-face.js';

/**
 * The system folder dialog (for the app's push folder), through dialog.showOpenDialog with
 * `openDirectory` only, so every desktop shows a folder chooser (on Windows and Linux a dialog
 * asked for files and folders at once would be a folder chooser anyway; on macOS it would let
 * files be picked). Free-standing, not attached to the popover: the popover hides when it loses
 * focus, and a macOS sheet on a hidden window could not be seen. macOS shows no title on its open
 * panel, so the same words go in `message`; `createDirectory` is macOS's switch for the New Folder
 * button the other desktops always have.
 */
export class ElectronFolderPicker implements FolderPicker {
  async pickFolder(options: { readonly title: string; readonly defaultPath: string | null }): Promise<string | null> {
    const result = await dialog.showOpenDialog({
      title: options.title,
      message: options.title,
      buttonLabel: 'Choose',
      ...(options.defaultPath !== null ? { defaultPath: options.defaultPath } : {}),
      properties: ['openDirectory', 'createDirectory'],
    });
    return result.canceled ? null : result.filePaths[0] ?? null;
  }
}
