import { createHmac } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { SshConfigChange, SshConfigStatus } from '../../core/app/cloudrig-core.js';
import { CloudRigError } from '../../core/errors.js';
import type { KeyStore, SettingsStore } from '../../core/ports.js';
import {
  hasIncludeLine,
  hostNamesIn,
  includeLine,
  renderSshConfig,
  sshHostEntryOf,
  withIncludeLine,
  withoutIncludeLine,
  type SshHostEntry,
} from '../../core/ssh-config.js';
import { resourceName } from '../../core/workstation-service.js';
import type { Snapshot } from '../../shared/workstation.js';
import { renameOver, writeFileAtomic, writeTempFile } from '../store/atomic-file.js';
import { withFileLock } from '../store/file-locks.js';
import { readTextFile } from '../store/json-file.js';

/** The comment at the top of CloudRig's ssh config file: what it is, and where a workstation is changed. */
const HEADER = [
  'Written by CloudRig: one Host block per workstation, rewritten when an address changes.',
  'Edits here are overwritten; change a workstation with `rig init`, see `rig ssh-config`.',
];

/**
 * The user's ssh config: `CLOUDRIG_SSH_CONFIG` when set (tests, unusual setups), else `~/.ssh/config`
 * under the given environment's HOME; os.homedir() (which reads the process's) only when it has none.
 */
export function userSshConfigPath(env: NodeJS.ProcessEnv, home = env.HOME || homedir()): string {
  return env.CLOUDRIG_SSH_CONFIG ? resolve(env.CLOUDRIG_SSH_CONFIG) : join(home, '.ssh', 'config');
}

/** A path as ssh_config wants it: OpenSSH on Windows takes `/` separators, and CloudRig quotes nothing else. */
function sshPath(path: string): string {
  return process.platform === 'win32' ? path.replaceAll('\\', '/') : path;
}

