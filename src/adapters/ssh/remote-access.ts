import type { SshTarget } from '../../core/ports.js';
import type { RemoteAccess, RemoteSession } from '../../core/app/remote-access.js';
import { FsChangeWatcher, LocalFileTree } from '../files/local-tree.js';
import { remoteRoot, SftpDownload, SftpFileTree, SftpUpload } from './sftp-files.js';
import { Ssh2Session, SshPortForwarder } from './ssh2-session.js';

/** One Ssh2Session, with the forwards and sftp copies bound to it. */
class Ssh2RemoteSession implements RemoteSession {
  private readonly session: Ssh2Session;

  constructor(readonly target: SshTarget) {
    this.session = new Ssh2Session(target);
  }

  async connect(): Promise<void> {
    await this.session.client();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  exec(command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.session.exec(command, timeoutMs);
  }

  forwarder(onError?: (error: unknown) => void) {
    return new SshPortForwarder(this.session, onError);
  }

  tree(root: string) {
    return new SftpFileTree(this.session, root);
  }

  upload(localRoot: string, root: string) {
    return new SftpUpload(this.session, localRoot, root);
  }

  download(root: string, localRoot: string) {
    return new SftpDownload(this.session, root, localRoot);
  }
}

/** Tunnels, sftp and stats over ssh2, and the local file system for the copies' other side. */
export const ssh2RemoteAccess: RemoteAccess = {
  session: (target) => new Ssh2RemoteSession(target),
  remoteRoot,
  localTree: (root) => new LocalFileTree(root),
  watchLocal: (root, isFile) => new FsChangeWatcher(root, isFile),
};
