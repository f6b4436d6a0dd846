// Reaching a running workstation, as use cases both faces call: the kept-alive session `rig
// tunnel`/`jupyter`/`push`/`stats` and the app's Jupyter, tunnel and GPU panel open; finding and
// forwarding Jupyter; and the Remote-SSH folder URI `rig code` and "Open in VS Code" open.
import type { WorkstationSpec } from '../../shared/workstation.js';
import { hasControlCharacters } from '../../shared/untrusted-text.js';
import { CloudRigError } from '../errors.js';
import { sshTargetOf } from '../ssh-command.js';
import { resourceName } from '../workstation-service.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { RemoteSession } from './remote-access.js';
import { bindToInstance } from './session-binding.js';
import { findJupyter, jupyterUrl, type OpenTunnel, type PortForwarder } from './tunnels.js';
import type { RemoteShell } from './stats.js';

/**
 * The kept-alive ssh session to a running workstation, for tunnels, file copies and stats. One
 * EC2 look-up for the address; no separate readiness probe: the session's own handshake checks the
 * pinned host key (and refuses a different one, naming the instance).
 */
export async function openWorkstationSession(c: CloudRigCore, name: string | undefined): Promise<RemoteSession> {
  const snapshot = await c.service.refresh(name, { probeSsh: false });
  if (snapshot.error && !snapshot.instance) throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
  const spec = c.service.spec(snapshot.name);
  if (snapshot.instance?.state !== 'running') {
    throw new CloudRigError('NotRunning', `Workstation ${spec.name} is ${snapshot.instance?.state ?? 'absent'}, so there is nothing to connect to.`, { action: 'start', name: spec.name });
  }
  const target = sshTargetOf(spec, snapshot.instance, c.keys.pathOf(resourceName(spec.name)), c.keys.knownHostsPathOf(spec.name));
  if (!target) {
    throw new CloudRigError('NoAddress', `Workstation ${spec.name} runs but has no public address yet.`, { action: 'wait-for-address', name: spec.name });
  }
  // Bound to this instance: a reconnect after it ended (or to another key) ends the session instead.
  return c.remote.session(target, bindToInstance(c, spec.name, snapshot.instance.instanceId));
}

/** A forwarded Jupyter server and the browser URL (with its token) that opens it. */
export interface JupyterForward {
  readonly tunnel: OpenTunnel;
  readonly url: string;
}

/**
 * Finds the Jupyter server running on the workstation and forwards its port: `localPort` when
 * given, else the server's own port, or any free one when that is taken.
 */
export async function forwardJupyter(shell: RemoteShell, forwarder: PortForwarder, workstation: string, localPort?: number): Promise<JupyterForward> {
  const server = await findJupyter(shell, workstation);
  const remote = { remoteHost: server.host, remotePort: server.port, label: 'jupyter' };
  let tunnel: OpenTunnel;
  try {
    tunnel = await forwarder.open({ ...remote, localPort: localPort ?? server.port });
  } catch (error) {
    // The server's own port is only a preference: any free one will do.
    if (localPort !== undefined || !(error instanceof CloudRigError) || error.code !== 'PortInUse') throw error;
    tunnel = await forwarder.open({ ...remote, localPort: 0 });
  }
  return { tunnel, url: jupyterUrl(server, tunnel.localPort) };
}

/** The absolute folder on the workstation: PATH as given, relative to the login user's home, or that home. */
export function remoteFolder(path: string | undefined, user: string): string {
  const home = user === 'root' ? '/root' : `/home/${user}`;
  if (path === undefined || path === '' || path === '~') return home;
  if (hasControlCharacters(path)) {
    throw new CloudRigError('InvalidInput', `The folder ${JSON.stringify(path)} has a control character.`, { action: 'correct-input', field: 'folder', hint: 'pass a folder on the workstation such as ~/project or /data.' });
  }
  if (path.startsWith('~/')) return `${home}/${path.slice(2)}`;
  return path.startsWith('/') ? path : `${home}/${path}`;
}

/** The Remote-SSH URI VS Code and Cursor open: the host is the alias from CloudRig's ssh config. */
export function remoteFolderUri(alias: string, folder: string): string {
  return `vscode-remote://ssh-remote+${alias}${folder.split('/').map(encodeURIComponent).join('/')}`;
}

/** The same folder as a `vscode://` link the OS hands to VS Code (what the app opens; the CLI runs `code --folder-uri`). */
export function vscodeLink(folderUri: string): string {
  return folderUri.replace(/^vscode-remote:\/\//, 'vscode://vscode-remote/');
}

/** The workstation's spec, once `ssh <name>` works from an editor (CloudRig's ssh config is included); else the error that says how. */
export async function requireSshConfigIncluded(c: CloudRigCore, name: string | undefined): Promise<WorkstationSpec> {
  const spec = c.service.spec(name);
  const status = await c.sshConfig.status();
  if (!status.installed) {
    throw new CloudRigError('SshConfigNotIncluded',
      `The editor reaches ${spec.name} as \`ssh ${spec.name}\`, which needs CloudRig's ssh config included from ${status.userConfigPath}.`,
      { action: 'install-ssh-config' });
  }
  return spec;
}

/**
 * Checks that the workstation runs, brings the ssh config up to date with the address EC2 just
 * gave, and returns the Remote-SSH folder URI for `path` (the login user's home when none).
 */
export async function remoteFolderOfRunning(c: CloudRigCore, spec: WorkstationSpec, path?: string): Promise<string> {
  const snapshot = await c.service.refresh(spec.name, { probeSsh: false });
  if (snapshot.instance?.state !== 'running') {
    throw new CloudRigError('NotRunning', `Workstation ${spec.name} is ${snapshot.instance?.state ?? 'absent'}, so there is nothing to open.`, { action: 'start', name: spec.name });
  }
  // The editor's ssh reads the file now: it must carry the address EC2 just gave.
  await c.sshConfig.settled();
  await c.sshConfig.sync();
  return remoteFolderUri(spec.name, remoteFolder(path, spec.sshUser));
}
