import { describe, expect, it, vi } from 'vitest';
import { ElectronFolderPicker } from '../../src/main/folder-picker.js';
import { DESKTOP_PROFILES } from '../support/electron-double.js';

// The push folder's Change… button: the system folder dialog through the electron double, which
// models how each desktop shows dialog.showOpenDialog (see its header).
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());
vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

describe.each(DESKTOP_PROFILES)('the folder dialog on %s', (profile) => {
  async function readyDesktop(): Promise<void> {
    electron.reset(profile, { appData: '/nonexistent' });
    await electron.module.app.whenReady();
  }

  it('chooses folders only, shows its title, offers New Folder, starts in the folder chosen before, and gives the path', async () => {
    await readyDesktop();
    electron.openDialogAnswers.push('/home/me/projects/model');
    const picked = await new ElectronFolderPicker().pickFolder({ title: 'Folder to push to gpu', defaultPath: '/home/me/projects/old' });
    expect(picked).toBe('/home/me/projects/model');
    expect(electron.openDialogs).toEqual([{
      heading: 'Folder to push to gpu',
      chooses: 'folders',
      newFolderButton: true,
      startsIn: '/home/me/projects/old',
      // Free-standing: the popover hides when it loses focus, and a sheet on a hidden window is unseen.
      modalTo: null,
    }]);
  });

  it('gives null when the user cancels, and starts wherever the system likes when nothing was chosen before', async () => {
    await readyDesktop();
    expect(await new ElectronFolderPicker().pickFolder({ title: 'Folder to push to gpu', defaultPath: null })).toBeNull();
    expect(electron.openDialogs[0]?.startsIn).toBeNull();
  });
});
