import { spawn } from 'node:child_process';
import { CloudRigError, type RemoteSession, toErrorInfo } from '../core/app/face.js';
import { warningLine, type Io } from './output.js';

/** The kept-alive session to a running workstation (the use case the app calls too). */

/**
 * Resolves when the user presses Ctrl-C (or the process is told to end), after aborting
 * `controller`. The listener stays for the rest of the process: the settings library's exit hook
 * (when-exit, under conf) raises the signal once more after its own cleanup, and that second
 * delivery must find a listener, or the process would die of it before the tunnels close and the
 * command returns.
 */
export function untilInterrupted(controller: AbortController): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      controller.abort();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    controller.signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Opens a URL in the default browser, as a child with the run's environment (its PATH finds the
 * opener, its DISPLAY and BROWSER choose the browser); a failure is only a missed convenience (the URL
 * is printed).
 */
export function openInBrowser(url: string, env: Io['env']): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['explorer.exe', [url]]
    : ['xdg-open', [url]];
  // No shell: the URL is one argument, never parsed by a shell.
  const child = spawn(command, args, { env: { ...env }, stdio: 'ignore', detached: true, shell: false });
  child.on('error', () => undefined);
  child.unref();
}

/**
 * What a long-running command (`--watch`, a tunnel) does with a failure: a host key that changed,
 * or the session's instance ending, ends the command (never retried; `rethrow` raises it, with what
 * it means for this command, once the command returned); anything else is a warning and the next
 * turn tries again. With `session`, the session ending on its own (its connection dropped and its
 * instance is gone) ends the command too, even when it has nothing to send.
 */
export function watchFailures(
  stderr: { write(text: string): unknown },
  controller: AbortController,
  ending?: { readonly session: Pick<RemoteSession, 'onEnded'>; readonly consequence: string },
) {
  let fatal: unknown = null;
  const onError = (error: unknown): void => {
    const info = toErrorInfo(error);
    if (info.code === 'HostKeyMismatch' || info.code === 'SessionEnded') {
      fatal ??= error;
      controller.abort();
      return;
    }
    stderr.write(`${warningLine(info)}\n`);
  };
  ending?.session.onEnded(onError);
  return {
    onError,
    rethrow(): void {
      if (!fatal) return;
      if (ending && fatal instanceof CloudRigError && fatal.code === 'SessionEnded') {
        throw new CloudRigError(fatal.code, `${fatal.message}; ${ending.consequence}`, fatal.fix);
      }
      throw fatal;
    },
  };
}
