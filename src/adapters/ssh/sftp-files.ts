import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, utimes } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative } from 'node:path';
import type ssh2 from 'ssh2';
import { CloudRigError } from '../../core/errors.js';
import { isUnsafeName, type CopyOutcome, type FileCopier, type FileEntry, type FileTree } from '../../core/app/files.js';
import { printable } from '../../shared/untrusted-text.js';
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
  return type === 0o040000 ? 'dir' : type === 0o100000 ? 'file' : type === 0o120000 ? 'link' : 'other';
}

/** The session's sftp channel (its connection sends each packet at once: see prompt-socket.ts). */
function channel(session: Ssh2Session): Promise<ssh2.SFTPWrapper> {
  return session.sftp();
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
    { action: 'check-remote-path', name: session.target.workstation ?? null });
}

/** A tree on the workstation, read over the session's sftp channel. */
export class SftpFileTree implements FileTree {
  constructor(private readonly session: Ssh2Session, readonly root: string) {}

  async stat(path: string): Promise<FileEntry | null> {
    const sftp = await channel(this.session);
    const full = remotePath(this.root, path);
    try {
      return entryOf(posix.basename(full), await call<ssh2.Stats>((done) => sftp.stat(full, done)));
    } catch (error) {
      if (isMissing(error)) return null;
      throw sftpError(this.session, full, error);
    }
  }

  async list(path: string): Promise<FileEntry[]> {
    const sftp = await channel(this.session);
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
    const sftp = await channel(this.session);
    const full = remotePath(this.root, path);
    try {
      return (await call<Buffer>((done) => sftp.readFile(full, done))).toString('utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw sftpError(this.session, full, error);
    }
  }
}

/** A temporary name next to `name` in the same folder (so the rename into place stays on one file system). */
function temporaryName(name: string): string {
  return `.${name}.rig-${TEMPORARY_PREFIX}-${(temporaries++).toString(36)}.part`;
}

/** Unguessable per process, so a name cannot be planted in advance; a counter keeps it unique within one. */
const TEMPORARY_PREFIX = randomBytes(6).toString('hex');
let temporaries = 0;

/** What fastPut/fastGet sent: the last step's total (a file truncated since the plan sends less). */
function byteCounter(onBytes: (copied: number) => void): { step: (total: number) => void; sent: () => number } {
  let sent = 0;
  return {
    step: (total) => {
      sent = total;
      onBytes(total);
    },
    sent: () => sent,
  };
}

/** Permission bits for a file or folder made on the workstation: setuid and setgid never travel. */
export function pushedMode(mode: number): number {
  return mode & 0o1777;
}

/** Permission bits for a file or folder made here: only rwx bits, and none the local umask takes away. */
export function pulledMode(mode: number, umask: number): number {
  return mode & 0o777 & ~umask;
}

/** Copies from this computer to the workstation (`rig push`). */
export class SftpUpload implements FileCopier {
  private readonly inFlight = new Set<string>();
  private abandoned = false;

  constructor(private readonly session: Ssh2Session, private readonly localRoot: string, private readonly root: string) {}

  async abandon(): Promise<void> {
    this.abandoned = true;
    const sftp = await channel(this.session).catch(() => null);
    if (sftp) await Promise.all([...this.inFlight].map((temporary) => removeQuietly(sftp, temporary)));
  }

  async makeDir(path: string, source: number, options: { readonly replace: boolean }): Promise<void> {
    const sftp = await channel(this.session);
    const mode = pushedMode(source);
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
    const full = remotePath(this.root, path);
    if (options.replace) {
      // --force: the link (or file) where the folder goes is removed, never followed.
      const there = await call<ssh2.Stats>((done) => sftp.lstat(full, done)).catch(() => null);
      if (there && !there.isDirectory()) await call((done) => sftp.unlink(full, done)).catch((error: unknown) => { throw sftpError(this.session, full, error); });
    }
    await make(full);
  }

