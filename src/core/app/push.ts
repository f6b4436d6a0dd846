// Pushing a local file or folder to the workstation, for both faces: `rig push` (once, or again at
// each edit with --watch) and the popover's Push now / Push on start. The local side is checked
// before any ssh, the remote root resolved, the session opened (or the face's kept-alive one used),
// and each copy sends only what differs, with syncTree's ignore rules, kept paths and name checks.
// The words of a refusal are the face's: it passes them in.
import type { CloudRigError } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { openWorkstationSession } from './connect.js';
import type { CopyProgress, FileCopier, FileEntry, FileTree, SyncSummary } from './files.js';
import { syncTree } from './file-sync.js';
import type { RemoteSession } from './remote-access.js';

/** What to push where, and the face's part in it. */
export interface PushRequest {
  readonly name: string;
  /** The local file or folder, as the face resolved it. */
  readonly local: string;
  /** Where it goes on the workstation: relative to the login user's home unless absolute. */
  readonly remote: string;
  /** Only a folder will do (the app's push folder); otherwise a file or a folder. */
  readonly folderOnly?: boolean;
  /** The face's error for a local path it cannot push: what is there (null: nothing). */
  readonly unusable: (found: FileEntry['kind'] | null) => CloudRigError;
  /** The face's kept-alive session; without one, a session is opened here and closed by `close()`. */
  readonly session?: (name: string) => Promise<RemoteSession>;
}

/** One copy's options. */
export interface PushCopyOptions {
  /** Replace newer files, links and special files on the workstation (never a folder). */
  readonly force?: boolean;
  readonly onProgress?: (progress: CopyProgress) => void;
}

/** A push ready to copy: the local tree checked, the remote root resolved, the session open. */
export class Push {
  constructor(
    readonly local: string,
    readonly source: FileTree,
    /** What the local path is. */
    readonly kind: 'file' | 'dir',
    /** The remote root as sftp takes it ('.' is the login user's home). */
    readonly remoteRoot: string,
    readonly session: RemoteSession,
    private readonly owned: boolean,
  ) {}

  /** Copies what differs; the copier lets a face abandon the copies under way (Ctrl-C). */
  copy(options: PushCopyOptions = {}): { readonly copier: FileCopier; readonly summary: Promise<SyncSummary> } {
    const copier = this.session.upload(this.local, this.remoteRoot);
    return { copier, summary: syncTree(this.source, this.session.tree(this.remoteRoot), copier, { force: options.force === true, onProgress: options.onProgress }) };
  }

  /** Closes the session when this push opened it (a face's kept-alive session stays open). */
  async close(): Promise<void> {
    if (this.owned) await this.session.close();
  }
}

/** Checks the local side and opens the way to the workstation; nothing is copied yet. */
export async function startPush(core: CloudRigCore, request: PushRequest): Promise<Push> {
  const source = core.remote.localTree(request.local);
  const root = await source.stat('');
  const kind = root?.kind ?? null;
  if (kind !== 'dir' && (kind !== 'file' || request.folderOnly === true)) throw request.unusable(kind);
  const remoteRoot = core.remote.remoteRoot(request.remote);
  const session = await (request.session ? request.session(request.name) : openWorkstationSession(core, request.name));
  return new Push(request.local, source, kind, remoteRoot, session, request.session === undefined);
}

