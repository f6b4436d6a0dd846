import { app } from 'electron';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { autostartEntry } from '../core/autostart-entry.js';
import type { LoginItem } from '../core/app/shell-ports.js';
import { platformOf, type Desktop } from './desktop.js';

/** The Exec= line's program (quoted or bare) and the rest of the line. */
const EXEC_LINE = /^Exec=("(?:[^"\\]|\\.)*"|\S+)(.*)$/m;

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(["`$\\])/g, '$1') : token;
}

/**
 * Start at login: Electron's login item on macOS and Windows; an XDG autostart entry on Linux,
 * where Electron has none (started with --autostart, so the app waits for the panel's tray host). An AppImage is started through its own path (APPIMAGE), not the
 * temporary mount it runs from.
 *
 * `set` is the user's choice from the app and is written as asked. `renew` runs at every start
 * while the setting is on, and never undoes what the user chose outside the app: a login item
 * disabled in Task Manager (Windows) or in System Settings (macOS) stays disabled, and an edited
 * autostart file (Linux) is kept, only its program path follows a moved app.
 */
export class SystemLoginItem implements LoginItem {
  private readonly platform: NodeJS.Platform;

  constructor(
    desktop: Desktop,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly executable: string = env.APPIMAGE ?? process.execPath,
  ) {
    this.platform = platformOf(desktop);
  }

  private autostartPath(): string {
    return join(this.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'cloudrig.desktop');
  }

  set(enabled: boolean): void {
    if (this.platform !== 'linux') {
      // Turning it on in the app is the user's choice: it also re-enables a Task Manager "disabled".
      app.setLoginItemSettings(this.platform === 'win32' ? { openAtLogin: enabled, enabled } : { openAtLogin: enabled });
      return;
    }
    const path = this.autostartPath();
    if (!enabled) {
      rmSync(path, { force: true });
      return;
    }
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, autostartEntry(this.executable, ['--autostart']), { mode: 0o644 });
  }

  renew(): void {
    if (this.platform === 'darwin') {
      // macOS 13+ (SMAppService): registered items follow the app bundle; "requires-approval" is the
      // user's switch in System Settings → Login Items, which registering again would nag about.
      const { status, openAtLogin } = app.getLoginItemSettings();
      if (status === 'not-registered' || (status === undefined && !openAtLogin)) app.setLoginItemSettings({ openAtLogin: true });
      return;
    }
    if (this.platform === 'win32') {
      // A Run entry for this executable exists, enabled or disabled by the user in Task Manager:
      // leave it. Writing it again would reset its StartupApproved flag to enabled.
      if (!app.getLoginItemSettings().openAtLogin) app.setLoginItemSettings({ openAtLogin: true });
      return;
    }
    const path = this.autostartPath();
    if (!existsSync(path)) {
      this.set(true);
      return;
    }
    const text = readFileSync(path, 'utf8');
    const exec = EXEC_LINE.exec(text);
    if (!exec) {
      this.set(true);
      return;
    }
    if (unquote(exec[1] ?? '') === this.executable) return;
    const program = autostartEntry(this.executable).match(EXEC_LINE)?.[1] ?? this.executable;
    writeFileSync(path, text.replace(EXEC_LINE, `Exec=${program}${exec[2] ?? ''}`), { mode: 0o644 });
  }
}