/** Whether a known_hosts file holds a key for `host` on `port` (plain or hashed entries, wildcards, negation). */
export async function knownHostsHas(file: string, host: string, port: number): Promise<boolean> {
  const text = await readTextFile(file);
  if (text === null) return false;
  const name = port === 22 ? host : `[${host}]:${port}`;
  for (const raw of text.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    if (fields[0].startsWith('@')) continue; // @revoked and @cert-authority lines pin nothing by themselves.
    if (fields.length < 3) continue;
    if (hostFieldMatches(fields[0], name)) return true;
  }
  return false;
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    const regex = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
    if (regex.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export interface SshConfigFilesDeps {
  readonly home: string;
  readonly userConfigPath: string;
  readonly settings: SettingsStore;
  readonly keys: KeyStore;
  /**
   * Called while an edit of the user's config holds its lock, after the file was read and before
   * the result replaces it: where another tool's write would land unseen without the re-read.
   * Tests use it to make that write happen there; nothing else sets it.
   */
  readonly whileEditing?: (path: string) => Promise<void>;
}

/**
 * CloudRig's ssh config (`<home>/ssh_config`, one Host block per workstation, rewritten as
 * addresses change) and the single Include line in the user's ssh config, added and removed only
 * when asked. Every write is atomic; the user's other bytes are never changed.
 */
export class SshConfigFiles {
  /** CloudRig's own file. */
  readonly path: string;
  private readonly latest = new Map<string, Snapshot>();
  private queue: Promise<void> = Promise.resolve();
  private queued = false;
  /** Why the last background rewrite failed, if it did (the next `rig ssh-config` reports it). */
  lastError: unknown = null;

  constructor(private readonly deps: SshConfigFilesDeps) {
    this.path = join(deps.home, 'ssh_config');
  }

  get userConfigPath(): string {
    return this.deps.userConfigPath;
  }

  /** Remembers a workstation's newest snapshot and rewrites the file (coalesced, one write at a time). */
  noteSnapshot(snapshot: Snapshot): void {
    // A snapshot that could not see the instance (AWS unreachable, refused) says nothing about its address.
    if (snapshot.phase === 'error') return;
    this.latest.set(snapshot.name, snapshot);
    if (this.queued) return;
    this.queued = true;
    this.queue = this.queue.then(async () => {
      this.queued = false;
      try {
        await this.sync();
        this.lastError = null;
      } catch (error) {
        this.lastError = error;
      }
    });
  }

  /** Resolves once the rewrites asked for so far are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The file as it is on disk, or null when none was written yet. */
  async read(): Promise<string | null> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Renders every saved workstation (address from its newest snapshot in this process, else the
   * one last written) and writes the file when its text changed. Returns the text.
   */
  async sync(): Promise<string> {
    const previousText = (await this.read()) ?? '';
    const previous = hostNamesIn(previousText);
    const entries: SshHostEntry[] = [];
    for (const spec of Object.values(this.deps.settings.read().workstations)) {
      const paths = {
        identityFile: sshPath(this.deps.keys.pathOf(resourceName(spec.name))),
        knownHostsFile: sshPath(this.deps.keys.knownHostsPathOf(spec.name)),
      };
      // ssh creates a missing known_hosts file but not its directory: without it, accept-new could never record the key.
      await mkdir(dirname(this.deps.keys.knownHostsPathOf(spec.name)), { recursive: true, mode: 0o700 });
      const snapshot = this.latest.get(spec.name);
      const base = sshHostEntryOf(spec, snapshot ? snapshot.instance : null, paths, false);
      const hostName = snapshot ? base.hostName : previous.get(spec.name) ?? null;
      const pinned = hostName !== null && await knownHostsHas(this.deps.keys.knownHostsPathOf(spec.name), hostName, spec.sshPort);
      entries.push({ ...base, hostName, pinned });
    }
    const text = renderSshConfig(entries, HEADER);
    if (text !== previousText) await writeFileAtomic(this.path, text, 0o600);
    return text;
  }

  private line(): string {
    return includeLine(sshPath(this.path));
  }

  /** Whether the user's config has CloudRig's Include line; keeps the `sshConfigInstalled` setting in step. */
  async status(): Promise<SshConfigStatus> {
    const line = this.line();
    const target = await this.symlinkTarget();
    const text = await this.readUser(this.deps.userConfigPath);
    const installed = text !== null && hasIncludeLine(text, binary(line));
    if (this.deps.settings.read().sshConfigInstalled !== installed) {
      this.deps.settings.update((settings) => ({ ...settings, sshConfigInstalled: installed }));
    }
    return { installed, userConfigPath: this.deps.userConfigPath, ownConfigPath: this.path, line, symlinkTarget: target };
  }

  private async symlinkTarget(): Promise<string | null> {
    try {
      const info = await lstat(this.deps.userConfigPath);
      return info.isSymbolicLink() ? resolve(dirname(this.deps.userConfigPath), await readlink(this.deps.userConfigPath)) : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Adds the Include line at the top of the user's config (creating it, mode 0600 in a 0700
   * directory, when missing), after keeping a copy of the original once. Refuses a symlink and a
   * read-only file, saying what to do instead. Another CloudRig home or tool may be editing the
   * same file: see `edit`.
   */
  async install(): Promise<SshConfigChange> {
    const line = this.line();
    const change = await this.edit('add', (text) => withIncludeLine(text, binary(line)));
    return this.changed(change);
  }

  /** Takes exactly CloudRig's Include line out of the user's config; every other byte stays. */
  async remove(): Promise<SshConfigChange> {
    const line = this.line();
    const change = await this.edit('remove', (text) => (hasIncludeLine(text, binary(line)) ? withoutIncludeLine(text, binary(line)) : text));
    return this.changed(change);
  }

  /**
   * Edits the user's config with `apply` (a function of its text, so it can be applied again):
   * under a lock beside the file that every CloudRig home takes, so two homes installing at once
   * both land; the file is read again just before the result replaces it, and when another tool
   * wrote meanwhile the edit is applied to that text instead, so its write is kept. A hard-linked
   * file is rewritten in place (a rename would split it from its other names).
   */
  private async edit(verb: 'add' | 'remove', apply: (text: string) => string): Promise<{ changed: boolean; created: boolean; backupPath: string | null }> {
    const line = this.line();
    const path = this.deps.userConfigPath;
    // A symlink or a read-only file is refused before anything is created beside it.
    await this.writableOrMissing(path, line, verb);
    return withFileLock(`${path}.cloudrig-lock`, async () => {
      // Looked at again under the lock: another home may have created the file meanwhile.
      const now = await this.writableOrMissing(path, line, verb);
      const original = now ? await this.readUser(path) : null;
      if (original === null) {
        if (verb === 'remove') return { changed: false, created: false, backupPath: null };
        await this.writeUser(path, apply(''), 0o600, line, verb, '');
        return { changed: true, created: true, backupPath: null };
      }
      if (apply(original) === original) return { changed: false, created: false, backupPath: null };
      const backupPath = verb === 'add' ? `${path}.cloudrig-backup` : null;
      if (backupPath) {
        try {
          // Once: the copy is of the file as it was before CloudRig first touched it.
          await writeFile(backupPath, Buffer.from(original, 'latin1'), { flag: 'wx', mode: now!.mode & 0o777 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.notWritable(path, line, error, verb);
        }
      }
      if (now!.nlink > 1) await this.writeInPlace(path, apply, line, verb);
      else await this.writeUser(path, apply, now!.mode & 0o7777, line, verb, original);
      return { changed: true, created: false, backupPath };
    }).catch((error: unknown) => {
      // The lock beside the file could not be made: the folder is not writable for this user.
      throw error instanceof CloudRigError ? error : this.notWritable(path, line, error, verb);
    });
  }

  private async changed(change: { changed: boolean; created: boolean; backupPath: string | null }): Promise<SshConfigChange> {
    return { ...(await this.status()), ...change };
  }

  /** The user's file's stat, null when it does not exist; throws the clear refusal for a symlink or a read-only file. */
  private async writableOrMissing(path: string, line: string, verb: 'add' | 'remove') {
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (info.isSymbolicLink()) {
      const target = resolve(dirname(path), await readlink(path));
      // A symlinked config is usually a dotfiles manager's (stow, chezmoi, home-manager): replacing the
      // link would detach it from the repository, and writing behind it would edit a tracked file unasked.
      throw new CloudRigError('SshConfigIsSymlink',
        `${path} is a symlink to ${target}; CloudRig does not replace a symlink or write through it.`,
        { action: 'edit-ssh-config-target', target, verb, line });
    }
    if (!info.isFile()) {
      throw new CloudRigError('SshConfigNotAFile', `${path} is not a regular file.`, { action: 'ssh-config-not-a-file' });
    }
    try {
      await access(path, constants.R_OK);
    } catch (error) {
      throw unreadable(path, error);
    }
    if ((info.mode & 0o200) === 0) {
      throw new CloudRigError('SshConfigReadOnly', `${path} is read-only (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); CloudRig leaves it as it is.`,
        { action: 'make-writable', path, verb, line });
    }
    return info;
  }

  /** The user's file's bytes (one character per byte); an unreadable file is a clear refusal. */
  private async readUser(path: string): Promise<string | null> {
    try {
      return await readBinary(path);
    } catch (error) {
      throw unreadable(path, error);
    }
  }

  /**
   * Replaces the user's file with `edit` applied to it, by temp file and rename. `read` is the
   * text the edit was first made from: the file is read again just before the rename, and when it
   * changed (another tool wrote), the edit is made again on the new text.
   */
  private async writeUser(path: string, edit: string | ((text: string) => string), mode: number, line: string, verb: 'add' | 'remove', read: string): Promise<void> {
    const apply = typeof edit === 'string' ? () => edit : edit;
    await this.deps.whileEditing?.(path);
    let base = read;
    try {
      for (let attempt = 0; ; attempt++) {
        const temp = await writeTempFile(path, Buffer.from(apply(base), 'latin1'), mode);
        const current = (await this.readUser(path)) ?? '';
        // A writer that never stops (a log appended to ssh config?) gets the last word after a few tries.
        if (current === base || attempt >= 4) {
          await renameOver(temp, path);
          return;
        }
        await rm(temp, { force: true });
        base = current;
      }
    } catch (error) {
      if (error instanceof CloudRigError) throw error;
      throw this.notWritable(path, line, error, verb);
    }
  }

  /**
   * Rewrites a hard-linked file through its own inode (read, truncate, write, flush, all under
   * the lock), so every name of it keeps showing the same file. Not atomic against a crash: the
   * backup taken before holds the file as it was.
   */
  private async writeInPlace(path: string, apply: (text: string) => string, line: string, verb: 'add' | 'remove'): Promise<void> {
    await this.deps.whileEditing?.(path);
    let handle;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === 'EACCES' ? unreadable(path, error) : this.notWritable(path, line, error, verb);
    }
    try {
      const text = apply((await handle.readFile()).toString('latin1'));
      const bytes = Buffer.from(text, 'latin1');
      await handle.truncate(0);
      await handle.write(bytes, 0, bytes.length, 0);
      await handle.sync();
    } catch (error) {
      throw this.notWritable(path, line, error, verb);
    } finally {
      await handle.close();
    }
  }

  private notWritable(path: string, line: string, error: unknown, verb: 'add' | 'remove'): CloudRigError {
    return new CloudRigError('SshConfigNotWritable', `Could not write next to ${path}: ${(error as Error).message}.`,
      { action: 'make-folder-writable', path: dirname(path), file: path, verb, line });
  }
}

/** The user's ssh config cannot be read (EACCES and the like): one line with the chmod that fixes it. */
function unreadable(path: string, error: unknown): CloudRigError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM') return error instanceof CloudRigError ? error : new CloudRigError('SshConfigUnreadable', `${path} cannot be read (${code ?? (error as Error).message}).`, { action: 'fix-access', path, problem: 'owner', folder: false });
  return new CloudRigError('SshConfigUnreadable', `${path} cannot be read: permission denied.`,
    { action: 'fix-access', path, problem: 'permission', folder: false });
}

/**
 * The file's bytes as a string of one character per byte, so the user's file goes back out
 * byte for byte whatever its encoding; null when missing.
 */
async function readBinary(path: string): Promise<string | null> {
  try {
    return (await readFile(path)).toString('latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A line CloudRig writes (UTF-8) in the one-character-per-byte form `readBinary` returns. */
function binary(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
