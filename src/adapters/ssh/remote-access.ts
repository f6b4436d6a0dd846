import type { SshTarget } from '../../core/ports.js';
import type { RemoteAccess, RemoteSession } from '../../core/app/remote-access.js';
import { CloudRigError } from '../../core/errors.js';
import type { SessionBinding } from '../../core/app/session-binding.js';
import { MonitorRegistration, type ConnectionShell, type ReleaseUse } from './monitor-registration.js';
import { heldWhileOpen } from '../../core/app/tunnels.js';
import { MONITOR_REFRESH_MS, MONITORS_DIR } from '../../core/idle-watchdog.js';
import { FsChangeWatcher, LocalFileTree } from '../files/local-tree.js';
import { remoteRoot, SftpDownload, SftpFileTree, SftpUpload } from './sftp-files.js';
import { execOver, Ssh2Session, SshPortForwarder } from './ssh2-session.js';

/** How long one registration command may take before it counts as failed. */
const MONITOR_COMMAND_TIMEOUT_MS = 15_000;

/** Where sessions register on the box, and how often they refresh (tests shorten and move them). */
export interface MonitorOptions {
  readonly monitorsDir?: string;
  readonly refreshMs?: number;
}

/**
 * One Ssh2Session, with the forwards and sftp copies bound to it. Each connection registers itself
 * on the box as CloudRig's monitoring (MonitorRegistration) while no tunnel is open and no file
 * transfer has used the session; a session that carried a transfer is the user's work until it
 * closes (`rig push --watch` keeps one between its pushes).
 */
class Ssh2RemoteSession implements RemoteSession {
  private readonly session: Ssh2Session;
  private readonly monitor: MonitorRegistration;
  private refresher: ReturnType<typeof setInterval> | null = null;
  private transfer: ReleaseUse | null = null;
  private readonly endedListeners: ((error: CloudRigError) => void)[] = [];
  private endedBy: CloudRigError | null = null;
  private readonly droppedListeners: (() => void)[] = [];
  private readonly reconnectedListeners: (() => void)[] = [];
  private connections = 0;

  constructor(readonly target: SshTarget, private readonly options: MonitorOptions = {}, private readonly binding?: SessionBinding) {
    this.monitor = new MonitorRegistration({ workstation: target.workstation ?? target.host, dir: options.monitorsDir ?? MONITORS_DIR });
    this.session = new Ssh2Session(target, {
      onConnect: (client) => {
        const shell: ConnectionShell = (command) => execOver(client, target, command, MONITOR_COMMAND_TIMEOUT_MS);
        client.once('close', () => this.monitor.disconnected(shell));
        this.monitor.connected(shell);
        this.refresher ??= setInterval(() => void this.monitor.refresh(), options.refreshMs ?? MONITOR_REFRESH_MS);
        this.refresher.unref();
        if (this.connections++ > 0) for (const listener of [...this.reconnectedListeners]) listener();
      },
      beforeReconnect: () => this.stillCurrent(),
      // A connection that drops is how a terminated instance shows first: ask at once, so a tunnel
      // or a watch with nothing to send still ends with its instance.
      onDropped: () => {
        void this.stillCurrent().catch((error: unknown) => {
          if (error instanceof CloudRigError) this.session.end(error);
        });
        for (const listener of [...this.droppedListeners]) listener();
      },
      onEnded: (error) => {
        this.endedBy ??= error;
        for (const listener of this.endedListeners.splice(0)) listener(error);
      },
    });
  }

  /**
   * Rejects with SessionEnded when the instance the session was opened for is no longer the
   * workstation's; any other failure to ask is ignored (the reconnect still checks the session's
   * key). The next connection goes to the address the workstation answers at now.
   */
  private async stillCurrent(): Promise<void> {
    if (!this.binding) return;
    try {
      const address = await this.binding.stillCurrent();
      if (address) this.session.moveTo(address.host, address.port);
    } catch (error) {
      if (error instanceof CloudRigError && error.code === 'SessionEnded') throw error;
    }
  }

  onEnded(listener: (error: CloudRigError) => void): void {
    if (this.endedBy) listener(this.endedBy);
    else this.endedListeners.push(listener);
  }

  onDropped(listener: () => void): void {
    this.droppedListeners.push(listener);
  }

  onReconnected(listener: () => void): void {
    this.reconnectedListeners.push(listener);
  }

  async connect(): Promise<void> {
    await this.session.client();
  }

  checkNow(): Promise<void> {
    return this.session.checkNow();
  }

  close(): Promise<void> {
    this.monitor.close();
    if (this.refresher) clearInterval(this.refresher);
    return this.session.close();
  }

  exec(command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.session.exec(command, timeoutMs);
  }

  forwarder(onError?: (error: unknown) => void) {
    return heldWhileOpen(new SshPortForwarder(this.session, onError), () => this.monitor.use());
  }

  tree(root: string) {
    this.transferring();
    return new SftpFileTree(this.session, root);
  }

  upload(localRoot: string, root: string) {
    this.transferring();
    return new SftpUpload(this.session, localRoot, root);
  }

  download(root: string, localRoot: string) {
    this.transferring();
    return new SftpDownload(this.session, root, localRoot);
  }

  onMonitorNote(listener: (message: string) => void): void {
    this.monitor.onNote(listener);
  }

  private transferring(): void {
    this.transfer ??= this.monitor.use();
  }
}

/** Tunnels, sftp and stats over ssh2, with sessions that register on the box as `options` say. */
export function ssh2RemoteAccessWith(options: MonitorOptions): RemoteAccess {
  return {
    session: (target, binding) => new Ssh2RemoteSession(target, options, binding),
    remoteRoot,
    localTree: (root) => new LocalFileTree(root),
    watchLocal: (root, isFile) => new FsChangeWatcher(root, isFile),
  };
}

/** Tunnels, sftp and stats over ssh2, and the local file system for the copies' other side. */
export const ssh2RemoteAccess: RemoteAccess = ssh2RemoteAccessWith({});
