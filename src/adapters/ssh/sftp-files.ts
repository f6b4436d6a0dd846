import { chmod, mkdir, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type ssh2 from 'ssh2';
import { CloudRigError } from '../../core/errors.js';
import type { FileCopier, FileEntry, FileTree } from '../../core/app/files.js';
import { localPath } from '../files/local-tree.js';
import type { Ssh2Session } from './ssh2-session.js';

/** sftp's status code for a path that does not exist. */
const NO_SUCH_FILE = 2;

/**
 * A folder on the workstation as sftp gives it: relative paths are relative to the login user's
 * home (`~/x` is written `x`), absolute ones are taken as they are.
 */
export function remoteRoot(path: string): string {
  if (path === '~' || path === '' || path === '~/') return '.';
  return path.startsWith('~/') ? path.slice(2) : path;
}

export function remotePath(root: string, path: string): string {
  return path === '' ? root : posix.join(root, path);
}

function kindOf(mode: number): FileEntry['kind'] {
  const type = mode & 0o170000;
  return type === 0o040000 ? 'dir' : type === 0o100000 ? 'file' : 'other';
}

function entryOf(name: string, attrs: ssh2.Attributes): FileEntry {
  return { name, kind: kindOf(attrs.mode), size: attrs.size, mtimeMs: attrs.mtime * 1000, mode: attrs.mode & 0o7777 };
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === NO_SUCH_FILE;
}

/** Calls an sftp method that takes a callback. */
function call<T>(run: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));
}

function sftpError(session: Ssh2Session, path: string, error: unknown): CloudRigError {
  const message = error instanceof Error ? error.message : String(error);
  return new CloudRigError('SftpFailed', `sftp on workstation ${session.target.workstation ?? session.target.host} failed on ${path}: ${message}.`,
    'Check the path and its permissions on the workstation (`rig ssh -- ls -la PATH`).');
}

/** A tree on the workstation, read over the session's sftp channel. */
export class SftpFileTree implements FileTree {
  constructor(private readonly session: Ssh2Session, readonly root: string) {}

  async stat(path: string): Promise<FileEntry | null> {
    const sftp = await this.session.sftp();
    const full = remotePath(this.root, path);
    try {
      return entryOf(posix.basename(full), await call<ssh2.Stats>((done) => sftp.stat(full, done)));
    } catch (error) {
      if (isMissing(error)) return null;
      throw sftpError(this.session, full, error);
    }
  }

  async list(path: string): Promise<FileEntry[]> {
    const sftp = await this.session.sftp();
    const full = remotePath(this.root, path);
    try {
      const entries = await call<ssh2.FileEntryWithStats[]>((done) => sftp.readdir(full, done));
      return entries.filter((e) => e.filename !== '.' && e.filename !== '..').map((e) => entryOf(e.filename, e.attrs));
    } catch (error) {
      if (isMissing(error)) return [];
      throw sftpError(this.session, full, error);
    }
  }

  async readText(path: string): Promise<string | null> {
    const sftp = await this.session.sftp();
    const full = remotePath(this.root, path);
    try {
      return (await call<Buffer>((done) => sftp.readFile(full, done))).toString('utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw sftpError(this.session, full, error);
    }
  }
}

/** Copies from this computer to the workstation (`rig push`). */
export class SftpUpload implements FileCopier {
  constructor(private readonly session: Ssh2Session, private readonly localRoot: string, private readonly root: string) {}

  async makeDir(path: string, mode: number): Promise<void> {
    const sftp = await this.session.sftp();
    const make = async (full: string): Promise<void> => {
      try {
        await call((done) => sftp.mkdir(full, { mode }, done));
      } catch (error) {
        // A missing parent is made first (mkdir -p); an existing folder is fine.
        const there = await call<ssh2.Stats>((done) => sftp.stat(full, done)).catch(() => null);
        if (there?.isDirectory()) return;
        const parent = posix.dirname(full);
        if (isMissing(error) && parent !== full && parent !== '.' && parent !== '/') {
          await make(parent);
          await call((done) => sftp.mkdir(full, { mode }, done));
          return;
        }
        throw sftpError(this.session, full, error);
      }
    };
    await make(remotePath(this.root, path));
  }

  async copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<void> {
    const sftp = await this.session.sftp();
    const full = remotePath(this.root, path);
    try {
      await call((done) => sftp.fastPut(localPath(this.localRoot, path), full, { mode: source.mode, step: (copied) => onBytes(copied) }, done));
      // The mode as well (an existing file keeps its old mode through fastPut), and the time the skip check compares.
      const seconds = Math.floor(source.mtimeMs / 1000);
      await call((done) => sftp.setstat(full, { mode: source.mode, atime: seconds, mtime: seconds }, done));
    } catch (error) {
      throw sftpError(this.session, full, error);
    }
  }
}

/** Copies from the workstation to this computer (`rig pull`). */
export class SftpDownload implements FileCopier {
  constructor(private readonly session: Ssh2Session, private readonly root: string, private readonly localRoot: string) {}

  async makeDir(path: string, mode: number): Promise<void> {
    await mkdir(localPath(this.localRoot, path), { recursive: true, mode });
  }

  async copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<void> {
    const sftp = await this.session.sftp();
    const full = remotePath(this.root, path);
    const local = localPath(this.localRoot, path);
    try {
      await call((done) => sftp.fastGet(full, local, { step: (copied) => onBytes(copied) }, done));
    } catch (error) {
      throw sftpError(this.session, full, error);
    }
    await chmod(local, source.mode);
    const seconds = Math.floor(source.mtimeMs / 1000);
    await utimes(local, seconds, seconds);
  }
}
