import type { AppUpdater } from 'electron-updater';
import { Emitter, UPDATE_CHECK_INTERVAL_MS } from '../core/app/app-face.js';

/** The first line of an error, short: electron-updater's HTTP errors carry headers and bodies after it. */
function reason(error: unknown): string {
  if ((error as { code?: unknown } | null)?.code === 'ERR_CHECKSUM_MISMATCH') return 'its download does not match the sha512 the feed published';
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * The updater for this install: the NSIS install on Windows, the app bundle on macOS (Squirrel.Mac,
 * from the zip), on Linux the deb CloudRig ships (the new .deb installed with dpkg through pkexec,
 * which asks for an administrator's password) — or an AppImage someone built themselves, when
 * APPIMAGE says the app runs from one.
 */
export async function platformUpdater(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<AppUpdater | null> {
  // electron-updater is CommonJS: its exports are the default import's properties.
  const { AppImageUpdater, DebUpdater, MacUpdater, NsisUpdater } = (await import('electron-updater')).default;
  if (platform === 'win32') return new NsisUpdater();
  if (platform === 'darwin') return new MacUpdater();
  if (platform === 'linux') return env.APPIMAGE ? new AppImageUpdater() : new DebUpdater();
  return null;
}

/**
 * Updates, as the rest of the shell sees them: checked at start and every few hours, downloaded in
 * the background and verified by electron-updater (sha512 from the feed; the code signature on
 * Windows and macOS), installed only by install(), which the tray's "Restart to update" calls.
 * Each outcome is one line in the log; nothing here ever shows a window or a notification.
 */
export class AppUpdates {
  private downloadedVersion: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly downloaded = new Emitter<string>();

  /** Fires with the version once its download is complete and verified. */
  readonly onDidDownload = this.downloaded.event;

  constructor(private readonly updater: AppUpdater, private readonly log: (line: string) => void) {
    // electron-updater logs every step of every check; this class logs one line per outcome.
    updater.logger = null;
    updater.autoDownload = true;
    // Only the user's "Restart to update" installs: not a quit, not a restart for another reason.
    updater.autoInstallOnAppQuit = false;
    // An older version in the feed (a release pulled back, a stale mirror) is never installed.
    updater.allowDowngrade = false;
    updater.allowPrerelease = false;
  }

  /** The version downloaded and verified, ready to install; null until there is one. */
  get version(): string | null {
    return this.downloadedVersion;
  }

  /** Checks now and then every UPDATE_CHECK_INTERVAL_MS. */
  start(intervalMs = UPDATE_CHECK_INTERVAL_MS): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), intervalMs);
  }

  /** One check: a newer version is downloaded and verified; anything else is one line in the log. */
  async check(): Promise<void> {
    let result: Awaited<ReturnType<AppUpdater['checkForUpdates']>>;
    try {
      result = await this.updater.checkForUpdates();
    } catch (error) {
      this.log(`updates: could not check for a newer CloudRig (${reason(error)}); the next check is in a few hours`);
      return;
    }
    // Null: not a packaged app (electron-updater checks only from an installed build).
    if (!result) return;
    const offered = result.updateInfo.version;
    if (!result.isUpdateAvailable) {
      if (offered !== this.updater.currentVersion.version) this.log(`updates: the feed offers ${offered}, not newer than ${this.updater.currentVersion.version}: ignored`);
      return;
    }
    try {
      await result.downloadPromise;
    } catch (error) {
      this.log(`updates: ${offered} refused: ${reason(error)}`);
      return;
    }
    if (this.downloadedVersion === offered) return;
    this.downloadedVersion = offered;
    this.log(`updates: ${offered} downloaded and verified; the tray offers to restart into it`);
    this.downloaded.fire(offered);
  }

  /** Quits, installs the downloaded version and starts it (silently: the user already chose it). */
  install(): void {
    this.updater.quitAndInstall(true, true);
  }

  /** Stops the periodic check (the app quits). */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
