import type { SshTarget } from '../ports.js';
import type { WorkstationSpec } from '../../shared/workstation.js';
import type { DriftReport } from '../address-drift.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { openWorkstationSession, remoteFolderOfRunning, requireSshConfigIncluded, vscodeLink } from './connect.js';
import type { FileTree } from './files.js';
import type { ChangeWatcher } from './file-watch.js';
import { startPush, type Push, type PushRequest } from './push.js';
import type { RemoteSession } from './remote-access.js';
import { keepWorkstationSession, type KeptSession } from './session-reconnect.js';

/** Reaching a running workstation, for both faces: a shell, a kept-alive session, file trees, an editor's folder. */
export class ConnectUseCases {
  constructor(private readonly core: CloudRigCore) {}

  // ── Connecting ────────────────────────────────────────────────────────────────────────────

  /**
   * What opening a shell needs, for both faces: the laptop's address re-admitted first when it moved
   * (a failure to check is reported, not fatal), then the running instance's ssh target.
   */
  async openShell(name: string): Promise<{ readonly target: SshTarget; readonly drift: Pick<DriftReport, 'changed' | 'message'> }> {
    const drift: Pick<DriftReport, 'changed' | 'message'> = await this.core.service.followAddressDrift(name)
      .catch((error: unknown) => ({ changed: true, message: `Could not check the security group: ${errorMessage(error)}` }));
    const target = await this.core.service.sshTarget(name);
    return { target, drift };
  }

  /** Admits the laptop's public address when it moved (resume, a network change); says what it did. */
  followAddressDrift(name: string): Promise<DriftReport> {
    return this.core.service.followAddressDrift(name);
  }

  /** The running instance's ssh target. */
  sshTarget(name: string): Promise<SshTarget> {
    return this.core.service.sshTarget(name);
  }

  /** A kept-alive ssh session to the running workstation (tunnels, files, stats). */
  openSession(name: string | undefined): Promise<RemoteSession> {
    return openWorkstationSession(this.core, name);
  }

  /**
   * A push to the workstation, for both faces (`rig push`, the popover's Push now): the local side
   * checked before any ssh, the remote root resolved, the session open; each `copy()` sends what differs.
   */
  push(request: PushRequest): Promise<Push> {
    return startPush(this.core, request);
  }

  /** A local folder or file as a tree to copy from or into. */
  localTree(path: string): FileTree {
    return this.core.remote.localTree(path);
  }

  /** A path on the workstation, relative to the login user's home unless absolute. */
  remoteRoot(path: string): string {
    return this.core.remote.remoteRoot(path);
  }

  /** Watches a local folder (or file) for changes, for `push --watch`. */
  watchLocal(path: string, isFile: boolean): ChangeWatcher {
    return this.core.remote.watchLocal(path, isFile);
  }

  /** The workstation, once its ssh config is included (for VS Code over Remote-SSH). */
  requireSshConfigIncluded(name: string | undefined): Promise<WorkstationSpec> {
    return requireSshConfigIncluded(this.core, name);
  }

  /** The vscode:// link to the running workstation's home folder, once its ssh config is included (the app's Open in VS Code). */
  async editorLink(name: string): Promise<string> {
    const spec = await requireSshConfigIncluded(this.core, name);
    return vscodeLink(await remoteFolderOfRunning(this.core, spec));
  }

  /** A folder on the running workstation (its home by default), checked to exist. */
  remoteFolderOfRunning(spec: WorkstationSpec, path?: string): Promise<string> {
    return remoteFolderOfRunning(this.core, spec, path);
  }

  /**
   * Keeps a long-running session connected across sleep and network changes: reconnects with backoff,
   * the laptop's address re-admitted and the host-key pin checked on every attempt.
   */
  keep(session: RemoteSession, options: Parameters<typeof keepWorkstationSession>[2]): KeptSession {
    return keepWorkstationSession(this.core, session, options);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
