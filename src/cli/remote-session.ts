import { spawn } from 'node:child_process';
import { CloudRigError } from '../core/errors.js';
import { sshTargetOf } from '../core/ssh-command.js';
import { resourceName } from '../core/workstation-service.js';
import type { CloudRigCore as Core } from '../core/app/cloudrig-core.js';
import type { RemoteSession } from '../core/app/remote-access.js';

/**
 * The kept-alive ssh session to a running workstation, for tunnels, file copies and stats. One
 * EC2 look-up for the address; no separate readiness probe: the session's own handshake checks the
 * pinned host key (and refuses a different one, naming the instance).
 */
export async function openSession(c: Core, name: string | undefined): Promise<RemoteSession> {
  const snapshot = await c.service.refresh(name, { probeSsh: false });
  if (snapshot.error && !snapshot.instance) throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
  const spec = c.service.spec(snapshot.name);
  if (snapshot.instance?.state !== 'running') {
    throw new CloudRigError('NotRunning', `Workstation ${spec.name} is ${snapshot.instance?.state ?? 'absent'}, so there is nothing to connect to.`, `Start it with \`rig up ${spec.name}\`.`);
  }
  const target = sshTargetOf(spec, snapshot.instance, c.keys.pathOf(resourceName(spec.name)), c.keys.knownHostsPathOf(spec.name));
  if (!target) {
    throw new CloudRigError('NoAddress', `Workstation ${spec.name} runs but has no public address yet.`, `Wait a moment and try again, or check \`rig status ${spec.name}\`.`);
  }
  return c.remote.session(target);
}

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

/** Opens a URL in the default browser; a failure is only a missed convenience (the URL is printed). */
export function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['explorer.exe', [url]]
    : ['xdg-open', [url]];
  // No shell: the URL is one argument, never parsed by a shell.
  const child = spawn(command, args, { stdio: 'ignore', detached: true, shell: false });
  child.on('error', () => undefined);
  child.unref();
}
