import { app } from 'electron';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { autostartEntry, type LoginItem } from '../core/app/app-face.js';
import { platformOf, type Desktop } from './desktop.js';

/** The Exec= line's program (quoted or bare) and the rest of the line. */
const EXEC_LINE = /^Exec=("(?:[^"\\]|\\.)*"|\S+)(.*)$/m;

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(["`$\\])/g, '$1') : token;
}

/** What the app last wrote to the system's login items: on or off. */
export interface LoginItemMemory {
  /** What the app last wrote, or null when it has written nothing since it started remembering. */
  read(): boolean | null;
  write(openAtLogin: boolean): void;
}

/** The memory as a small JSON file in the app's own folder (userData), replaced whole on each write. */
export class FileLoginItemMemory implements LoginItemMemory {
  constructor(private readonly path: string) {}

  read(): boolean | null {
    try {
      const value = (JSON.parse(readFileSync(this.path, 'utf8')) as { openAtLogin?: unknown }).openAtLogin;
      return typeof value === 'boolean' ? value : null;
    } catch {
      return null;
    }
  }

  write(openAtLogin: boolean): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ openAtLogin })}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}

/**
 * Start at login: Electron's login item on macOS and Windows; an XDG autostart entry on Linux,
 * where Electron implements none (app.setLoginItemSettings is macOS and Windows only). Started
 * with --autostart there, so the app waits for the panel's tray host. An AppImage is started
 * through its own path (APPIMAGE), not the temporary mount it runs from.
 *
 * `set` is the user's choice from the app: written as asked, and remembered. `renew` runs at every
 * start while the setting is on and never undoes what the user chose outside the app: a login item
 * the app wrote that is gone now was removed by the user (System Settings → Login Items, a deleted
 * autostart file, a deleted Run entry) and stays removed; one disabled in Task Manager or waiting
 * for approval in System Settings stays so; an edited autostart file is kept, only its program
 * path follows a moved app.
 */
export class SystemLoginItem implements LoginItem {
  private readonly platform: NodeJS.Platform;

  constructor(
    desktop: Desktop,
    private readonly memory: LoginItemMemory,
    private readonly env: NodeJS.ProcessEnv,
    private readonly executable: string = env.APPIMAGE ?? process.execPath,
  ) {
    this.platform = platformOf(desktop);
  }

  private autostartPath(): string {
    return join(this.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'cloudrig.desktop');
  }

  set(enabled: boolean): void {
    this.write(enabled);
    this.memory.write(enabled);
  }

  private write(enabled: boolean): void {
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

  /** Whether a login item for CloudRig is there, in whatever state the user left it. */
  private present(): boolean {
    if (this.platform === 'darwin') {
      // SMAppService (macOS 13+): "requires-approval" is the user's switch in System Settings →
      // Login Items, and still registered; "not-registered" is a removed item (or none).
      const { status, openAtLogin } = app.getLoginItemSettings();
      return status === undefined ? openAtLogin : status !== 'not-registered';
    }
    // Windows: a Run entry for this executable, enabled or disabled in Task Manager.
    if (this.platform === 'win32') return app.getLoginItemSettings().openAtLogin;
    return existsSync(this.autostartPath());
  }

  renew(): boolean {
    if (!this.present()) {
      // What the app wrote last was "on" (or it wrote before it remembered, every start while the
      // setting was on): the user removed it since. Only a remembered "off" means nothing was there to remove.
      if (this.memory.read() !== false) return false;
      this.set(true);
      return true;
    }
    this.memory.write(true);
    if (this.platform === 'linux') this.followMovedApp();
    return true;
  }

  /** The autostart entry's program follows a moved app; everything else in it is the user's and stays. */
  private followMovedApp(): void {
    const path = this.autostartPath();
    const text = readFileSync(path, 'utf8');
    const exec = EXEC_LINE.exec(text);
    if (!exec || unquote(exec[1] ?? '') === this.executable) return;
    const program = autostartEntry(this.executable).match(EXEC_LINE)?.[1] ?? this.executable;
    writeFileSync(path, text.replace(EXEC_LINE, `Exec=${program}${exec[2] ?? ''}`), { mode: 0o644 });
  }
}
