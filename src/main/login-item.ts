import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { autostartEntry } from '../core/autostart-entry.js';
import type { LoginItem } from './app-controller.js';

/**
 * Start at login: Electron's login item on macOS and Windows; an XDG autostart entry on Linux,
 * where Electron has none. An AppImage is started through its own path (APPIMAGE), not the
 * temporary mount it runs from.
 */
export class SystemLoginItem implements LoginItem {
  constructor(
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private autostartPath(): string {
    return join(this.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'cloudrig.desktop');
  }

  set(enabled: boolean): void {
    if (this.platform !== 'linux') {
      app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true });
      return;
    }
    const path = this.autostartPath();
    if (!enabled) {
      rmSync(path, { force: true });
      return;
    }
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, autostartEntry(this.env.APPIMAGE ?? process.execPath), { mode: 0o644 });
  }
}
