// The port behind tunnels, file copies and stats: one kept-alive ssh session per workstation (the
// host key checked against its pin), and the local side of a file copy. src/adapters/ssh implements
// it; the faces reach it through the composition (CloudRigCore.remote), never directly.
import type { CloudRigError } from '../errors.js';
import type { SshTarget } from '../ports.js';
import type { ChangeWatcher } from './file-watch.js';
import type { FileCopier, FileTree } from './files.js';
import type { SessionBinding } from './session-binding.js';
import type { RemoteShell } from './stats.js';
import type { PortForwarder } from './tunnels.js';

/** A kept-alive ssh session to one workstation. */
export interface RemoteSession extends RemoteShell {
  readonly target: SshTarget;
  /** Connects now (and checks the host key), so a refused key opens nothing. */
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Local port forwards over this session; `onError` hears a failed forwarded connection. */
  forwarder(onError?: (error: unknown) => void): PortForwarder;
  /** The tree under `root` on the workstation (as `remoteRoot` gives it). */
  tree(root: string): FileTree;
  /** Copies from `localRoot` here to `root` on the workstation. */
  upload(localRoot: string, root: string): FileCopier;
  /** Copies from `root` on the workstation to `localRoot` here. */
  download(root: string, localRoot: string): FileCopier;
  // Monitor registration (monitor-registration.ts): while the session carries no tunnel and no file
  // transfer, its connection is registered on the box as CloudRig's monitoring, which the idle
  // watchdog does not count as use.
  /** Hears, once per session, that the box could not take the registration (the session carries on). */
  onMonitorNote(listener: (message: string) => void): void;
  /**
   * Hears, once, that the session ended for good: its instance was terminated or replaced (seen
   * when its connection dropped), or a reconnect met another host key. Every later use rejects.
   */
  onEnded(listener: (error: CloudRigError) => void): void;
  /** Hears each time its connection drops (not closed by close()); the next use, or connect(), reconnects. */
  onDropped(listener: () => void): void;
  /** Hears each new connection after the first (a use, or connect(), reconnected), once its host key checked out. */
  onReconnected(listener: () => void): void;
  /**
   * Makes the live connection prove itself now (after the laptop woke, or its network changed): one
   * that does not answer within seconds is dropped at once (onDropped), instead of when the
   * keepalive gives up. Nothing without a live connection.
   */
  checkNow(): Promise<void>;
}

/** Sessions to workstations, and the local side of file copies. */
export interface RemoteAccess {
  /**
   * A session to `target`. With `binding`, it is bound to that instance: before each reconnect (and
   * when its connection drops) it asks whether the workstation still has it, and a reconnect accepts
   * only the host key its first connection checked, never a key taken on first use.
   */
  session(target: SshTarget, binding?: SessionBinding): RemoteSession;
  /** A path on the workstation as sftp needs it (relative to the login home; `~/` dropped). */
  remoteRoot(path: string): string;
  localTree(root: string): FileTree;
  /** Watches a local file or folder for edits. */
  watchLocal(root: string, isFile: boolean): ChangeWatcher;
}