  async copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<CopyOutcome> {
    const sftp = await channel(this.session);
    const full = remotePath(this.root, path);
    const temporary = posix.join(posix.dirname(full), temporaryName(posix.basename(full)));
    const mode = pushedMode(source.mode);
    const counter = byteCounter(onBytes);
    if (this.abandoned) throw interruptedError();
    this.inFlight.add(temporary);
    try {
      const seconds = Math.floor(source.mtimeMs / 1000);
      // The mode (the open does not set it past the box's umask) and the time the skip check compares.
      const attributes = { mode, atime: seconds, mtime: seconds };
      if (source.size <= SMALL_FILE_BYTES) {
        // Deleted here since the plan: nothing was made there.
        const data = await readFile(localPath(this.localRoot, path)).catch((error: unknown) => (isLocallyMissing(error) ? null : Promise.reject(error)));
        if (data === null) return { kind: 'vanished' };
        await putSmall(sftp, temporary, data, attributes);
        counter.step(data.length);
      } else {
        try {
          await call((done) => sftp.fastPut(localPath(this.localRoot, path), temporary, { mode, step: counter.step }, done));
        } catch (error) {
          // fastPut opens the local file before the remote one: nothing was made there.
          if (isLocallyMissing(error)) return { kind: 'vanished' };
          throw error;
        }
        await call((done) => sftp.setstat(temporary, attributes, done));
      }
      if (this.abandoned) throw interruptedError();
      await renameOver(sftp, temporary, full);
    } catch (error) {
      await removeQuietly(sftp, temporary);
      throw error instanceof CloudRigError ? error : sftpError(this.session, full, error);
    } finally {
      this.inFlight.delete(temporary);
    }
    return { kind: 'copied', bytes: counter.sent() };
  }
}

/** Files up to this size are read whole and sent in one go (fastPut's own set-up costs more round trips than they take). */
const SMALL_FILE_BYTES = 64 * 1024;

/**
 * Writes a small file: open, then the data, the attributes and the close sent together without
 * waiting for each answer (sftp-server handles one handle's requests in order), so a file costs
 * two round trips instead of fastPut's four and a setstat.
 */
async function putSmall(sftp: ssh2.SFTPWrapper, path: string, data: Buffer, attributes: ssh2.InputAttributes): Promise<void> {
  const handle = await call<Buffer>((done) => sftp.open(path, 'w', { mode: attributes.mode }, done));
  const writing = data.length ? call((done) => sftp.write(handle, data, 0, data.length, 0, done)) : Promise.resolve();
  const setting = call((done) => sftp.fsetstat(handle, attributes, done));
  const closing = call((done) => sftp.close(handle, done));
  const [wrote, set, closed] = await Promise.allSettled([writing, setting, closing]);
  for (const result of [wrote, set, closed]) if (result.status === 'rejected') throw result.reason;
}

/**
 * Renames `from` over `to` on the workstation: OpenSSH's posix-rename replaces the old file in one
 * step (a reader sees the old file or the new one, never a part); plain SFTP rename refuses an
 * existing target, so without the extension the old file is removed first.
 */
async function renameOver(sftp: ssh2.SFTPWrapper, from: string, to: string): Promise<void> {
  try {
    await call((done) => sftp.ext_openssh_rename(from, to, done));
    return;
  } catch (error) {
    if (!(error instanceof Error) || !/does not support/.test(error.message)) throw error;
  }
  await call((done) => sftp.unlink(to, done)).catch(() => undefined);
  await call((done) => sftp.rename(from, to, done));
}

async function removeQuietly(sftp: ssh2.SFTPWrapper, path: string): Promise<void> {
  await call((done) => sftp.unlink(path, done)).catch(() => undefined);
}

function isLocallyMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Copies from the workstation to this computer (`rig pull`). */
export class SftpDownload implements FileCopier {
  /** Read once: modes from the box are masked by it, as a file this user makes would be. */
  private readonly umask = process.umask();
  /** Folders under the destination already seen to be real folders (not links). */
  private readonly realFolders = new Set<string>();
  private readonly inFlight = new Set<string>();
  private abandoned = false;

  constructor(private readonly session: Ssh2Session, private readonly root: string, private readonly localRoot: string) {}

  async abandon(): Promise<void> {
    this.abandoned = true;
    await Promise.all([...this.inFlight].map((temporary) => rm(temporary, { force: true })));
  }

  /**
   * The local path for a tree path, checked to stay inside the destination: every segment a plain
   * name, and every folder between the destination and it a real folder, not a link (a link
   * swapped in since the plan is refused, not written through). Folders are looked at with lstat
   * rather than compared by realpath, so a case-insensitive disk's other spelling is no escape.
   */
  private async inside(path: string): Promise<string> {
    const full = localPath(this.localRoot, path);
    const relativePath = relative(this.localRoot, full);
    if (path !== '' && (path.split('/').some(isUnsafeName) || relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath))) {
      throw outsideDestination(this.localRoot, path);
    }
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if (this.realFolders.has(folder)) continue;
      const stats = await lstat(localPath(this.localRoot, folder)).catch(() => null);
      if (!stats?.isDirectory()) throw outsideDestination(this.localRoot, path);
      this.realFolders.add(folder);
    }
    return full;
  }

  async makeDir(path: string, mode: number, options: { readonly replace: boolean }): Promise<void> {
    const full = await this.inside(path);
    if (options.replace) {
      // --force: the link (or file) where the folder goes is removed, never followed.
      const there = await lstat(full).catch(() => null);
      if (there && !there.isDirectory()) await rm(full, { force: true });
    }
    try {
      // The destination's own parents are the user's to have named; below it, one folder at a time.
      await mkdir(full, { recursive: path === '', mode: pulledMode(mode, this.umask) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await lstat(full)).isDirectory()) throw error;
    }
  }

  async copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<CopyOutcome> {
    const sftp = await channel(this.session);
    const full = remotePath(this.root, path);
    const local = await this.inside(path);
    // Written under a temporary name and renamed into place: Ctrl-C or a dropped connection
    // mid-copy leaves the old file whole, and a link at `local` is replaced, not written through.
    const temporary = join(dirname(local), temporaryName(basename(local)));
    const counter = byteCounter(onBytes);
    if (this.abandoned) throw interruptedError();
    this.inFlight.add(temporary);
    try {
      try {
        await call((done) => sftp.fastGet(full, temporary, { step: counter.step }, done));
      } catch (error) {
        if (isMissing(error)) return { kind: 'vanished' };
        throw sftpError(this.session, full, error);
      }
      await chmod(temporary, pulledMode(source.mode, this.umask));
      const seconds = Math.floor(source.mtimeMs / 1000);
      await utimes(temporary, seconds, seconds);
      if (this.abandoned) throw interruptedError();
      await rename(temporary, local);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    } finally {
      this.inFlight.delete(temporary);
    }
    return { kind: 'copied', bytes: counter.sent() };
  }
}

function interruptedError(): CloudRigError {
  return new CloudRigError('Aborted', 'The copy was interrupted.', { action: 'retry', reason: 'copy-interrupted' });
}

function outsideDestination(root: string, path: string): CloudRigError {
  return new CloudRigError('SftpFailed', `Refused to write ${printable(path)}: it would land outside ${printable(root)}.`,
    { action: 'avoid-links' });
}
