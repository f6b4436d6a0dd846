/** The D-Bus name a StatusNotifier host (GNOME's AppIndicator extension, KDE's panel) owns. */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** Whether `name` has an owner on the session bus; null when that cannot be asked (no dbus-send, no bus). */
export function nameHasOwner(name: string, env: NodeJS.ProcessEnv): Promise<boolean | null> {
  const args = ['--session', '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`];
  return new Promise((resolve) => {
    // child_process is loaded by the first question, not with the main process.
    process.getBuiltinModule('node:child_process').execFile('dbus-send', args, { env, timeout: 2_000 }, (error, stdout) => resolve(error ? null : /\bboolean true\b/.test(stdout)));
  });
}

/**
 * Waits, after a login autostart, for the desktop's StatusNotifier host: Chromium creates a tray
 * as a StatusNotifierItem only when a watcher runs, and otherwise falls back for good to an
 * XEmbed icon GNOME never shows. Polls until the host is up, cannot be asked, or `timeoutMs` passes.
 */
export async function waitForTrayHost(probe: () => Promise<boolean | null>, timeoutMs: number, intervalMs: number): Promise<'up' | 'unknown' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await probe();
    if (up === null) return 'unknown';
    if (up) return 'up';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
